"""Topics in a circle: opened by its members, seen by exactly its active members."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.circles import service as circles
from app.core.errors import NotFound, ValidationFailed
from app.topics import service as topics
from app.vorhaben.visibility import can_see_topic
from tests import factories


def test_a_member_opens_a_topic_and_only_the_circle_sees_it(db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    insider = factories.account(db, "Ines Insider")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[insider])
    topic = topics.create(db, insider, circle.id, "  Datenstrategie \n klären ", "Wer *macht* mit?")
    assert topic.title == "Datenstrategie klären"
    assert "<em>macht</em>" in topic.body_html
    assert topics.get(db, lead, topic.id, circle.id).id == topic.id
    assert [t.id for t in topics.of_circle(db, lead, circle.id)] == [topic.id]
    with pytest.raises(NotFound):
        topics.get(db, outsider, topic.id)
    with pytest.raises(NotFound):
        topics.get(db, lead, topic.id, circle.id + 1)  # the wrong circle in the address
    assert topics.of_circle(db, outsider, circle.id) == []
    # Leaving the circle takes its topics away at once.
    circles.leave(db, insider, circle)
    assert not can_see_topic(insider, topic)
    assert topics.of_circle(db, insider, circle.id) == []


def test_the_newest_activity_comes_first(db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    circle = factories.circle(db, "Runde", moderators=[lead])
    first = topics.create(db, lead, circle.id, "Erstes", "Text")
    second = topics.create(db, lead, circle.id, "Zweites", "Text")
    assert topics.of_circle(db, lead, circle.id)[0].id == second.id
    topics.touch(first)
    db.flush()
    assert [t.id for t in topics.of_circle(db, lead, circle.id)] == [first.id, second.id]


def test_only_members_open_topics_and_bad_input_is_refused(db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead])
    with pytest.raises(NotFound):
        topics.create(db, outsider, circle.id, "Titel", "Text")
    with pytest.raises(ValidationFailed) as error:
        topics.create(db, lead, circle.id, " ", "")
    assert set(error.value.errors) == {"title", "body"}
    with pytest.raises(ValidationFailed) as error:
        topics.create(db, lead, circle.id, "x" * 201, "a\x00b")
    assert set(error.value.errors) == {"title", "body"}
    assert topics.of_circle(db, lead, circle.id) == []
