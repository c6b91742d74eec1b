"""The new-Vorhaben form starts short (title, summary, stage, fields of action, visibility);
the rest waits behind "Weitere Angaben", opened where it is needed. No lessons-learned
question for an idea."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.vorhaben.models import FieldOfAction, Vorhaben
from tests import factories

SHORT = ("title", "summary", "stage", "fields_of_action", "visibility")
LATER = (
    "description",
    "tags",
    "looking_for_partners",
    "uses_ai",
    "open_source",
    "license",
    "repository_url",
    "website_url",
    "funding_programme",
    "start_date",
    "end_date",
    "partner_q",
)


def _parts(html: str) -> tuple[str, str, str]:
    """The form before "Weitere Angaben", the <details> element's opening tag, its body.

    The body ends at the form's last ``</details>``: the AI record is a <details> inside it.
    """
    form = html.split('action="/vorhaben/', 1)[1].split("</form>", maxsplit=1)[0]
    before, rest = form.split("<details", 1)
    tag, body = rest.split(">", 1)
    return before, tag, body.rsplit("</details>", 1)[0]


def _names(html: str) -> set[str]:
    return set(re.findall(r'name="([a-z_]+)"', html))


def _lessons_field(html: str) -> str:
    return (
        html.split("data-hidden-for-stage", 1)[0].rsplit("<div", 1)[1]
        + html.split("data-hidden-for-stage", 1)[1].split(">", 1)[0]
    )


def test_a_new_idea_asks_for_five_things_first(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db, "Frida Form"))
    page = client.get("/vorhaben/new").text
    before, tag, later = _parts(page)
    assert set(SHORT) <= _names(before)
    assert not set(LATER) & _names(before)
    assert set(LATER) <= _names(later)
    assert " open" not in tag
    assert "Weitere Angaben" in later.split("</summary>")[0]
    # The lessons-learned question is not put to an idea.
    assert 'name="lessons_learned"' in before
    assert " hidden" in _lessons_field(before)


def test_an_idea_is_saved_from_the_short_form_alone(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db, "Frida Form"))
    token = factories.csrf_token(client, "/vorhaben/new")
    field = db.scalars(select(FieldOfAction.id).limit(1)).one()
    created = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Vage Idee: Chatbot fürs Bürgerbüro",
            "summary": "Noch ganz am Anfang.",
            "stage": "idee",
            "fields_of_action": str(field),
            "visibility": "members",
            "action": "save",
        },
    )
    assert created.status_code == 303
    vorhaben = db.scalars(select(Vorhaben).where(Vorhaben.title.startswith("Vage Idee"))).one()
    assert created.headers["location"] == f"/vorhaben/{vorhaben.id}"


def test_more_opens_where_it_is_needed(client: TestClient, db: Session) -> None:
    author = factories.account(db, "Frida Form")
    factories.login(client, db, author)
    token = factories.csrf_token(client, "/vorhaben/new")
    refused = client.post(
        "/vorhaben/new",
        data={"csrf_token": token, "title": "X", "stage": "idee", "website_url": "kein-link"},
    )
    assert refused.status_code == 422
    _before, tag, later = _parts(refused.text)
    assert " open" in tag and 'value="kein-link"' in later
    # A Vorhaben that has come some way is edited with everything in sight.
    pilot = factories.vorhaben(db, author, "Im Pilot", stage="pilot")
    before, tag, _later = _parts(client.get(f"/vorhaben/{pilot.id}/bearbeiten").text)
    assert " open" in tag
    assert " hidden" not in _lessons_field(before)
    idea = factories.vorhaben(db, author, "Nur eine Idee")
    _before, tag, _later = _parts(client.get(f"/vorhaben/{idea.id}/bearbeiten").text)
    assert " open" not in tag
