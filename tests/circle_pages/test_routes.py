"""Running a closed circle in the browser: a site moderator creates it and names its first
circle moderator, who invites and approves; members post a Vorhaben for the circle, and
leave. Every form is a plain POST behind CSRF."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.circles import repository as circle_repository
from app.circles.models import Circle
from app.outbox.models import OutboxMessage
from app.vorhaben.models import Visibility, Vorhaben
from tests import factories


def _mails_to(db: Session, person: factories.Account) -> list[dict[str, Any]]:
    return [
        message.payload
        for message in db.scalars(select(OutboxMessage))
        if message.payload["to"] == person.email
    ]


def _words(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def test_a_site_moderator_creates_a_circle_with_a_first_circle_moderator(
    client: TestClient, db: Session
) -> None:
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.MODERATOR)
    cdo = factories.account(db, "Carla Chefin")
    factories.login(client, db, staff)
    token = factories.csrf_token(client, "/kreise/neu")
    typed = {
        "csrf_token": token,
        "name": "CDO-Netzwerk",
        "description": "Rund **40** CDOs",
        "kind": "network",
    }
    # Enter in the search field runs the search (the typed search is not yet shown).
    found = client.post("/kreise/neu", data={**typed, "moderator_q": "Carla"})
    assert found.status_code == 200
    assert f'value="{cdo.id}"' in found.text and 'value="CDO-Netzwerk"' in found.text
    refused = client.post("/kreise/neu", data={**typed, "action": "create"})
    assert refused.status_code == 422
    assert "mindestens eine Kreismoderation" in refused.text
    assert 'value="CDO-Netzwerk"' in refused.text  # kept as typed
    no_csrf = {key: value for key, value in typed.items() if key != "csrf_token"}
    assert (
        client.post("/kreise/neu", data={**no_csrf, "moderators": str(cdo.id)}).status_code == 403
    )
    made = client.post(
        "/kreise/neu",
        data={**typed, "moderators": str(cdo.id), "action": "create"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    # The site moderator is not in the unlisted circle: its settings, not a 404, come next.
    assert re.fullmatch(r"/kreise/\d+/verwalten", made.headers["location"])
    circle_id = int(made.headers["location"].split("/")[2])
    settings_page = client.get(made.headers["location"])
    assert settings_page.status_code == 200 and "Der Kreis ist angelegt." in settings_page.text
    broken = client.post(
        "/kreise/neu",
        content=b'--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\nX',
        headers={"content-type": "multipart/form-data; boundary=zz", "X-CSRF-Token": token},
    )
    assert broken.status_code in {400, 422}  # a truncated body: a clear answer, no 500
    circle = db.get(Circle, circle_id)
    assert circle is not None and not circle.listed  # the box was not ticked
    row = circle_repository.membership(db, circle_id, cdo.id)
    assert row is not None and row.is_moderator
    # The site moderator is not in the circle: an unlisted circle is not theirs to read.
    assert client.get(f"/kreise/{circle_id}").status_code == 404


def test_a_member_cannot_create_circles(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    assert client.get("/kreise/neu").status_code == 403
    token = factories.csrf_token(client, "/kreise")
    assert "/kreise/neu" not in client.get("/kreise").text
    response = client.post("/kreise/neu", data={"csrf_token": token, "name": "X"})
    assert response.status_code == 403


def test_invite_accept_and_post_a_vorhaben_for_the_circle(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    guest = factories.account(db, "Gina Gast")
    circle = factories.circle(db, "AG Open Data", moderators=[lead], listed=False)
    factories.login(client, db, lead)
    page = client.get(f"/kreise/{circle.id}?q=Gina")
    assert page.status_code == 200 and "Gina Gast" in page.text
    token = factories.csrf_token(client, f"/kreise/{circle.id}")
    assert (
        client.post(f"/kreise/{circle.id}/einladen", data={"account_id": str(guest.id)}).status_code
        == 403
    )
    invited = client.post(
        f"/kreise/{circle.id}/einladen",
        data={"csrf_token": token, "account_id": str(guest.id)},
        follow_redirects=True,
    )
    assert invited.status_code == 200 and "Einladung ist verschickt" in invited.text
    [mail] = _mails_to(db, guest)
    assert mail["subject"] == "Einladung in den Kreis „AG Open Data“"
    assert f"/kreise/{circle.id}" in mail["text"] and "Lea Lead" in mail["text"]
    factories.login(client, db, guest)
    assert "AG Open Data" in client.get("/").text  # the invitation on the dashboard
    page = client.get(f"/kreise/{circle.id}")
    assert page.status_code == 200 and "Einladung annehmen" in page.text
    assert "Lea Lead" not in page.text  # no member list before joining
    token = factories.csrf_token(client, f"/kreise/{circle.id}")
    joined = client.post(
        f"/kreise/{circle.id}/einladung",
        data={"csrf_token": token, "decision": "accept"},
        follow_redirects=True,
    )
    assert joined.status_code == 200 and "Lea Lead" in joined.text
    form = client.get(f"/vorhaben/new?visibility=circle:{circle.id}").text
    assert f'value="circle:{circle.id}" checked' in form and "AG Open Data" in form
    created = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Offene Haushaltsdaten",
            "stage": "idee",
            "visibility": f"circle:{circle.id}",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    vorhaben = db.scalars(select(Vorhaben).where(Vorhaben.title == "Offene Haushaltsdaten")).one()
    assert vorhaben.visibility is Visibility.CIRCLE and vorhaben.circle_id == circle.id
    detail = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Nur für den Kreis „AG Open Data“ sichtbar" in _words(detail)
    assert "Offene Haushaltsdaten" in client.get(f"/kreise/{circle.id}").text
    assert "Offene Haushaltsdaten" in client.get("/").text  # the circle's overview


def test_the_vorhaben_form_refuses_a_circle_one_is_not_in(client: TestClient, db: Session) -> None:
    author = factories.account(db)
    other = factories.account(db)
    theirs = factories.circle(db, "Fremder Kreis", moderators=[other])
    factories.login(client, db, author)
    token = factories.csrf_token(client, "/vorhaben/new")
    for value in (f"circle:{theirs.id}", "public", "circle:abc"):
        response = client.post(
            "/vorhaben/new",
            data={
                "csrf_token": token,
                "title": "Mein Entwurf",
                "stage": "idee",
                "visibility": value,
            },
        )
        assert response.status_code == 422, value
        assert 'value="Mein Entwurf"' in response.text
        assert "Fremder Kreis" not in response.text
    assert db.scalars(select(Vorhaben).where(Vorhaben.title == "Mein Entwurf")).first() is None


def test_join_request_on_a_listed_circle_and_its_approval(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    asker = factories.account(db, "Arne Anfrage")
    circle = factories.circle(
        db, "Region Nord", moderators=[lead], description="Für den Norden", listed=True
    )
    secret = factories.vorhaben(db, lead, "Nordlicht-Plan", visibility=f"circle:{circle.id}")
    factories.login(client, db, asker)
    assert "Region Nord" in client.get("/kreise").text
    page = client.get(f"/kreise/{circle.id}")
    assert page.status_code == 200
    assert "Für den Norden" in page.text and "Um Aufnahme bitten" in page.text
    assert "Nordlicht-Plan" not in page.text and "Lea Lead" not in page.text
    token = factories.csrf_token(client, f"/kreise/{circle.id}")
    asked = client.post(
        f"/kreise/{circle.id}/anfrage", data={"csrf_token": token}, follow_redirects=True
    )
    assert asked.status_code == 200 and "Anfrage liegt der Moderation" in asked.text
    assert client.get(f"/vorhaben/{secret.id}").status_code == 404
    [mail] = _mails_to(db, lead)
    assert "Arne Anfrage bittet um Aufnahme" in mail["text"]
    assert "Nordlicht" not in str(mail)
    factories.login(client, db, lead)
    page = client.get(f"/kreise/{circle.id}")
    assert "Arne Anfrage" in page.text
    token = factories.csrf_token(client, f"/kreise/{circle.id}")
    client.post(
        f"/kreise/{circle.id}/anfragen/{asker.id}",
        data={"csrf_token": token, "decision": "approve"},
    )
    factories.login(client, db, asker)
    assert client.get(f"/vorhaben/{secret.id}").status_code == 200
    assert "Nordlicht-Plan" in client.get(f"/kreise/{circle.id}").text
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(circle.id))
    ).all()
    assert "circle_join_requested" in actions and "circle_request_approved" in actions


def test_the_last_circle_moderator_is_told_to_name_another_first(
    client: TestClient, db: Session
) -> None:
    lead = factories.account(db, "Lea Lead")
    member = factories.account(db, "Max Mitglied")
    circle = factories.circle(db, "Kreis", moderators=[lead], members=[member], listed=False)
    factories.login(client, db, lead)
    token = factories.csrf_token(client, f"/kreise/{circle.id}")
    refused = client.post(
        f"/kreise/{circle.id}/verlassen", data={"csrf_token": token}, follow_redirects=True
    )
    assert refused.status_code == 200 and "letzte Moderation" in refused.text
    client.post(
        f"/kreise/{circle.id}/mitglieder/{member.id}",
        data={"csrf_token": token, "action": "moderator"},
    )
    left = client.post(
        f"/kreise/{circle.id}/verlassen", data={"csrf_token": token}, follow_redirects=True
    )
    assert left.status_code == 200 and left.url.path == "/kreise"  # unlisted: back to the list
    assert circle_repository.membership(db, circle.id, lead.id) is None
    assert client.get(f"/kreise/{circle.id}").status_code == 404
