"""Nothing leaves by accident. With generated content in every public and every internal
field, each surface partners or the public can read — feed items and tombstones, webhook
bodies, the Atom feed, the public page — carries only the published fields (the JSON
Schema in docs/schema/, nested keys too), and never a comment, an internal description,
the internal lessons learned or funding programme, a Vorhaben restricted to its
municipality, or the name or mail of anyone who did not consent. Every field of the
public version (issue 21 too: licence, English title and summary, lessons learned,
funding, dates, seeking partners, a functional mailbox, the AI record) leaves exactly as
the owners chose it, the AI record only when they published it for a Vorhaben that
uses AI, and a partner municipality only once a member of it agreed."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import ValidationFailed
from app.core.text import clean_line, normalize
from app.export import feed, partner_consent, partners, review, service, withdrawal
from app.export.models import PartnerConsent
from app.outbox.models import Channel, OutboxMessage
from app.vorhaben import spdx
from app.vorhaben.models import (
    AI_RECORD_TEXTS,
    AIRecord,
    AIRiskClass,
    AIUse,
    VorhabenPartner,
)
from tests import factories
from tests.export.contract import check_entry, check_item
from tests.publishing import Scene, form_of

EMPTY_AI_RECORD: dict[str, Any] = {**dict.fromkeys(AI_RECORD_TEXTS, ""), "risk_class": None}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"feed_rate_limit_per_address": 100_000, "webhooks_allow_private": True}


# Text as people type it: any letters, marks, symbols and spaces (the forms refuse
# control, format and private-use characters with a clear error, tested elsewhere).
text = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp")
    ),
    max_size=60,
)
line = text.map(lambda value: re.sub(r"\s+", " ", value).strip())
emails = st.one_of(
    st.just(""),
    st.from_regex(r"(digital|team|info)@[a-z]{3,10}\.example", fullmatch=True),
)
days = st.one_of(st.just(""), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)).map(str))
urls = st.one_of(
    st.just(""),
    st.from_regex(r"https://[a-z]{3,10}\.example/[a-z0-9]{0,8}", fullmatch=True),
)


def _png_naming(name: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", name)
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (0, 90, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _marker() -> str:
    return "SECRET" + uuid.uuid4().hex[:12]


def _webhook_bodies(db: Session) -> list[dict[str, Any]]:
    return [
        json.loads(row.payload["body"])
        for row in db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.WEBHOOK)
            .order_by(OutboxMessage.id)
        )
    ]


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=line.filter(bool),
    summary=line,
    description=text,
    tags=st.lists(st.from_regex(r"[a-zäöü]{3,12}", fullmatch=True), max_size=4, unique=True),
    website=urls,
    repository=urls,
    license_id=st.sampled_from(["", *sorted(spdx.IDS)[:5]]),
    uses_ai=st.sampled_from(["none", "rule_based", "weak_ai", "other"]),
    consent=st.booleans(),
    with_partner=st.booleans(),
    public=st.fixed_dictionaries(
        {
            "content_license": st.sampled_from(["CC-BY-4.0", "CC0-1.0", "all-rights-reserved"]),
            "seeks_partners": st.booleans(),
            "lessons_learned": text,
            "funding_programme": line,
            "start_date": days,
            "title_en": line,
            "summary_en": line,
            "mailbox_name": line,
            "mailbox_email": emails,
            "ai_record": st.booleans(),
            "partner_agrees": st.booleans(),
            "image_alt": st.one_of(st.just(""), line.filter(bool)),
        }
    ),
)
def test_only_whitelisted_fields_leave(
    db: Session,
    settings: Settings,
    client: TestClient,
    title: str,
    summary: str,
    description: str,
    tags: list[str],
    website: str,
    repository: str,
    license_id: str,
    uses_ai: str,
    consent: bool,
    with_partner: bool,
    public: dict[str, Any],
) -> None:
    try:
        _scenario(
            db,
            settings,
            client,
            title=title,
            summary=summary,
            description=description,
            tags=tags,
            website=website,
            repository=repository,
            license_id=license_id,
            uses_ai=uses_ai,
            consent=consent,
            with_partner=with_partner,
            public=public,
        )
    finally:
        db.rollback()  # each example starts from the same empty database


def _scenario(
    db: Session,
    settings: Settings,
    client: TestClient,
    *,
    title: str,
    summary: str,
    description: str,
    tags: list[str],
    website: str,
    repository: str,
    license_id: str,
    uses_ai: str,
    consent: bool,
    with_partner: bool,
    public: dict[str, Any],
) -> None:
    owner_name, owner_mail = _marker(), _marker().lower() + "@town.example"
    internal = {
        "description": _marker(),
        "summary": _marker(),
        "comment": _marker(),
        "lessons": _marker(),
        "funding": _marker(),
        "ai_note": _marker(),
        "restricted_title": _marker(),
        "restricted_text": _marker(),
    }
    bystanders = {"commenter": _marker(), "colleague": _marker(), "colleague_mail": _marker()}
    partner, _key = partners.create(db, "Civic " + uuid.uuid4().hex[:6])
    partners.add_webhook(db, settings, partner, "http://127.0.0.1:9/hook")
    owner = factories.account(db, owner_name, email=owner_mail)
    town = db.get(factories.Municipality, owner.municipality_id)
    colleague = factories.account(
        db,
        bystanders["colleague"],
        email=bystanders["colleague_mail"].lower() + "@town.example",
        municipality=town,
    )
    moderator = factories.account(db, _marker(), role=factories.Role.MODERATOR)
    commenter = factories.account(db, bystanders["commenter"])
    vorhaben = factories.vorhaben(
        db,
        owner,
        "Geteilt",
        description=internal["description"],
        summary=internal["summary"],
        tags=", ".join(tags),
    )
    vorhaben.lessons_learned = internal["lessons"]
    vorhaben.funding_programme = internal["funding"]
    vorhaben.uses_ai = AIUse(uses_ai)
    # The AI record leaves only when the owners publish it (and the Vorhaben uses AI).
    ai_text = _marker()
    db.add(AIRecord(vorhaben_id=vorhaben.id, purpose=ai_text, risk_class=AIRiskClass.LIMITED))
    factories.comment(db, commenter, vorhaben, internal["comment"])
    partner_ags: list[str] = []
    if with_partner:
        other = factories.municipality(db, "Partnerort")
        db.add(VorhabenPartner(vorhaben_id=vorhaben.id, municipality_id=other.id))
        partner_ags.append(other.ags)
    db.flush()
    scene = Scene(owner, moderator, vorhaben)
    form = form_of(db, scene)
    form.title, form.summary, form.description = title, summary, description
    form.website_url, form.repository_url, form.license = website, repository, license_id
    form.uses_ai, form.contact_consent = uses_ai, consent
    form.partner_municipalities = partner_ags
    for name, value in public.items():
        if name not in {"partner_agrees", "image_alt"}:
            setattr(form, name, value)
    form.end_date = ""  # an end before a generated start is refused (tested elsewhere)
    if public["summary_en"] and not public["title_en"]:
        form.title_en = "English title"  # a summary alone is refused (tested elsewhere)
    if not public["mailbox_email"]:
        form.mailbox_name = ""  # so is a mailbox name without an address
    service.save(db, settings, owner, vorhaben.id, form)
    if public["image_alt"]:
        # An image whose metadata names the owner: only its pixels leave.
        picture = _png_naming(owner_name)
        service.change_image(db, owner, vorhaben.id, "upload", picture, public["image_alt"])
    publication = service.submit(db, settings, owner, vorhaben.id, form)
    review.decide(db, settings, moderator, publication.id, "release", "")
    agreed = with_partner and public["partner_agrees"]
    if agreed:
        # A member of the partner municipality consents to be named.
        [asked] = db.scalars(select(PartnerConsent))
        speaker = factories.account(db, municipality=other)
        partner_consent.decide(db, settings, speaker, asked.id, "confirm")
    # A colleague edits and the change is released: their consent was never given.
    theirs = service.form_for(db, vorhaben, publication, colleague)
    theirs.summary = summary + " (ergänzt)"
    service.submit(db, settings, colleague, vorhaben.id, theirs)
    review.decide(db, settings, moderator, publication.id, "release", "")

    # A Vorhaben only its municipality sees is refused, and a second one is withdrawn.
    restricted = factories.vorhaben(
        db,
        owner,
        internal["restricted_title"],
        visibility="municipality",
        description=internal["restricted_text"],
    )
    with pytest.raises(ValidationFailed):
        service.submit(
            db, settings, owner, restricted.id, form_of(db, Scene(owner, moderator, restricted))
        )
    gone = factories.vorhaben(db, owner, "Bald zurückgezogen")
    gone_scene = Scene(owner, moderator, gone)
    first = service.submit(db, settings, owner, gone.id, form_of(db, gone_scene))
    review.decide(db, settings, moderator, first.id, "release", "")
    withdrawal.withdraw_by_owner(db, settings, owner, gone.id)
    db.flush()

    entries = [entry.item for entry in feed.after(db, 0, 500).entries]
    bodies = _webhook_bodies(db)
    atom = client.get("/feeds/projects.atom")
    assert atom.status_code == 200 and not feedparser.parse(atom.content).bozo
    page = client.get(f"/p/{publication.id}")
    assert page.status_code == 200
    assert client.get(f"/p/{first.id}").status_code == 410

    assert {item["deleted"] for item in entries} == {False, True}
    for item in entries:
        check_entry(item, "http://testserver")
    assert [body["type"] for body in bodies] == [
        "project.published",
        "project.updated",
        "project.published",
        "project.withdrawn",
    ]
    for body in bodies:
        assert set(body) == {"type", "timestamp", "data"}
        check_entry(body["data"], "http://testserver")
    check_item(service.preview(db, settings, publication), "http://testserver")

    surfaces = {
        "feed": json.dumps(entries, ensure_ascii=False),
        "webhooks": json.dumps(bodies, ensure_ascii=False),
        "atom": atom.text,
        "page": page.text,
    }
    never = [*internal.values(), *bystanders.values(), moderator.display_name]
    for surface, content in surfaces.items():
        for forbidden in never:
            assert forbidden.lower() not in content.lower(), (surface, forbidden)
    # What the owners chose leaves as they chose it, the AI record only when published.
    [live] = [item for item in entries if item["id"] == publication.id]
    with_ai = public["ai_record"] and uses_ai != "none"
    for surface in ("feed", "webhooks", "page"):
        assert (ai_text in surfaces[surface]) is with_ai, surface
    assert [entry["ags"] for entry in live["partner_municipalities"]] == (
        partner_ags if agreed else []
    )
    if public["image_alt"]:
        assert live["image"]["alt"] == clean_line(public["image_alt"])
        served = client.get(live["image"]["url"].removeprefix("http://testserver"))
        assert served.status_code == 200 and owner_name.encode() not in served.content
    else:
        assert live["image"] is None
    assert live["license_id"] == public["content_license"]
    assert live["seeks_partners"] is public["seeks_partners"]
    assert live["funding_programme"] == (clean_line(public["funding_programme"]) or None)
    assert live["start_date"] == (public["start_date"] or None)
    assert (live["mailbox"] or {}).get("email") == (public["mailbox_email"] or None)
    assert live["translations"]["en"] == (
        {"title": clean_line(form.title_en), "summary": normalize(public["summary_en"]).strip()}
        if form.title_en
        else None
    )
    assert live["ai_record"] == (
        {**EMPTY_AI_RECORD, "purpose": ai_text, "risk_class": "limited"} if with_ai else None
    )
    # The owner's name and mail appear where the contact does, and only with consent.
    for surface in ("feed", "webhooks", "page"):
        assert (owner_name in surfaces[surface]) is consent, surface
        assert (owner_mail in surfaces[surface]) is consent, surface
    assert owner_name not in surfaces["atom"] and owner_mail not in surfaces["atom"]
