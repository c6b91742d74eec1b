"""The event hub (app.events): handlers run at once in the publisher's transaction, a failing
handler fails the whole unit, an event nobody hears is dropped, and wiring is idempotent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import events, wiring
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.dates import feeds as date_feeds
from app.db import unit_of_work
from app.export import subscribers as export_subscribers
from app.messages import subscribers as message_subscribers
from app.notifications import dates as date_notifications
from app.notifications import subscribers as notification_subscribers
from app.search import subscribers as search_subscribers

pytestmark = pytest.mark.commits


class HandlerFailed(Exception):
    pass


def _actions(factory: sessionmaker[Session]) -> set[str]:
    with factory() as fresh:
        return set(fresh.scalars(select(AuditEvent.action).where(AuditEvent.action.like("hub_%"))))


def test_publishing_without_subscribers_is_harmless() -> None:
    with events.isolated():
        assert events.subscribers(events.CommentChanged) == ()
        events.publish(Session(), events.CommentChanged(comment_id=1))
        events.publish(Session(), object())  # not even an event type: nobody hears it
    assert events.subscribers(events.CommentChanged)  # the wired hub is back


def test_handlers_run_at_once_in_order_with_the_publishers_session() -> None:
    heard: list[tuple[str, Session, int]] = []
    session = Session()
    with events.isolated():
        events.subscribe(events.CommentChanged, lambda db, e: heard.append(("a", db, e.comment_id)))
        events.subscribe(events.CommentChanged, lambda db, e: heard.append(("b", db, e.comment_id)))
        events.publish(session, events.CommentChanged(comment_id=7))
        assert heard == [("a", session, 7), ("b", session, 7)]  # before publish() returned


def test_a_handlers_writes_commit_with_the_change(session_factory: sessionmaker[Session]) -> None:
    def react(db: Session, event: events.CommentChanged) -> None:
        audit.record(db, "hub_reaction", actor_id=None, object_id=event.comment_id)

    with events.isolated():
        events.subscribe(events.CommentChanged, react)
        with unit_of_work(session_factory) as db:
            audit.record(db, "hub_change", actor_id=None)
            events.publish(db, events.CommentChanged(comment_id=1))
    assert _actions(session_factory) == {"hub_change", "hub_reaction"}


def test_a_failing_handler_rolls_back_the_whole_unit(
    session_factory: sessionmaker[Session],
) -> None:
    def react(db: Session, event: events.CommentChanged) -> None:
        audit.record(db, "hub_reaction", actor_id=None)
        db.flush()
        raise HandlerFailed

    def change() -> None:
        with unit_of_work(session_factory) as db:
            audit.record(db, "hub_change", actor_id=None)
            db.flush()
            events.publish(db, events.CommentChanged(comment_id=1))

    with events.isolated():
        events.subscribe(events.CommentChanged, react)
        with pytest.raises(HandlerFailed):
            change()
    assert _actions(session_factory) == set()  # neither the change nor the reaction stayed


def test_wiring_is_idempotent_and_complete() -> None:
    with events.isolated():
        wiring.wire()
        first = {kind: events.subscribers(kind) for kind in _EVENT_TYPES}
        wiring.wire()
        wiring.wire()
        assert {kind: events.subscribers(kind) for kind in _EVENT_TYPES} == first
    assert first == {
        # The index hears of a comment before the notifications are made.
        events.CommentPosted: (
            search_subscribers.comment_written,
            notification_subscribers.comment_posted,
        ),
        events.CommentChanged: (search_subscribers.comment_written,),
        events.VorhabenChanged: (search_subscribers.vorhaben_changed,),
        events.VorhabenCreated: (notification_subscribers.vorhaben_created,),
        events.StageChanged: (
            notification_subscribers.stage_changed,
            notification_subscribers.alert_stage_changed,
        ),
        events.SignalGiven: (notification_subscribers.signal_given,),
        events.CommentEdited: (notification_subscribers.comment_edited,),
        events.SignalAnswered: (notification_subscribers.signal_answered,),
        events.VorhabenGoingAway: (export_subscribers.vorhaben_going_away,),
        events.TerminSaved: (date_notifications.termin_saved,),
        # Mentions lose the erased name before the export withdraws what named them.
        events.AccountErased: (
            notification_subscribers.account_erased,
            export_subscribers.account_erased,
            message_subscribers.account_erased,
            date_feeds.account_erased,
        ),
    }


_EVENT_TYPES = (
    events.CommentPosted,
    events.CommentChanged,
    events.VorhabenChanged,
    events.VorhabenCreated,
    events.StageChanged,
    events.SignalGiven,
    events.CommentEdited,
    events.SignalAnswered,
    events.VorhabenGoingAway,
    events.TerminSaved,
    events.AccountErased,
)


def test_the_hub_imports_no_domain() -> None:
    tree = ast.parse(Path(events.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app")
    }
    assert imported <= {"app.config"}
