"""The leak replay (issue 19): every address a circle member reaches is replayed as a member
outside the circle (a colleague of the author's own municipality, and one of a third
municipality), an applicant and an anonymous visitor. Nothing of the circle's name (it is
unlisted) or content appears. The same for a Vorhaben shared with partner municipalities.

Every negative check has a positive control: the insider sees each secret on the same
address, and an open twin shows up for the outsiders where the secret must not."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.circles import repository as circle_repository
from app.circles import service as circles
from app.comments.models import Comment
from app.config import Settings
from app.notifications.delivery_check import still_meant_for
from app.notifications.models import Notification
from app.notifications.service import unread_count_column
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben.models import FieldOfAction, Vorhaben
from tests import factories

CIRCLE = "Zirkel Nordlicht"
CIRCLE_TEXT = "Zirkelbeschreibung vertraulich"
SECRET = "Geheimplan Quartiersgarage Nordstadt"
SECRET_COMMENT = "Quartiersgarage: Kosten noch offen"
OPEN = "Offene Quartiersgarage Südstadt"
PARTNERED = "Partnerplan Wasserstoffbus"
LEAKS = ("Nordlicht", "Zirkelbeschreibung", "Geheimplan", "Kosten noch offen")
PARTNER_LEAKS = ("Partnerplan", "Wasserstoffbus")


@dataclass
class Scene:
    lead: factories.Account  # circle moderator, author of the secret (town A)
    insider: factories.Account  # circle member (town B, also the partner town)
    colleague: factories.Account  # town A, not in the circle
    stranger: factories.Account  # town C
    applicant: factories.Account
    town_a: factories.Municipality
    circle_id: int
    secret: Vorhaben
    open: Vorhaben
    partnered: Vorhaben
    comment: Comment


def _words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _no_leak(html: str, where: str, markers: tuple[str, ...] = LEAKS) -> None:
    for marker in markers:
        assert marker not in html and marker not in _words(html), f"{marker!r} leaks on {where}"


@pytest.fixture
def scene(db: Session, settings: Settings) -> Scene:
    land = factories.municipality(db, "Nordland", level=factories.Level.LAND, kind_code=None)
    kreis = factories.municipality(
        db, "Landkreis Nord", level=factories.Level.KREIS, land=land, kind_code=44
    )
    town_a = factories.municipality(db, "Eigenstadt", land=land, kreis=kreis)
    town_b = factories.municipality(db, "Partnerstadt", land=land, kreis=kreis)
    town_c = factories.municipality(db, "Drittstadt", land=land, kreis=kreis)
    lead = factories.account(db, "Lea Lead", municipality=town_a)
    insider = factories.account(db, "Ines Insider", municipality=town_b)
    colleague = factories.account(db, "Conny Colleague", municipality=town_a)
    stranger = factories.account(db, "Stefan Stranger", municipality=town_c)
    applicant = factories.account(db, "Anton Antrag", state=factories.AccountState.PENDING)
    factories.application(db, applicant, town_a)
    circle = factories.circle(
        db, CIRCLE, moderators=[lead], members=[insider], listed=False, description=CIRCLE_TEXT
    )
    mobility = db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == "mobilitaet")).one()
    for person in (colleague, stranger):
        # Hears of every comment on the municipality's Vorhaben, and cares about mobility.
        preferences.save(db, person, "immediate", [str(mobility)], municipality_comments=True)
    common = {"summary": "Quartiersgarage mit Sensorik", "tags": "garage", "fields": ["mobilitaet"]}
    secret = factories.vorhaben(db, lead, SECRET, visibility=f"circle:{circle.id}", **common)  # type: ignore[arg-type]
    open_twin = factories.vorhaben(db, lead, OPEN, **common)  # type: ignore[arg-type]
    partnered = factories.vorhaben(
        db,
        lead,
        PARTNERED,
        summary="Wasserstoffbus für die Quartiersgarage",
        visibility="partners",
        partners=[town_b.ags],
    )
    for person in (colleague, stranger):
        cooperation.set_follow(db, person, open_twin.id, on=True)
    comment = factories.comment(db, insider, secret, SECRET_COMMENT)
    factories.comment(db, insider, open_twin, "Quartiersgarage: Kosten offen gelegt")
    return Scene(
        lead,
        insider,
        colleague,
        stranger,
        applicant,
        town_a,
        circle.id,
        secret,
        open_twin,
        partnered,
        comment,
    )


def _addresses(scene: Scene) -> list[tuple[str, dict[str, str]]]:
    """Every page and fragment where the insider meets the circle or its content."""
    htmx = {"HX-Request": "true"}
    secret, town = scene.secret.id, scene.town_a.ags
    return [
        ("/", {}),
        ("/kreise", {}),
        (f"/kreise/{scene.circle_id}", {}),
        (f"/vorhaben/{secret}", {}),
        (f"/vorhaben/{secret}/versionen", {}),
        (f"/vorhaben/{secret}/versionen/1", {}),
        (f"/vorhaben/{secret}/aehnlich", {}),
        (f"/vorhaben/{secret}/aehnlich", htmx),
        (f"/vorhaben/{scene.open.id}/aehnlich", htmx),
        (f"/kommentare/{scene.comment.id}/verlauf", {}),
        ("/vorhaben", {}),
        ("/vorhaben?sort=newest", {}),
        (f"/vorhaben?municipality={town}", {}),
        ("/vorhaben?field=mobilitaet", htmx | {"HX-Target": "results"}),
        ("/suche?q=quartiersgarage", {}),
        ("/suche?q=geheimplan", {}),
        ("/suche?q=kosten+noch+offen", {}),
        ("/vorhaben/aehnlich?title=Geheimplan+Quartiersgarage+Nordstadt", htmx),
        (f"/kommunen/{town}", {}),
        (f"/mitglieder/{scene.lead.id}", {}),
        (f"/mitglieder/{scene.insider.id}", {}),
        ("/benachrichtigungen", {}),
        ("/vorhaben/new", {}),
    ]


# Addresses of the circle and its content itself: a member outside gets 404, no page.
def _own(scene: Scene) -> set[str]:
    secret = scene.secret.id
    return {
        f"/kreise/{scene.circle_id}",
        f"/vorhaben/{secret}",
        f"/vorhaben/{secret}/versionen",
        f"/vorhaben/{secret}/versionen/1",
        f"/vorhaben/{secret}/aehnlich",
        f"/kommentare/{scene.comment.id}/verlauf",
    }


def test_the_insider_reaches_all_of_it(client: TestClient, db: Session, scene: Scene) -> None:
    """The positive control: each address answers the insider, and the circle's name or
    content is there on the ones that are about it."""
    factories.login(client, db, scene.insider)
    seen = ""
    for path, headers in _addresses(scene):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        seen += _words(response.text)
    for marker in LEAKS:
        assert marker in seen, marker
    assert SECRET in _words(client.get("/suche?q=geheimplan").text)
    assert CIRCLE in client.get("/").text  # the dashboard's overview of the circle
    assert SECRET in _words(client.get("/").text)
    factories.comment(db, scene.lead, scene.secret, "Neuer Stand im Kreis")
    assert (
        scene.secret.id
        in db.scalars(
            select(Notification.vorhaben_id).where(Notification.account_id == scene.insider.id)
        ).all()
    )


@pytest.mark.parametrize("who", ["colleague", "stranger"])
def test_a_member_outside_the_circle_sees_nothing_of_it(
    client: TestClient, db: Session, scene: Scene, who: str
) -> None:
    outsider = getattr(scene, who)
    factories.login(client, db, outsider)
    own = _own(scene)
    for path, headers in _addresses(scene):
        response = client.get(path, headers=headers)
        _no_leak(response.text, f"{path} as {who}")
        if path in own:
            assert response.status_code == 404, path
        else:
            assert response.status_code == 200, path
    assert OPEN in _words(client.get("/suche?q=quartiersgarage").text)  # the control
    assert OPEN in _words(client.get("/").text)
    token = factories.csrf_token(client, "/")
    for path, data in (
        (f"/kreise/{scene.circle_id}/anfrage", {}),
        (f"/kreise/{scene.circle_id}/einladung", {"decision": "accept"}),
        (f"/kreise/{scene.circle_id}/verlassen", {}),
        (f"/kreise/{scene.circle_id}/einladen", {"account_id": str(outsider.id)}),
        (f"/vorhaben/{scene.secret.id}/comments", {"body": "Hallo"}),
        (f"/vorhaben/{scene.secret.id}/folgen", {"action": "follow"}),
    ):
        response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 404, path
        _no_leak(response.text, path)
    assert circle_repository.membership(db, scene.circle_id, outsider.id) is None


@pytest.mark.parametrize("who", ["applicant", "anonymous"])
def test_applicants_and_visitors_see_nothing_of_it(
    client: TestClient, db: Session, scene: Scene, who: str
) -> None:
    if who == "applicant":
        factories.login(client, db, scene.applicant)
    for path, headers in _addresses(scene):
        response = client.get(path, headers=headers, follow_redirects=False)
        # (204: an htmx request, told where to go by its HX-Redirect header)
        assert response.status_code in {204, 303, 307, 401, 403}, path
        _no_leak(response.text, f"{path} as {who}")
        if response.status_code in {303, 307}:
            landing = client.get(response.headers["location"])
            _no_leak(landing.text, f"{path} as {who}, redirected")


def test_notifications_and_mails_keep_to_the_circle(
    db: Session, settings: Settings, scene: Scene
) -> None:
    # A follow that predates anything (say, from before the Vorhaben went into the circle).
    db.add(factories.Follow(account_id=scene.stranger.id, vorhaben_id=scene.secret.id))
    db.flush()
    factories.comment(db, scene.lead, scene.secret, "Neuer Stand zur Quartiersgarage")
    factories.comment(db, scene.lead, scene.open, "Neuer Stand zur offenen Garage")
    for outsider in (scene.colleague, scene.stranger):
        received = db.scalars(
            select(Notification.vorhaben_id).where(Notification.account_id == outsider.id)
        ).all()
        assert scene.open.id in received and scene.secret.id not in received
    mails = list(db.scalars(select(OutboxMessage)))
    outsiders = {scene.colleague.email, scene.stranger.email}
    assert any(m.payload["to"] in outsiders and OPEN in m.payload["text"] for m in mails)
    assert not any(m.payload["to"] in outsiders and "Geheimplan" in str(m.payload) for m in mails)
    # A mail to the insider not yet sent when they leave the circle stays unsent.
    [queued] = [
        m
        for m in mails
        if m.payload["to"] == scene.insider.email and "Geheimplan" in str(m.payload)
    ]
    assert still_meant_for(db, queued.payload["about"])
    # The page header's unread count, read as a column beside the account (the session
    # lookup): it counts the circle's notification only while the insider is in it.
    header = (
        select(unread_count_column())
        .select_from(factories.Account)
        .where(factories.Account.id == scene.insider.id)
    )
    insider_count = db.scalar(header)
    circles.leave(db, scene.insider, db.get(factories.Circle, scene.circle_id))  # type: ignore[arg-type]
    assert not still_meant_for(db, queued.payload["about"])
    assert db.scalar(header) == (insider_count or 0) - 1


def test_a_vorhaben_for_partners_reaches_the_partner_town_and_no_third(
    client: TestClient, db: Session, scene: Scene
) -> None:
    partnered = scene.partnered.id
    addresses = [
        ("/vorhaben", {}),
        ("/suche?q=wasserstoffbus", {}),
        (f"/kommunen/{scene.town_a.ags}", {}),
        (f"/mitglieder/{scene.lead.id}", {}),
        ("/vorhaben/aehnlich?title=Partnerplan+Wasserstoffbus", {"HX-Request": "true"}),
        (f"/vorhaben/{scene.open.id}/aehnlich", {"HX-Request": "true"}),
    ]
    for reader in (scene.insider, scene.colleague):  # the partner town and the owner's own
        factories.login(client, db, reader)
        assert client.get(f"/vorhaben/{partnered}").status_code == 200
        assert PARTNERED in _words(client.get("/suche?q=wasserstoffbus").text)
        assert PARTNERED in _words(client.get("/vorhaben").text)
    factories.login(client, db, scene.stranger)
    for path, headers in addresses:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        _no_leak(response.text, path, PARTNER_LEAKS)
    for path in (f"/vorhaben/{partnered}", f"/vorhaben/{partnered}/versionen"):
        response = client.get(path)
        assert response.status_code == 404, path
        _no_leak(response.text, path, PARTNER_LEAKS)
