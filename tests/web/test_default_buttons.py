"""Enter in a field presses the form's default button: the first submit button in document
order whose form is that form. Every form of the product, on every page that shows one,
keeps to these rules, so a new side button cannot take the main action's place:

- A form whose submit buttons do different things marks its main action with
  `data-default`, and that button comes first. A side button (a search, "save without")
  comes after it, or the form starts with a hidden copy of the main action
  (`forms.default_button`).
- The default button of such a form is never destructive (`button--danger`): Enter does
  the safe thing. A form with a single destructive button exists for that action alone.
- A hidden copy of the main action is out of the tab order and hidden from screen readers
  (`tabindex="-1"`, `aria-hidden="true"`), and the form shows the same action visibly.
- The state of a POST form never goes into a URL: no button switches it to GET, and no GET
  form carries the CSRF token.

The pages come from walking every HTML route as an admin and from the pages only other
roles, states and refused forms show; every template with a form must have been seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import Template
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Role
from app.auth.access import iter_routes
from app.config import Settings
from app.dates import service as dates
from app.dates.forms import TerminForm
from app.export import partners
from app.export import service as publications
from app.membership import changes as membership_changes
from app.membership import domains
from app.membership import service as membership
from app.messages import moderation as message_moderation
from app.messages import service as messages
from app.messages.models import Message
from app.moderation import reports
from app.municipalities.models import Municipality
from app.topics import service as topics
from app.vorhaben import cooperation
from app.web import templating
from tests import factories
from tests.publishing import form_of, make_scene, publish

# -- reading the forms of a page --------------------------------------------------------------

SUBMIT_INPUTS = {"submit", "image"}
# What decides what pressing a button does (formnovalidate only skips the browser's checks).
SUBMISSION_ATTRIBUTES = ("formaction", "formmethod", "formenctype", "formtarget")


@dataclass
class SubmitButton:
    attrs: dict[str, str]
    label: str = ""

    @property
    def signature(self) -> tuple[str, ...]:
        name = self.attrs.get("name", "")
        value = self.attrs.get("value", "") if name else ""
        return (name, value, *(self.attrs.get(a, "").lower() for a in SUBMISSION_ATTRIBUTES))

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def hidden_copy(self) -> bool:
        return "visually-hidden" in self.classes or "hidden" in self.attrs

    def __str__(self) -> str:
        return f"„{self.label}“ {self.signature[:2]}"


@dataclass
class Form:
    method: str
    action: str
    fields: list[str] = field(default_factory=list)
    buttons: list[SubmitButton] = field(default_factory=list)

    def __str__(self) -> str:
        return f"<form method={self.method} action={self.action}>"


class _FormParser(HTMLParser):
    """Forms with their fields and submit buttons in document order; a `form` attribute
    assigns an element to the form with that id, wherever it stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._by_id: dict[str, Form] = {}
        self._current: Form | None = None
        # (owner form or the id it names, the element) in document order.
        self._elements: list[tuple[Form | str, str | SubmitButton]] = []
        self._button: SubmitButton | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._current = Form(values.get("method", "get").lower(), values.get("action", ""))
            self.forms.append(self._current)
            if "id" in values:
                self._by_id[values["id"]] = self._current
            return
        if tag not in {"button", "input", "select", "textarea"}:
            return
        owner: Form | str | None = values.get("form") or self._current
        element: str | SubmitButton | None = None
        if tag == "button" and values.get("type", "submit").lower() == "submit":
            element = self._button = SubmitButton(values)
        elif tag == "input" and values.get("type", "text").lower() in SUBMIT_INPUTS:
            element = SubmitButton(values, values.get("value", ""))
        elif "name" in values:
            element = values["name"]
        if owner is not None and element is not None:
            self._elements.append((owner, element))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "button" and self._button is not None:
            self._button.label = " ".join(self._button.label.split())
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.label += data

    def read(self, html: str) -> list[Form]:
        self.feed(html)
        self.close()
        for owner, element in self._elements:
            form = self._by_id.get(owner) if isinstance(owner, str) else owner
            assert form is not None, f"an element names a form that is not there: {owner}"
            if isinstance(element, SubmitButton):
                form.buttons.append(element)
            else:
                form.fields.append(element)
        return self.forms


def forms_of(html: str) -> list[Form]:
    return _FormParser().read(html)


