"""The publication pages as people use them: personal consent, withdrawing after a
declined change, the moderators' decision form (revision, self-review, withdrawal with a
reason), and the preview rendering the public page itself."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import feedparser
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import feed, partner_consent, partners, review, service
from app.export.models import PartnerConsent, Publication, PublicationState
from app.outbox.models import Channel, OutboxMessage
from app.vorhaben.models import VorhabenPartner
from tests import factories
from tests.export.forms import form_fields
from tests.publishing import Scene, form_of, publish

pytestmark = pytest.mark.commits


def _post_as_browser(
    client: TestClient, page_url: str, action: str, button: tuple[str, str], **changes: str
) -> int:
    page = client.get(page_url)
    assert page.status_code == 200
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in form_fields(page.text, action):
        data[name].append(value)
    for name, value in changes.items():
        data[name] = [value]
    data[button[0]] = [button[1]]
    return client.post(action, data=data).status_code


def _town(db: Session, scene: Scene) -> factories.Municipality:
    town = db.get(factories.Municipality, scene.owner.municipality_id)
    assert town is not None
    return town


def test_a_colleague_sees_no_box_ticked_in_their_name_and_saving_keeps_the_contact(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, consent=True)
    colleague = factories.account(db, "Carla Colleague", municipality=_town(db, scene))
    factories.login(client, db, colleague)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    page = client.get(url).text
    box = re.search(r'<input type="checkbox" name="contact_consent"[^>]*>', page)
    assert box and "checked" not in box.group(0)
    assert "Carla Colleague" in page  # the consent text names the reader
    assert "Zurzeit ist Olga Owner" in page  # and who the contact is now
    status = _post_as_browser(client, url, url, ("action", "save"), title="Von Carla")
    assert status == 303
    db.refresh(publication)
    assert publication.title == "Von Carla"
    assert publication.contact_account_id == scene.owner.id
    preview = service.preview(db, settings, publication)
    assert preview["contact"] is not None and preview["contact"]["name"] == "Olga Owner"
    # Olga herself sees her box ticked.
    factories.login(client, db, scene.owner)
    own = re.search(r'<input type="checkbox" name="contact_consent"[^>]*>', client.get(url).text)
    assert own and "checked" in own.group(0)


def test_after_a_declined_change_the_owner_can_withdraw_from_the_page(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, title="Erste Fassung")
    form = form_of(db, scene)
    form.title = "Zweite Fassung"
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "decline", "Zu früh")
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    page = client.get(url).text
    assert "Zu früh" in page and "Öffentlich bleibt die bisher freigegebene Version" in page
    assert 'name="action" value="withdraw"' in page
    assert 'value="Zweite Fassung"' in page
    assert _post_as_browser(client, url, url, ("action", "withdraw")) == 303
    assert client.get(f"/p/{publication.id}").status_code == 410


def _review(app: FastAPI, db: Session, who: factories.Account) -> TestClient:
    moderator = TestClient(app, follow_redirects=False)
    factories.login(moderator, db, who)
    return moderator


def test_a_draft_changed_while_the_moderator_looked_is_not_released(
    app: FastAPI, client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    review_url = f"/moderation/publications/{publication.id}"
    with _review(app, db, scene.moderator) as moderator:
        seen = moderator.get(review_url)
        assert seen.status_code == 200
        fields = dict(form_fields(seen.text, review_url))
        assert fields["revision"] == str(publication.draft_revision)
        # Meanwhile the owner edits the submitted draft.
        changed = form_of(db, scene)
        changed.description = "Eine Änderung, die niemand geprüft hat"
        service.save(db, settings, scene.owner, scene.vorhaben.id, changed)
        refused = moderator.post(review_url, data={**fields, "decision": "release"})
        assert refused.status_code == 409
        assert "geändert, während Sie sie geprüft haben" in refused.text
        assert "Eine Änderung, die niemand geprüft hat" in refused.text  # shown now
        assert feed.get(db, publication.id) is None
        fresh = dict(form_fields(refused.text, review_url))
        assert moderator.post(review_url, data={**fresh, "decision": "release"}).status_code == 303
    entry = feed.get(db, publication.id)
    assert entry is not None and "niemand geprüft" in entry.item["description_html"]


def test_self_review_is_refused_with_a_clear_message(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    own = factories.account(
        db, "Moritz Eigen", role=factories.Role.MODERATOR, municipality=_town(db, scene)
    )
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    review_url = f"/moderation/publications/{publication.id}"
    with _review(app, db, own) as moderator:
        page = moderator.get(review_url).text
        assert "aus Ihrer eigenen Kommune" in page
        assert 'name="decision" value="release"' not in page
        token = factories.csrf_token(moderator, review_url)
        refused = moderator.post(review_url, data={"csrf_token": token, "decision": "release"})
        assert refused.status_code == 403 and "eigenen Kommune" in refused.text
    db.refresh(publication)
    assert publication.state is PublicationState.SUBMITTED


def test_moderator_withdrawal_through_the_page_needs_a_reason(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    review_url = f"/moderation/publications/{publication.id}"
    action = f"{review_url}/withdraw"
    with _review(app, db, scene.moderator) as moderator:
        page = moderator.get(review_url).text
        empty = moderator.post(action, data=dict(form_fields(page, action)))
        assert empty.status_code == 422 and "warum Sie die Veröffentlichung" in empty.text
        assert feed.get(db, publication.id) is not None
        fields = {**dict(form_fields(page, action)), "reason": "Rechtlicher Hinweis"}
        assert moderator.post(action, data=fields).status_code == 303
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted


def test_the_preview_is_the_public_page(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    partner = factories.municipality(db, "Partnerstadt")
    db.add(VorhabenPartner(vorhaben_id=scene.vorhaben.id, municipality_id=partner.id))
    db.flush()
    form = form_of(db, scene)
    form.tags = "bauen, ozg"
    form.website_url = "https://bauantrag.example/"
    form.repository_url = "https://gitlab.opencode.de/bauantrag"
    form.license = "EUPL-1.2"
    form.partner_municipalities = [partner.ags]
    publication = service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    # Named only with its consent (tests/export/test_partner_consent.py).
    [asked] = db.scalars(select(PartnerConsent))
    speaker = factories.account(db, municipality=partner)
    partner_consent.decide(db, settings, speaker, asked.id, "confirm")
    factories.login(client, db, scene.owner)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}/publication").text
    preview = page[page.index('id="preview-title"') :]
    for part in (
        "Verwaltung",  # field of action, by its label
        "bauen, ozg",
        "Partnerstadt",
        "https://bauantrag.example/",
        "EUPL-1.2",
        "https://gitlab.opencode.de/bauantrag",
        "<dt>Version</dt><dd>1</dd>",
    ):
        assert part in preview, part
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    public = client.get(f"/p/{publication.id}").text

    def facts(html: str) -> str:
        match = re.search(r'<dl class="facts">.*?</dl>', html, re.S)
        assert match
        return match.group(0)

    assert facts(public) == facts(preview)
    assert isinstance(db.get(Publication, publication.id), Publication)


def test_withdrawing_consent_takes_the_contact_off_the_live_project_at_once(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    """The contact unticks the box and saves: the live project loses name, position and
    mail in a new version at once (feed, Atom, /p/, a project.updated webhook), although
    the rest of the draft waits for the moderators as before."""
    partner, _key = partners.create(db, "Civic Platform")
    private = settings.model_copy(update={"webhooks_allow_private": True})
    partners.add_webhook(db, private, partner, "http://127.0.0.1:9/hook")
    publication = publish(db, settings, scene, consent=True)
    live = feed.get(db, publication.id)
    assert live is not None and live.item["contact"]["email"] == "olga@owner.example"
    first = dict(live.item)
    personal = ("Olga Owner", "olga@owner.example", "Digitalisierungsbeauftragte")
    assert all(value in client.get(f"/p/{publication.id}").text for value in personal)

    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    page = client.get(url)
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in form_fields(page.text, url):
        if name != "contact_consent":
            data[name].append(value)
    data["title"] = ["Noch nicht freigegebener Titel"]
    data["action"] = ["save"]
    saved = client.post(url, data=data, follow_redirects=True)
    assert "nicht mehr öffentliche Kontaktperson" in saved.text
    db.expire_all()  # the request wrote through its own session
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"] is None
    assert entry.item["version"] == first["version"] + 1
    assert entry.item["modified"] > first["modified"]
    assert entry.item["created"] == first["created"]
    assert entry.item["title"] == first["title"]  # the draft still waits for release
    public = client.get(f"/p/{publication.id}").text
    api = client.get(f"/api/v1/projects/{publication.id}").json()
    assert api["contact"] is None and api["version"] == entry.item["version"]
    atom = feedparser.parse(client.get("/feeds/projects.atom").content)
    assert atom.entries[0].updated == entry.item["modified"]
    assert not [value for value in personal if value in public]
    bodies = [
        json.loads(row.payload["body"])
        for row in db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.WEBHOOK)
            .order_by(OutboxMessage.id)
        )
    ]
    assert [body["type"] for body in bodies] == ["project.published", "project.updated"]
    assert bodies[-1]["data"] == entry.item
    # The first push still waits (nobody listens on port 9): it goes out without her too.
    assert [body["data"]["contact"] for body in bodies] == [None, None]
