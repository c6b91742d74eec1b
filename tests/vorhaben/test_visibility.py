"""A Vorhaben restricted to its municipality is invisible to everyone else, everywhere:
list, detail, versions, search, similar suggestions, comments, signals, follows, reports,
publication, notifications, mails and digests, dashboard, municipality and member pages.

Every negative check has a positive control: the outsider lives in the same Land and Kreis,
cares about the same field of action and follows the same kind of Vorhaben, so an open twin
of the secret one does show up on each surface where the secret one must not."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.accounts.models import MailMode
from app.comments.models import Comment
from app.config import Settings
from app.core import clock
from app.dashboard import service as dashboard
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation, service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import FieldOfAction, Vorhaben
from tests import factories

pytestmark = pytest.mark.commits

SECRET = "Geheimplan Quartiersgarage Nordstadt"
SECRET_COMMENT = "Quartiersgarage: Kosten noch offen"
OPEN = "Offene Quartiersgarage Südstadt"
OPEN_COMMENT = "Quartiersgarage: Kosten der Südstadt offen gelegt"
LEAKS = ("Geheimplan", "Kosten noch offen")


@dataclass
class Scene:
    owner: factories.Account
    colleague: factories.Account
    outsider: factories.Account
    secret: Vorhaben
    open: Vorhaben
    secret_comment: Comment
    open_comment: Comment


def _words(html: str) -> str:
    """The text of a page without tags (search results highlight inside words)."""
    return re.sub(r"<[^>]+>", "", html)


def _no_leak(html: str, where: str) -> None:
    for marker in LEAKS:
        assert marker not in html and marker not in _words(html), f"{marker!r} leaks on {where}"


@pytest.fixture
def setting(db: Session, settings: Settings) -> Scene:
    land = factories.municipality(db, "Nordland", level=factories.Level.LAND, kind_code=None)
    kreis = factories.municipality(
        db, "Landkreis Nord", level=factories.Level.KREIS, land=land, kind_code=44
    )
    owner_town = factories.municipality(db, "Eigenstadt", land=land, kreis=kreis)
    other_town = factories.municipality(db, "Fremdstadt", land=land, kreis=kreis)
    owner = factories.account(db, "Olga Owner", municipality=owner_town)
    colleague = factories.account(db, "Conny Colleague", municipality=owner_town)
    outsider = factories.account(db, "Otto Outsider", municipality=other_town)
    mobility = db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == "mobilitaet")).one()
    preferences.save(db, outsider, "immediate", [str(mobility)])
    common = {"summary": "Quartiersgarage mit Sensorik", "tags": "garage", "fields": ["mobilitaet"]}
    secret = factories.vorhaben(db, owner, SECRET, visibility="municipality", **common)  # type: ignore[arg-type]
    open_twin = factories.vorhaben(db, owner, OPEN, **common)  # type: ignore[arg-type]
    cooperation.set_follow(db, outsider, open_twin.id, on=True)
    secret_comment = factories.comment(db, colleague, secret, SECRET_COMMENT)
    open_comment = factories.comment(db, colleague, open_twin, OPEN_COMMENT)
    return Scene(owner, colleague, outsider, secret, open_twin, secret_comment, open_comment)


def test_the_owning_municipality_sees_it(client: TestClient, db: Session, setting: Scene) -> None:
    factories.login(client, db, setting.colleague)
    assert SECRET in client.get("/vorhaben").text
    assert client.get(f"/vorhaben/{setting.secret.id}").status_code == 200
    assert "Geheimplan" in client.get("/suche?q=quartiersgarage").text


def test_the_dashboard_shows_the_open_twin_but_not_the_secret(
    client: TestClient, db: Session, setting: Scene
) -> None:
    board = dashboard.build(db, setting.outsider)
    assert board.land_name == "Nordland"
    assert setting.open.id in {v.id for v in board.new_in_land}
    assert setting.open.id in {v.id for v in board.in_my_fields}
    assert setting.open.id in {entry.vorhaben_id for entry in board.followed_activity}
    assert setting.secret.id not in {v.id for v in board.new_in_land}
    assert setting.secret.id not in {v.id for v in board.in_my_fields}
    assert setting.secret.id not in {entry.vorhaben_id for entry in board.followed_activity}
    factories.login(client, db, setting.outsider)
    page = client.get("/").text
    assert OPEN in page
    _no_leak(page, "dashboard")


def test_another_municipality_sees_it_on_no_page(
    client: TestClient, db: Session, setting: Scene
) -> None:
    owner = setting.owner
    town = db.get(factories.Municipality, owner.municipality_id)
    assert town is not None
    factories.login(client, db, setting.outsider)
    htmx = {"HX-Request": "true"}
    pages = [
        ("/", {}),
        ("/vorhaben", {}),
        ("/vorhaben?sort=newest", {}),
        (f"/vorhaben?municipality={town.ags}", {}),
        ("/vorhaben?field=mobilitaet", htmx | {"HX-Target": "results"}),
        ("/suche?q=quartiersgarage", {}),
        ("/suche?q=garage", {}),
        ("/suche?q=kosten+offen", {}),  # both comments match: only the open one's is shown
        ("/vorhaben/aehnlich?title=Quartiersgarage+Nordstadt", htmx),
        (f"/kommunen/{town.ags}", {}),
        (f"/mitglieder/{owner.id}", {}),
        ("/benachrichtigungen", {}),
    ]
    for page, headers in pages:
        response = client.get(page, headers=headers)
        assert response.status_code == 200, page
        _no_leak(response.text, page)
        assert OPEN in _words(response.text), f"control missing on {page}"
    # The similar panel of the new-Vorhaben form, as re-rendered after a partner search.
    token = factories.csrf_token(client, "/vorhaben/new")
    form = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Quartiersgarage Nordstadt",
            "summary": "Sensorik",
            "action": "partner_search",
        },
    )
    assert form.status_code == 200 and OPEN in form.text
    _no_leak(form.text.replace('value="Quartiersgarage Nordstadt"', ""), "the new form")


def test_the_similar_panel_of_a_vorhaben_page_keeps_to_the_reader(
    client: TestClient, db: Session, setting: Scene
) -> None:
    """The detail page loads its similar Vorhaben afterwards (htmx, or a page of their own
    without JavaScript): the secret twin is among them for its municipality only."""
    path = f"/vorhaben/{setting.open.id}/aehnlich"
    factories.login(client, db, setting.colleague)
    fragment = client.get(path, headers={"HX-Request": "true"}).text
    page = client.get(path).text
    assert SECRET in fragment and SECRET in page  # the control
    assert "<html" not in fragment and "<h1>Ähnliche Vorhaben: " in page
    factories.login(client, db, setting.outsider)
    detail = client.get(f"/vorhaben/{setting.open.id}").text
    assert f'hx-get="{path}"' in detail and f'href="{path}"' in detail
    for headers in ({"HX-Request": "true"}, {}):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        _no_leak(response.text, path)


def test_another_municipality_cannot_reach_it_by_address(
    client: TestClient, db: Session, setting: Scene
) -> None:
    factories.login(client, db, setting.outsider)
    token = factories.csrf_token(client, "/")
    secret, open_twin = setting.secret.id, setting.open.id
    # (path, what the outsider gets on the open twin): anything but 404 proves the route.
    gets = [
        ("/vorhaben/{}", 200),
        ("/vorhaben/{}/versionen", 200),
        ("/vorhaben/{}/versionen/1", 200),
        ("/vorhaben/{}/aehnlich", 200),
        ("/vorhaben/{}/melden", 200),
        ("/vorhaben/{}/publication", 200),
        ("/vorhaben/{}/bearbeiten", 403),
        ("/vorhaben/{}/loeschen", 403),
    ]
    for path, control in gets:
        assert client.get(path.format(open_twin)).status_code == control, path
        response = client.get(path.format(secret))
        assert response.status_code == 404, path
        _no_leak(response.text, path)
    for path, data in (
        ("/vorhaben/{}/bearbeiten", {"title": "x", "stage": "idee"}),
        ("/vorhaben/{}/loeschen", {}),
        ("/vorhaben/{}/publication", {"action": "save", "title": "x"}),
        ("/vorhaben/{}/comments", {"body": "Hallo"}),
        ("/vorhaben/{}/signale", {"kind": "interested"}),
        ("/vorhaben/{}/folgen", {"action": "follow"}),
        ("/vorhaben/{}/melden", {"category": "spam"}),
    ):
        response = client.post(path.format(secret), data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    for path, data, control in (
        ("/vorhaben/{}/bearbeiten", {"title": "x", "stage": "idee"}, 403),
        ("/vorhaben/{}/loeschen", {}, 403),
        ("/vorhaben/{}/publication", {"action": "save", "title": "x"}, 403),
        ("/vorhaben/{}/comments", {"body": "Hallo"}, 303),
        ("/vorhaben/{}/signale", {"kind": "interested"}, 303),
        ("/vorhaben/{}/folgen", {"action": "follow"}, 303),
        ("/vorhaben/{}/melden", {"category": "spam"}, 303),
    ):
        response = client.post(path.format(open_twin), data={"csrf_token": token, **data})
        assert response.status_code == control, path


def test_another_municipality_cannot_reach_its_comments(
    client: TestClient, db: Session, setting: Scene
) -> None:
    factories.login(client, db, setting.outsider)
    token = factories.csrf_token(client, "/")
    secret, open_one = setting.secret_comment.id, setting.open_comment.id
    for path, control in (
        ("/kommentare/{}", 303),
        ("/kommentare/{}/verlauf", 200),
        ("/kommentare/{}/melden", 200),
        ("/kommentare/{}/bearbeiten", 403),  # not the author: the route is there, though
    ):
        assert client.get(path.format(open_one)).status_code == control, path
        response = client.get(path.format(secret), headers={"HX-Request": "true"})
        assert response.status_code == 404, path
        _no_leak(response.text, path)
    for path, data, control in (
        ("/kommentare/{}/bearbeiten", {"body": "Übernommen"}, 403),
        ("/kommentare/{}/loeschen", {}, 403),
        ("/kommentare/{}/melden", {"category": "spam"}, 303),
    ):
        response = client.post(path.format(secret), data={"csrf_token": token, **data})
        assert response.status_code == 404, path
        response = client.post(path.format(open_one), data={"csrf_token": token, **data})
        assert response.status_code == control, path


def test_notifications_and_mails_never_reach_another_municipality(
    db: Session, settings: Settings, setting: Scene
) -> None:
    secret = setting.secret
    outsider = setting.outsider
    # Even a follow row that predates a visibility change does not leak anything.
    db.add(factories.Follow(account_id=outsider.id, vorhaben_id=secret.id))
    db.flush()
    factories.comment(db, setting.owner, secret, "Neuer Stand zur Quartiersgarage")
    factories.comment(db, setting.owner, setting.open, "Neuer Stand zur offenen Garage")
    received = db.scalars(
        select(Notification.vorhaben_id).where(Notification.account_id == outsider.id)
    ).all()
    assert setting.open.id in received and secret.id not in received
    mails = list(db.scalars(select(OutboxMessage.payload)))
    to_outsider = [mail for mail in mails if mail["to"] == outsider.email]
    assert any(OPEN in mail["text"] for mail in to_outsider)
    assert not any("Geheimplan" in str(mail) for mail in to_outsider)
    assert any(mail["to"] == setting.colleague.email for mail in mails)


def _own_comment_paths(comment_id: int) -> list[str]:
    return [f"/kommentare/{comment_id}/bearbeiten", f"/kommentare/{comment_id}/verlauf"]


def test_making_a_vorhaben_private_hides_it_from_earlier_followers(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    outsider = factories.account(db, "Otto")
    public = factories.vorhaben(db, owner, "Offenes Vorhaben Stadtpark-WLAN")
    own = factories.comment(db, outsider, public, "Interessant!")  # the outsider now follows
    factories.login(client, db, outsider)
    token = factories.csrf_token(client, "/")
    for path in _own_comment_paths(own.id):  # positive control: the author's own comment
        assert client.get(path).status_code == 200, path
    form = service.form_from(service.get(db, owner, public.id))
    form.visibility = "municipality"
    service.update(db, settings, owner, public.id, form)
    factories.comment(db, owner, public, "Jetzt nur noch intern")
    assert "Stadtpark-WLAN" not in client.get("/benachrichtigungen").text
    assert client.get(f"/vorhaben/{public.id}").status_code == 404
    assert "Stadtpark-WLAN" not in client.get("/").text
    for path in _own_comment_paths(own.id):
        assert client.get(path).status_code == 404, path
    for path, data in (
        (f"/kommentare/{own.id}/bearbeiten", {"body": "Nachträglich"}),
        (f"/kommentare/{own.id}/loeschen", {}),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    assert db.get(Comment, own.id).body == "Interessant!"  # type: ignore[union-attr]


def test_the_digest_leaves_out_what_went_private_after_it_was_followed(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    outsider = factories.account(db, "Otto Digest")
    outsider.mail_mode = MailMode.DIGEST
    going = factories.vorhaben(db, owner, "Bald intern: Schulbus-Tracking")
    staying = factories.vorhaben(db, owner, "Bleibt offen: Radwege-Melder")
    for vorhaben in (going, staying):
        cooperation.set_follow(db, outsider, vorhaben.id, on=True)
        factories.comment(db, owner, vorhaben, "Neuigkeiten")
    pending = db.scalars(
        select(Notification.vorhaben_id).where(Notification.account_id == outsider.id)
    ).all()
    assert set(pending) == {going.id, staying.id}  # both were visible when they happened
    form = service.form_from(service.get(db, owner, going.id))
    form.visibility = "municipality"
    service.update(db, settings, owner, going.id, form)
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert notifications.send_digests(db, settings) == 1
    [digest] = [
        mail for mail in db.scalars(select(OutboxMessage.payload)) if mail["to"] == outsider.email
    ]
    assert "Radwege-Melder" in digest["text"]
    assert "Schulbus" not in str(digest)


def test_the_visibility_field_only_takes_the_two_values(db: Session, settings: Settings) -> None:
    owner = factories.account(db)
    with pytest.raises(factories.ValidationFailed) as caught:
        service.create(db, settings, owner, VorhabenForm(title="X", visibility="public"))
    assert "visibility" in caught.value.errors