def problems_of(form: Form) -> list[str]:
    """What is wrong with a form's buttons (empty when nothing is)."""
    found: list[str] = []
    if form.method == "get" and "csrf_token" in form.fields:
        found.append("a GET form carries the CSRF token into its URL")
    for button in form.buttons:
        if form.method == "post" and button.attrs.get("formmethod", "").lower() == "get":
            found.append(f"{button} sends the POST form's fields (CSRF token) in a URL")
        if button.hidden_copy:
            if button.attrs.get("tabindex") != "-1" or button.attrs.get("aria-hidden") != "true":
                found.append(f"hidden {button} is a tab stop or read out")
            if "data-default" not in button.attrs:
                found.append(f"hidden {button} is not the default copy of the main action")
            if not any(
                other.signature == button.signature and not other.hidden_copy
                for other in form.buttons
            ):
                found.append(f"hidden {button} has no visible twin")
    if len({button.signature for button in form.buttons}) < 2:
        return found
    first = form.buttons[0]
    if "data-default" not in first.attrs:
        found.append(
            f"Enter presses {first}, which is not the main action: mark the main action "
            "data-default and put it first (or start with forms.default_button)"
        )
    if "button--danger" in first.classes:
        found.append(f"Enter presses the destructive {first}")
    for button in form.buttons[1:]:
        if "data-default" in button.attrs and button.signature != first.signature:
            found.append(f"the main action {button} is not the first submit button")
    return found


# -- the unit itself --------------------------------------------------------------------------


def _page(*buttons: str, method: str = "post", before: str = "", after: str = "") -> str:
    return (
        f'{before}<form method="{method}" action="/x" id="f">'
        '<input name="csrf_token"><input name="title">'
        f"{''.join(buttons)}</form>{after}"
    )


MAIN = '<button name="action" value="save" data-default>Speichern</button>'
HIDDEN_MAIN = (
    '<button name="action" value="save" class="visually-hidden" tabindex="-1" '
    'aria-hidden="true" data-default>Speichern</button>'
)
SEARCH = '<button name="action" value="search" class="button--secondary">Suchen</button>'


@pytest.mark.parametrize(
    ("html", "complaint"),
    [
        (_page(SEARCH, MAIN), "Enter presses „Suchen“"),
        (_page(SEARCH.replace("search", "save"), MAIN), ""),  # the same action twice
        (_page(MAIN, SEARCH), ""),
        (_page(HIDDEN_MAIN, SEARCH, MAIN), ""),
        (_page(HIDDEN_MAIN.replace(' tabindex="-1"', ""), SEARCH, MAIN), "is a tab stop"),
        (_page(HIDDEN_MAIN, SEARCH), "has no visible twin"),
        (_page(SEARCH, MAIN.replace("<button", '<button form="f"'), after=""), "Enter presses"),
        # A button outside the form that names it belongs to it, in document order.
        (_page(SEARCH, before='<button form="f" name="action" value="save">S</button>'), "main"),
        (
            _page('<button type="submit" formmethod="get" formaction="/x">Suchen</button>', MAIN),
            "in a URL",
        ),
        (_page("<button>Suchen</button>", method="get"), "CSRF token"),
        (
            _page(
                '<button name="d" value="decline" class="button--danger" data-default>N</button>',
                '<button name="d" value="approve">J</button>',
            ),
            "destructive",
        ),
        (_page('<button class="button--danger">Konto löschen</button>'), ""),
        (_page('<button type="button">Vorschau</button><input type="submit" value="S">'), ""),
    ],
)
def test_the_rules_find_what_they_describe(html: str, complaint: str) -> None:
    found = [problem for form in forms_of(html) for problem in problems_of(form)]
    if complaint:
        assert any(complaint in problem for problem in found), found
    else:
        assert found == []


# -- every page with a form -------------------------------------------------------------------


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"dev_login": True, "webhooks_allow_private": True}


@dataclass
class Everything:
    """One of everything a page with a form can show, and who sees it."""

    admin: Account
    moderator: Account
    owner: Account
    other: Account
    newcomer: Account
    asked: Account
    contact: Account
    ids: dict[str, str]


