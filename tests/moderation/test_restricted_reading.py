"""Moderators read through the members' visibility rule (PRODUCT.md invariant 5, issue 15
item 10): restricted content — another municipality's, hidden, an unsubmitted publication
draft — only as the subject of an open report, an author's request for review or a
publication review, and every such view is an audit event."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.comments import service as comments
from app.config import Settings
from app.export import review
from app.export import service as publications
from app.moderation import reports
from app.outbox.models import OutboxMessage
from tests import factories
from tests.export.forms import form_fields
from tests.publishing import Scene, form_of, make_scene

TITLE = "Internes Gewerbegebiet"
DESCRIPTION = "Grundstückspreise: 4,2 Millionen"
FIRST = "Erster interner Kommentar"
SECOND = "Zweiter interner Kommentar"


@dataclass
class World:
    author: factories.Account
    colleague: factories.Account
    moderator: factories.Account
    internal: factories.Vorhaben
    first: factories.Comment
    second: factories.Comment


@pytest.fixture
def world(db: Session) -> World:
    home = factories.municipality(db, "Innenstadt")
    author = factories.account(db, "Ines Intern", municipality=home)
    colleague = factories.account(db, "Kai Kollege", municipality=home)
    internal = factories.vorhaben(
        db, author, TITLE, summary="Nur für uns", description=DESCRIPTION, visibility="municipality"
    )
    first = factories.comment(db, colleague, internal, FIRST)
    second = factories.comment(db, author, internal, SECOND)
    moderator = factories.account(db, "Mona Moderatorin", role=factories.Role.MODERATOR)
    return World(author, colleague, moderator, internal, first, second)


@pytest.fixture
def mod(app: FastAPI, db: Session, world: World) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        factories.login(client, db, world.moderator)
        yield client


def _views(db: Session, moderator: factories.Account) -> list[tuple[str | None, str | None]]:
    return [
        (event.object_type, event.object_id)
        for event in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "restricted_content_viewed")
            .where(AuditEvent.actor_id == moderator.id)
            .order_by(AuditEvent.id)
        )
    ]


def _shows_nothing_of(page: str, *texts: str) -> None:
    for text in texts:
        assert text not in page, text


def test_without_an_open_report_a_moderator_gets_404_for_another_municipalitys_vorhaben(
    mod: TestClient, db: Session, world: World
) -> None:
    for path in (
        f"/moderation/reports/vorhaben/{world.internal.id}",
        f"/moderation/reports/comment/{world.first.id}",
        f"/vorhaben/{world.internal.id}",
        f"/vorhaben/{world.internal.id}/versionen",
        f"/kommentare/{world.first.id}/verlauf",
    ):
        page = mod.get(path)
        assert page.status_code == 404, path
        _shows_nothing_of(page.text, TITLE, DESCRIPTION, FIRST, SECOND)
    token = factories.csrf_token(mod, "/moderation")
    refused = mod.post(
        f"/moderation/reports/vorhaben/{world.internal.id}",
        data={"csrf_token": token, "action": "lock", "reason": "Blind"},
    )
    assert refused.status_code == 404
    db.refresh(world.internal)
    assert world.internal.locked_at is None
    assert _views(db, world.moderator) == []


def test_hidden_content_is_not_the_moderators_to_read_without_a_report(
    mod: TestClient, db: Session, settings: Settings, world: World
) -> None:
    owner = factories.account(db, "Otto Offen")
    shared = factories.vorhaben(db, owner, "Offenes Vorhaben", description="Für alle lesbar")
    remark = factories.comment(db, world.colleague, shared, "Erste Fassung der Bemerkung")
    comments.edit(db, world.colleague, remark.id, "Zweite Fassung der Bemerkung")
    other = factories.account(db, role=factories.Role.MODERATOR)
    reports.decide(db, settings, other, "comment", remark.id, "hide", "Unsachlich")
    hidden = factories.vorhaben(db, owner, "Ausgeblendetes Vorhaben", description="Spam-Text")
    reports.decide(db, settings, other, "vorhaben", hidden.id, "hide", "Spam")
    for path in (
        f"/moderation/reports/comment/{remark.id}",
        f"/kommentare/{remark.id}/verlauf",
        f"/moderation/reports/vorhaben/{hidden.id}",
    ):
        page = mod.get(path)
        assert page.status_code == 404, path
        _shows_nothing_of(page.text, "Fassung der Bemerkung", "Spam-Text")
    # The Vorhaben itself is everyone's: its page shows the thread without the hidden words.
    context = mod.get(f"/moderation/reports/vorhaben/{shared.id}")
    assert context.status_code == 200 and "Für alle lesbar" in context.text
    _shows_nothing_of(context.text, "Fassung der Bemerkung")
    for state in ("open", "actioned", "dismissed"):
        _shows_nothing_of(mod.get("/moderation/reports", params={"state": state}).text, "Spam-Text")
    assert _views(db, world.moderator) == []


def test_an_open_report_shows_exactly_the_reported_subject_and_every_view_is_audited(
    mod: TestClient, db: Session, settings: Settings, world: World
) -> None:
    reports.report(db, settings, world.colleague, "comment", world.second.id, "offensive", "Rau")
    path = f"/moderation/reports/comment/{world.second.id}"
    for _ in range(2):
        page = mod.get(path)
        assert page.status_code == 200
        assert SECOND in page.text and "Rau" in page.text
        # Not the Vorhaben it belongs to, nor the rest of its discussion.
        _shows_nothing_of(page.text, TITLE, DESCRIPTION, FIRST)
    assert _views(db, world.moderator) == [("comment", str(world.second.id))] * 2

    queue = mod.get("/moderation/reports").text
    assert path in queue  # the way to the report is there, its subject is not
    _shows_nothing_of(queue, TITLE, SECOND)
    # So in the moderators' mail: the link, not the title.
    [told] = [
        row.payload
        for row in db.scalars(select(OutboxMessage))
        if row.payload["to"] == world.moderator.email
    ]
    assert path in told["text"] and "eingeschränkt sichtbaren" in told["subject"]
    _shows_nothing_of(str(told), TITLE, SECOND)

    reports.report(db, settings, world.colleague, "vorhaben", world.internal.id, "wrong", "")
    page = mod.get(f"/moderation/reports/vorhaben/{world.internal.id}")
    assert page.status_code == 200 and TITLE in page.text and DESCRIPTION in page.text
    _shows_nothing_of(page.text, FIRST, SECOND)  # the thread is not the reported subject
    assert _views(db, world.moderator)[-1] == ("vorhaben", str(world.internal.id))


def test_a_closed_report_no_longer_grants_the_view(
    mod: TestClient, db: Session, settings: Settings, world: World
) -> None:
    reports.report(db, settings, world.colleague, "comment", world.second.id, "offensive", "")
    path = f"/moderation/reports/comment/{world.second.id}"
    token = factories.csrf_token(mod, "/moderation")
    decided = mod.post(path, data={"csrf_token": token, "action": "dismiss", "reason": "Passt"})
    assert decided.status_code == 303
    assert mod.get(path).status_code == 404
    closed = mod.get("/moderation/reports", params={"state": "dismissed"}).text
    assert f'href="{path}"' not in closed
    _shows_nothing_of(closed, TITLE, SECOND)


def test_an_authors_request_for_review_grants_the_view_of_the_hidden_content(
    mod: TestClient, db: Session, settings: Settings, world: World
) -> None:
    owner = factories.account(db, "Otto Offen")
    shared = factories.vorhaben(db, owner, "Offenes Vorhaben")
    remark = factories.comment(db, owner, shared, "Eine verkannte Bemerkung")
    other = factories.account(db, role=factories.Role.MODERATOR)
    reports.decide(db, settings, other, "comment", remark.id, "hide", "Unsachlich")
    path = f"/moderation/reports/comment/{remark.id}"
    assert mod.get(path).status_code == 404
    reports.request_review(db, settings, owner, "comment", remark.id, "Bitte nochmal ansehen")
    page = mod.get(path)
    assert page.status_code == 200 and "Eine verkannte Bemerkung" in page.text
    assert _views(db, world.moderator) == [("comment", str(remark.id))]


@pytest.fixture
def scene(db: Session) -> Scene:
    return make_scene(db)


def test_publication_review_shows_only_the_submitted_publications_content(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    draft = form_of(db, scene)
    draft.title = "Erste Fassung des Titels"
    publication = publications.save(db, settings, scene.owner, scene.vorhaben.id, draft)
    path = f"/moderation/publications/{publication.id}"
    with TestClient(app, follow_redirects=False) as moderator:
        factories.login(moderator, db, scene.moderator)
        unsubmitted = moderator.get(path)
        assert unsubmitted.status_code == 404
        _shows_nothing_of(unsubmitted.text, "Erste Fassung")

        publications.submit(db, settings, scene.owner, scene.vorhaben.id, draft)
        submitted = moderator.get(path)
        assert submitted.status_code == 200 and "Erste Fassung des Titels" in submitted.text
        assert _views(db, scene.moderator) == [("publication", publication.id)]

        other = factories.account(db, role=factories.Role.MODERATOR)
        review.decide(db, settings, other, publication.id, "release", "")
        change = form_of(db, scene)
        change.title = "Nächste Fassung des Titels"
        publications.save(db, settings, scene.owner, scene.vorhaben.id, change)
        live = moderator.get(path)
        assert live.status_code == 200 and "Erste Fassung des Titels" in live.text  # released
        _shows_nothing_of(live.text, "Nächste Fassung")
        # Taking the public version back still works from this page.
        action = f"{path}/withdraw"
        fields = {**dict(form_fields(live.text, action)), "reason": "Rechtlicher Hinweis"}
        withdrawn = moderator.post(action, data=fields)
        assert withdrawn.status_code == 303
        assert moderator.get(withdrawn.headers["location"]).status_code == 200
        gone = moderator.get(path)
        assert gone.status_code == 404
        _shows_nothing_of(gone.text, "Nächste Fassung")
