"""A partner municipality is named in a publication only with its consent: asked when the
owners name it (its members get a mail), confirmed by one of its members (audited), left
out of the feed until then, and taken off the live version at once when revoked."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.export import feed, partners, review, service
from app.export.models import ConsentState, PartnerConsent, PublicationVersion
from app.outbox.models import Channel, OutboxMessage
from app.vorhaben.models import VorhabenPartner
from tests import factories
from tests.publishing import Scene, form_of, publish

PATH = "/veroeffentlichungen/partnerschaften"


def _with_partner(db: Session, scene: Scene) -> tuple[factories.Municipality, factories.Account]:
    partner = factories.municipality(db, "Nachbarhausen")
    colleague = factories.account(db, "Nina Nachbar", municipality=partner)
    db.add(VorhabenPartner(vorhaben_id=scene.vorhaben.id, municipality_id=partner.id))
    db.flush()
    return partner, colleague


def _publish_naming(
    db: Session, settings: Settings, scene: Scene, partner: factories.Municipality
) -> str:
    form = form_of(db, scene)
    form.partner_municipalities = [partner.ags]
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    return publication.id


def _named(db: Session, publication_id: str) -> list[str]:
    entry = feed.get(db, publication_id)
    assert entry is not None
    return [entry["ags"] for entry in entry.item["partner_municipalities"]]


def test_a_partner_is_named_only_after_a_member_of_it_consents(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    partner, colleague = _with_partner(db, scene)
    publication_id = _publish_naming(db, settings, scene, partner)
    assert _named(db, publication_id) == []  # asked, not yet agreed
    [consent] = db.scalars(select(PartnerConsent))
    assert consent.state is ConsentState.REQUESTED and consent.requested_by_id == scene.owner.id
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.MAIL))
    assert any(
        row.payload.get("to") == colleague.email and "Nachbarhausen" in json.dumps(row.payload)
        for row in mails
    )

    factories.login(client, db, colleague)
    # The partner's members find the decision from the Vorhaben they share.
    shared = client.get(f"/vorhaben/{scene.vorhaben.id}").text
    assert f'href="{PATH}"' in shared
    page = client.get(PATH)
    assert page.status_code == 200 and "Digitaler Bauantrag" in page.text
    token = factories.csrf_token(client, PATH)
    action = f"{PATH}/{consent.id}"
    assert client.post(action, data={"decision": "confirm"}).status_code == 403  # no CSRF
    assert client.post(action, data={"csrf_token": token, "decision": "confirm"}).status_code == 303
    db.refresh(consent)
    assert consent.state is ConsentState.CONFIRMED and consent.decided_by_id == colleague.id
    assert _named(db, publication_id) == []  # the live version waits for the next release
    publication = service.get(db, publication_id)
    preview = service.preview(db, settings, publication)
    assert [entry["ags"] for entry in preview["partner_municipalities"]] == [partner.ags]
    publish(db, settings, scene, title="Mit Partner")
    assert _named(db, publication_id) == [partner.ags]
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"partner_consent_requested", "partner_consent_given"} <= actions

    # The owners see who agreed.
    factories.login(client, db, scene.owner)
    own = client.get(f"/vorhaben/{scene.vorhaben.id}/publication").text
    assert "Nachbarhausen – Zugestimmt" in own


def test_only_members_of_the_partner_municipality_decide(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    partner, _colleague = _with_partner(db, scene)
    _publish_naming(db, settings, scene, partner)
    [consent] = db.scalars(select(PartnerConsent))
    assert client.get(PATH).status_code in {302, 303}  # anonymous: to the sign-in
    for outsider in (scene.owner, factories.account(db, "Otto Anderswo")):
        factories.login(client, db, outsider)
        assert "Digitaler Bauantrag" not in client.get(PATH).text
        token = factories.csrf_token(client, PATH)
        wanted = {"csrf_token": token, "decision": "confirm"}
        refused = client.post(f"{PATH}/{consent.id}", data=wanted)
        assert refused.status_code == 403
    db.refresh(consent)
    assert consent.state is ConsentState.REQUESTED


def test_revoking_takes_the_partner_off_the_live_version_at_once(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    endpoint_partner, _key = partners.create(db, "Civic Platform")
    private = settings.model_copy(update={"webhooks_allow_private": True})
    partners.add_webhook(db, private, endpoint_partner, "http://127.0.0.1:9/hook")
    partner, colleague = _with_partner(db, scene)
    publication_id = _publish_naming(db, settings, scene, partner)
    [consent] = db.scalars(select(PartnerConsent))
    factories.login(client, db, colleague)
    token = factories.csrf_token(client, PATH)
    client.post(f"{PATH}/{consent.id}", data={"csrf_token": token, "decision": "confirm"})
    form = form_of(db, scene)
    form.contact_consent = True
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    before = feed.get(db, publication_id)
    assert before is not None and _named(db, publication_id) == [partner.ags]
    version = before.item["version"]

    revoked = client.post(f"{PATH}/{consent.id}", data={"csrf_token": token, "decision": "revoke"})
    assert revoked.status_code == 303
    db.expire_all()  # the request changed it in a session of its own
    after = feed.get(db, publication_id)
    assert after is not None and after.item["version"] == version + 1
    assert _named(db, publication_id) == []
    assert after.item["contact"] is not None  # everything else as released
    # Erasure still finds the contact in the new version.
    newest = db.scalars(
        select(PublicationVersion).where(PublicationVersion.version == version + 1)
    ).one()
    assert newest.contact_account_id == scene.owner.id
    last = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == Channel.WEBHOOK)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert last is not None
    body = json.loads(last.payload["body"])
    assert body["type"] == "project.updated" and body["data"]["partner_municipalities"] == []
    assert "publication_partner_removed" in set(db.scalars(select(AuditEvent.action)))
    # A later release does not bring it back.
    publish(db, settings, scene, title="Ohne Partner")
    assert _named(db, publication_id) == []