@pytest.fixture
def everything(db: Session, settings: Settings) -> Everything:
    scene = make_scene(db)
    owner, moderator, vorhaben = scene.owner, scene.moderator, scene.vorhaben
    admin = factories.account(db, "Anton Admin", role=Role.ADMIN)
    other = factories.account(db, "Otto Other")
    publication = publish(db, settings, scene)
    change = form_of(db, scene)
    change.summary = "Neu: mit Bauvorlagen"
    publications.submit(db, settings, owner, vorhaben.id, change)
    # A thread: a comment, a reply, a comment hidden by the moderation (its author may ask
    # for a review), and a report waiting for a decision.
    first = factories.comment(db, other, vorhaben, "Wie habt ihr das gelöst?")
    factories.comment(db, owner, vorhaben, "Mit einem Formularserver.", parent=first)
    hidden = factories.comment(db, other, vorhaben, "Kauft bei uns!")
    reports.decide(db, settings, moderator, "comment", hidden.id, "hide", "Werbung")
    reports.report(db, settings, owner, "comment", first.id, "other", "Veraltet")
    theirs = factories.vorhaben(db, other, "Eigene Werbung")
    reports.decide(db, settings, moderator, "vorhaben", theirs.id, "hide", "Werbung")
    cooperation.set_signal(db, settings, other, vorhaben.id, "reuse", on=True)
    # Applicants: one yet to apply, one the moderation asked a question.
    newcomer = factories.account(db, "Nina Neu", state=AccountState.PENDING)
    asked = factories.account(db, "Ali Antrag", state=AccountState.PENDING)
    application = factories.application(db, asked)
    membership.decide(db, settings, moderator, application.id, "request_info", "Welches Amt?")
    waiting = factories.application(
        db, factories.account(db, "Wanda Wartend", state=AccountState.PENDING)
    )
    partner, _key = partners.create(db, "Civic Platform")
    endpoint, _secret = partners.add_webhook(db, settings, partner, "http://127.0.0.1:9/hook")
    kiel = factories.municipality(db, "Kiel", ags="01002000")
    domains.add(db, moderator, kiel.ags, "kiel.de")
    # A contact person of the waiting applicant's municipality, and a requested change.
    contact = factories.account(
        db, "Konrad Kontakt", municipality=db.get(Municipality, waiting.municipality_id)
    )
    contact.local_contact = True
    job = membership_changes.request_change(
        db, other, membership_changes.ChangeForm(position="Amtsleitung")
    )
    kgst = factories.organisation(db, "KGSt")
    # A circle the admin moderates (its page has the invite and member forms); the newcomer
    # is outside it (the join request form).
    circle = factories.circle(db, "AG Formulare", moderators=[admin], members=[owner])
    topic = topics.create(db, admin, circle.id, "Formulare im Kreis", "Worüber wir reden.")
    # A conversation the admin takes part in, with a message of the other's the admin reported.
    conversation = messages.start(db, settings, other, [str(admin.id)], "Hallo")
    message_id = db.scalars(
        select(Message.id).where(Message.conversation_id == conversation.id)
    ).first()
    assert message_id is not None
    message_moderation.report(db, admin, message_id, "Bitte ansehen")
    termin = dates.add(db, owner, vorhaben.id, TerminForm(title="Treffen", start_date="2027-06-10"))
    db.flush()
    return Everything(
        admin=admin,
        moderator=moderator,
        owner=owner,
        other=other,
        newcomer=newcomer,
        asked=asked,
        contact=contact,
        ids={
            "change_id": str(job.id),
            "vorhaben_id": str(vorhaben.id),
            "number": "1",
            "comment_id": str(first.id),
            "ags": kiel.ags,
            "account_id": str(other.id),
            "application_id": str(waiting.id),
            "publication_id": publication.id,
            "project_id": publication.id,
            "partner_id": str(partner.id),
            "endpoint_id": str(endpoint.id),
            "hidden_comment_id": str(hidden.id),
            "hidden_vorhaben_id": str(theirs.id),
            "organisation_id": str(kgst.id),
            "circle_id": str(circle.id),
            "topic_id": str(topic.id),
            "conversation_id": str(conversation.id),
            "message_id": str(message_id),
            "termin_id": str(termin.id),
        },
    )


