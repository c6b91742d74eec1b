"""Text is data (PRODUCT.md invariant 7): whatever any role types reaches pages, fragments,
mails and feeds as text, never as markup.

The issue's reproductions first; then a world (tests.web.hostile_scene) in which members,
moderators, admins and the identity provider wrote hostile text into every field they
can, and a walk through the real app: every page and htmx fragment as every kind of
viewer, every form sent back with hostile values, every mail, the Atom and JSON feeds,
the webhook bodies. Nothing hostile may become an element or attribute, every field must
have been shown somewhere (as text), and Markdown output sits inside hx-disable.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, Role
from app.admin import taxonomy
from app.auth.access import RouteInfo, iter_routes
from app.config import Settings
from app.moderation import reports
from app.outbox.models import OutboxMessage
from tests import factories
from tests.web.hostile import (
    EVALUATED,
    findings,
    hostile,
    htmx_config,
    names_shown,
    shown,
    text_of,
    unguarded_prose,
)
from tests.web.hostile_scene import FIELDS, PROVIDER, World, build

ROLE_ROUTE = "/moderation/members/{id}/role"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"oidc": [PROVIDER], "webhooks_allow_private": True, "publication_review": True}


def _last_outbox_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0


def _mails_since(db: Session, last_id: int) -> list[dict[str, str]]:
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.id > last_id))
    return [row.payload for row in rows if row.channel.value == "mail"]


def test_hide_reason_cannot_carry_htmx_into_the_page(client: TestClient, db: Session) -> None:
    """A moderator hides an admin's comment with a reason that would post to the role route
    as soon as the admin opens the page: the admin sees the reason as text."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    admin = factories.account(
        db, "Ada", role=Role.ADMIN, municipality=factories.municipality(db, "Adastadt")
    )
    moderator = factories.account(db, "Mo", role=Role.MODERATOR)
    vorhaben = factories.vorhaben(db, factories.account(db, "Olga"), "Offene Daten")
    comment = factories.comment(db, admin, vorhaben, "Meine Meinung")
    role_route = ROLE_ROUTE.format(id=moderator.id)
    reason = (
        f'<span hx-post="{role_route}" hx-vals=\'{{"role": "admin"}}\' hx-trigger="load">'
        f"Spam</span> {hostile('reason')}"
    )
    mails = _last_outbox_id(db)
    reports.decide(db, settings, moderator, "comment", comment.id, "hide", reason)

    factories.login(client, db, admin)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert findings(page) == [] and f'hx-post="{role_route}"' not in page
    assert shown(page, "reason") and reason in text_of(page)
    told = [mail for mail in _mails_since(db, mails) if mail["to"] == admin.email]
    assert told, "the author is told"
    assert findings(told[0]["html"]) == [] and reason in text_of(told[0]["html"])
    assert reason in told[0]["text"]