@pytest.fixture
def rendered_templates(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The name of every template loaded while rendering (pages, includes, imports)."""
    names: set[str] = set()
    environment = templating.environment
    original: Callable[..., Template] = environment.get_template

    def recording(name: str | Template, *args: Any, **kwargs: Any) -> Template:
        names.add(name if isinstance(name, str) else str(name.name))
        return original(name, *args, **kwargs)

    monkeypatch.setattr(environment, "get_template", recording)
    return names


def _templates_with_forms() -> set[str]:
    found = set()
    for path in templating.TEMPLATES_DIR.rglob("*.html"):
        relative = path.relative_to(templating.TEMPLATES_DIR).as_posix()
        if not relative.startswith("email/") and "<form" in path.read_text(encoding="utf-8"):
            found.add(relative)
    return found


def _admin_walk(app: FastAPI, ids: dict[str, str]) -> Iterator[str]:
    """Every GET route of an HTML page, its path filled with ids that exist."""
    for route in iter_routes(app):
        if route.method != "GET" or "{provider}" in route.path or route.path.startswith("/api"):
            continue
        if route.path.startswith(("/static", "/feeds")):
            continue
        yield re.sub(
            r"\{(\w+)(?::\w+)?\}",
            lambda match: ids.get(match.group(1), "1"),
            route.path.replace("{target_type}", "comment"),
        )


def _visits(scene: Everything) -> list[tuple[Account, str, str, dict[str, str]]]:
    """(who, method, path, form) for what the admin's walk does not show."""
    ids = scene.ids
    vorhaben = f"/vorhaben/{ids['vorhaben_id']}"
    lessons = {"title": "Zu Ende", "stage": "abgeschlossen", "visibility": "members"}
    return [
        (scene.owner, "GET", "/", {}),
        (scene.owner, "GET", vorhaben, {}),
        (scene.owner, "GET", "/benachrichtigungen", {}),
        (scene.owner, "POST", "/benachrichtigungen/themen", {"kind": "tag", "key": "gis"}),
        (scene.owner, "GET", f"{vorhaben}/bearbeiten", {}),
        (scene.owner, "GET", f"{vorhaben}/loeschen", {}),
        (scene.owner, "GET", f"{vorhaben}/termine/neu", {}),
        (scene.owner, "POST", f"{vorhaben}/termine/neu", {"title": "", "start_date": "x"}),
        (scene.owner, "GET", f"{vorhaben}/publication", {}),
        (scene.owner, "POST", f"{vorhaben}/publication", {"title": ""}),
        (scene.owner, "POST", "/vorhaben/new", lessons),
        (scene.owner, "POST", f"{vorhaben}/bearbeiten", {**lessons, "version": "1"}),
        (scene.owner, "POST", "/vorhaben/new", {"title": "", "partner_q": "Kiel"}),
        (scene.owner, "GET", "/konto/daten", {}),
        (scene.owner, "GET", f"/kommentare/{ids['comment_id']}/melden", {}),
        (scene.other, "GET", vorhaben, {}),
        (scene.other, "GET", f"{vorhaben}/signale?art=interested", {}),
        (scene.other, "GET", f"/vorhaben/{ids['hidden_vorhaben_id']}", {}),
        (scene.other, "GET", f"/kommentare/{ids['comment_id']}/bearbeiten", {}),
        (scene.newcomer, "GET", "/membership/apply", {}),
        (scene.newcomer, "POST", "/membership/apply", {"position": ""}),
        (scene.newcomer, "POST", "/membership/apply", {"q": "Kiel", "action": "search"}),
        (scene.asked, "GET", "/membership/status", {}),
        (scene.moderator, "GET", f"/moderation/reports/comment/{ids['comment_id']}", {}),
        (scene.moderator, "GET", f"/moderation/publications/{ids['publication_id']}", {}),
        (scene.moderator, "GET", f"/moderation/applications/{ids['application_id']}", {}),
        (scene.moderator, "POST", "/moderation/domains", {"q": "Kiel"}),
        (scene.admin, "GET", f"/moderation/members/{ids['account_id']}", {}),
        (scene.contact, "GET", "/ansprechperson/antraege", {}),
        (scene.other, "GET", f"/kreise/{ids['circle_id']}", {}),
        (scene.owner, "GET", f"{vorhaben}/mitbearbeitung", {}),
        (scene.moderator, "GET", f"/moderation/nachrichten/{ids['conversation_id']}", {}),
        (scene.contact, "GET", f"/ansprechperson/antraege/{ids['application_id']}", {}),
    ]


def test_enter_does_the_main_action_of_every_form(
    client: TestClient,
    app: FastAPI,
    db: Session,
    everything: Everything,
    rendered_templates: set[str],
) -> None:
    failures: list[str] = []
    pages = 0
    with_choices: set[str] = set()  # forms whose buttons do different things

    def check(what: str, response: Any) -> None:
        nonlocal pages
        assert response.status_code < 500, f"{what}: {response.status_code}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        pages += 1
        for form in forms_of(response.text):
            failures.extend(f"{what}: {form}: {problem}" for problem in problems_of(form))
            if len({button.signature for button in form.buttons}) > 1:
                with_choices.add(re.sub(r"/[0-9a-f-]{36}|/\d+", "/{id}", form.action))

    factories.login(client, db, everything.admin)
    for path in _admin_walk(app, everything.ids):
        check(f"GET {path} (admin)", client.get(path))
    for who, method, path, data in _visits(everything):
        factories.login(client, db, who)
        if method == "GET":
            check(f"GET {path} ({who.display_name})", client.get(path))
        else:
            approved = who.state is AccountState.APPROVED
            token = factories.csrf_token(client, "/konto" if approved else "/membership/status")
            check(
                f"POST {path} ({who.display_name})",
                client.post(path, data={**data, "csrf_token": token}),
            )
    client.cookies.clear()
    check("GET /dev/login (anonymous)", client.get("/dev/login"))

    assert pages > 50  # the walk really walked
    # The Vorhaben form (new, edit), the application and domain forms (their search), the
    # publication form, decisions on applications and publications.
    assert len(with_choices) >= 7, with_choices
    assert not failures, "\n".join(failures)
    unseen = _templates_with_forms() - rendered_templates
    assert not unseen, f"templates with a form no page here showed (add a visit): {unseen}"