def test_field_of_action_label_cannot_carry_markup_into_pages(
    client: TestClient, db: Session
) -> None:
    """An admin's field-of-action label on the card, the Vorhaben page and the account page."""
    admin = factories.account(db, role=Role.ADMIN)
    field = taxonomy.add(db, admin, hostile("label", 120))
    member = factories.account(db, "Mia")
    vorhaben = factories.vorhaben(db, member, "Schulportal", fields=[field.slug])
    factories.login(client, db, member)
    for path in (f"/vorhaben/{vorhaben.id}", "/vorhaben", "/konto"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert findings(page.text) == [], path
        assert shown(page.text, "label"), path


# -- the walk ----------------------------------------------------------------------------------

# Not pages: files, health checks, the OpenID redirects (they would call the provider).
NOT_PAGES = {
    "/static/{path}",
    "/healthz",
    "/readyz",
    "/login/{provider}",
    "/auth/callback/{provider}",
}
# Routes that would end the walk itself (the viewer's session or account).
ENDING = {("POST", "/logout"), ("POST", "/konto/loeschen")}
# Form fields routes read from the raw form, beside the ones they declare.
FORM_FIELDS = (
    "title", "summary", "description", "tags", "license", "funding_programme",
    "lessons_learned", "website_url", "repository_url", "body", "text", "position", "reason",
    "answer", "label", "name", "contact_email", "url", "domain", "q", "category", "decision",
    "action", "role", "stage", "visibility", "uses_ai", "start_date", "end_date",
    "municipality_ags", "contacts", "partner_municipalities", "fields_of_action",
)  # fmt: skip


class Walk:
    """Responses checked so far: what was found, and which hostile fields were seen."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []
        self.seen: set[str] = set()
        self.unguarded: list[tuple[str, str]] = []
        self.no_config: list[str] = []
        self.server_errors: list[str] = []
        self.pages = 0

    def html(self, where: str, html: str, *, full_page: bool) -> None:
        self.pages += 1
        self.found.extend((where, trace) for trace in findings(html))
        self.unguarded.extend((where, text) for text in unguarded_prose(html))
        self.seen |= names_shown(text_of(html), FIELDS)
        # Every page that loads htmx configures it (public pages load no script at all).
        if full_page and "<html" in html and "/htmx-" in html:
            config = htmx_config(html)
            wanted = {"allowEval": False, "allowScriptTags": False, "selfRequestsOnly": True}
            if config is None or any(config.get(key) != value for key, value in wanted.items()):
                self.no_config.append(where)

    def text(self, where: str, text: str) -> None:
        if EVALUATED in text:
            self.found.append((where, "evaluated expression"))
        self.seen |= names_shown(text, FIELDS)

    def json(self, where: str, value: Any) -> None:
        for key, string in _strings(value):
            if key.endswith("_html") or key == "html":
                self.html(f"{where} {key}", string, full_page=False)
            else:
                self.text(f"{where} {key}", string)

    def response(self, where: str, response: Response, *, htmx: bool = False) -> None:
        if response.status_code >= 500:
            self.server_errors.append(where)
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/html"):
            self.html(where, response.text, full_page=not htmx)
        elif "json" in kind:
            self.json(where, response.json())
        elif "xml" in kind:
            self.atom(where, response.text)
        else:
            self.text(where, response.text)

    def atom(self, where: str, xml: str) -> None:
        self.text(where, "")
        if EVALUATED in xml:
            self.found.append((where, "evaluated expression"))
        for element in ET.fromstring(xml).iter():  # noqa: S314 - our own feed
            if element.text is None:
                continue
            if element.get("type") == "html":
                self.html(f"{where} {element.tag}", element.text, full_page=False)
            else:
                self.text(f"{where} {element.tag}", element.text)


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def _urls(route: RouteInfo, ids: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
    choices: list[list[tuple[str, str]]] = []
    for name in names:
        if name == "target_type":
            continue
        if name == "target_id":
            kinds = ["vorhaben", "comment"] if "target_type" in names else []
            kinds = kinds or (["comment"] if "/kommentare/" in route.path else ["vorhaben"])
            choices.append(
                [
                    (kind, value)
                    for kind in kinds
                    for value in ids["comment_id" if kind == "comment" else "vorhaben_id"]
                ]
            )
        else:
            choices.append([("", value) for value in ids.get(name, ["1"])])
    filled = [name for name in names if name != "target_type"]
    urls = []
    for combination in itertools.product(*choices):
        path = route.path
        for name, (kind, value) in zip(filled, combination, strict=True):
            path = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path)
            if kind:
                path = re.sub(r"\{target_type(?::\w+)?\}", kind, path)
        urls.append(path)
    return urls


def _declared(dependant: Dependant | None) -> set[str]:
    if dependant is None:
        return set()
    names = {param.alias for param in dependant.query_params + dependant.body_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def _viewers(world: World) -> dict[str, Account | None]:
    return {
        "author": world.author,
        "reader": world.reader,
        "moderator": world.moderator,
        "admin": world.admin,
        "applicant": world.applicant,
        "declined": world.declined,
        "anonymous": None,
    }


def test_no_text_any_role_wrote_becomes_markup_anywhere(
    app: FastAPI, db: Session, settings: Settings
) -> None:
    """Every page and fragment as every viewer, every form sent back, every mail and feed."""
    world = build(db, settings)
    walk = Walk()
    routes = [
        route
        for route in iter_routes(app)
        if route.method in {"GET", "POST"} and route.path not in NOT_PAGES
    ]
    clients: dict[str, TestClient] = {}
    for name, viewer in _viewers(world).items():
        client = TestClient(app, follow_redirects=False)
        if viewer is not None:
            factories.login(client, db, viewer)
        clients[name] = client
        for route in routes:
            if route.method != "GET":
                continue
            query = {param: hostile(f"q{param}") for param in _declared(route.dependant)}
            for url in _urls(route, world.ids):
                for htmx in (False, True):
                    headers = {"HX-Request": "true"} if htmx else {}
                    response = client.get(url, headers=headers)
                    walk.response(f"{name} GET {url} htmx={htmx}", response, htmx=htmx)
                if query:
                    reflected = client.get(url, params=query)
                    walk.response(f"{name} GET {url}?hostile", reflected)

    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    for row in mails:
        where = f"outbox {row.id} {row.channel.value}"
        if row.channel.value == "mail":
            walk.html(f"{where} html", row.payload["html"], full_page=False)
            walk.text(f"{where} text", row.payload["text"] + row.payload["subject"])
        else:
            walk.json(where, row.payload)
    _send_every_form(clients, routes, world, walk)
    for client in clients.values():
        client.close()

    assert walk.pages > 500  # the walk really walked
    assert walk.found == []
    assert walk.server_errors == []
    assert sorted(set(FIELDS) - walk.seen) == [], "fields never shown anywhere"
    assert walk.unguarded == []
    assert walk.no_config == []


def _poster(path: str) -> str:
    """Who sends a form: the one its page is for (so it gets past the access check)."""
    if path.startswith(("/moderation/members/{account_id:id}/role", "/admin/")):
        return "admin"
    if path.startswith("/moderation/"):
        return "moderator"
    if path.startswith("/membership/"):
        return "declined" if path.endswith("/apply") else "applicant"
    return "reader" if path.endswith("/melden") else "author"


def _send_every_form(
    clients: dict[str, TestClient], routes: list[RouteInfo], world: World, walk: Walk
) -> None:
    """Every form comes back (refused or accepted, then the page it leads to with its flash
    message) with hostile values in every field; deleting comes last."""
    tokens = {name: factories.csrf_token(client, "/impressum") for name, client in clients.items()}
    posts = [
        route
        for route in routes
        if route.method == "POST"
        and (route.method, route.path) not in ENDING
        and not route.path.endswith("/erase")
        and not route.path.startswith("/auth/")
    ]
    for route in sorted(posts, key=lambda route: "loeschen" in route.path):
        poster = _poster(route.path)
        client = clients[poster]
        names = _declared(route.dependant) | set(FORM_FIELDS)
        data = {name: hostile(f"f{name}"[:9]) for name in names}
        for url in _urls(route, world.ids):
            response = client.post(url, data={**data, "csrf_token": tokens[poster]})
            walk.response(f"{poster} POST {url}", response)
            location = response.headers.get("location", "")
            if response.status_code == 303 and location.startswith("/"):
                walk.response(f"{poster} POST {url} -> {location}", client.get(location))


def test_the_feeds_carry_published_text_as_text(
    client: TestClient, db: Session, settings: Settings
) -> None:
    """Atom and JSON: titles are text elements and strings, descriptions sanitized HTML."""
    world = build(db, settings)
    atom = client.get("/feeds/projects.atom")
    assert atom.status_code == 200
    root = ET.fromstring(atom.text)  # noqa: S314 - our own feed
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [entry.findtext("a:title", namespaces=ns) for entry in root.iterfind("a:entry", ns)]
    assert hostile("ptitle") in titles
    for content in root.iterfind("a:entry/a:content", ns):
        assert content.get("type") == "html" and findings(content.text or "") == []
        assert shown(content.text or "", "pdesc")
    items = client.get("/api/v1/projects").json()
    [item] = [entry for entry in items["items"] if entry["id"] == world.publication.id]
    assert item["title"] == hostile("ptitle")
    assert findings(item["description_html"]) == [] and "<script" not in item["description_html"]
    assert json.dumps(item).count(EVALUATED) == 0
