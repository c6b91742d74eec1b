"""The worker's mail check: a queued mail about trust-space content leaves only if its
receiver is still an approved member who may see everything it is about (app.worker gives
it to the outbox; app.outbox.mail records what a mail is about)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles.models import Topic
from app.comments.models import Comment
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import (
    can_see,
    can_see_circle_content,
    can_see_comment,
    can_see_topic,
    shared_with,
)


def still_meant_for(db: Session, about: Mapping[str, Any]) -> bool:
    """Whether a queued mail may still leave: its receiver is an approved member who may
    still see everything it is about (the worker's mail check, wired in app.worker)."""
    receiver = db.get(Account, about.get("account"))
    if receiver is None or not receiver.is_member:
        return False
    comment_ids = {int(key) for key in about.get("comments", ())}
    comments = list(db.scalars(select(Comment).where(Comment.id.in_(comment_ids))))
    if len(comments) != len(comment_ids) or any(
        comment.is_deleted or not can_see_comment(receiver, comment) for comment in comments
    ):
        return False
    # A comment is only readable on a Vorhaben, or a circle's topic, the receiver may see.
    topic_ids = {c.topic_id for c in comments if c.topic_id is not None} | {
        int(key) for key in about.get("topics", ())
    }
    topics = list(db.scalars(select(Topic).where(Topic.id.in_(topic_ids)))) if topic_ids else []
    if len(topics) != len(topic_ids) or not all(can_see_topic(receiver, t) for t in topics):
        return False
    circle_ids = {int(key) for key in about.get("circles", ())}
    if not all(can_see_circle_content(db, receiver, key) for key in circle_ids):
        return False
    seen = {int(key) for key in about.get("vorhaben", ())} | {
        c.vorhaben_id for c in comments if c.vorhaben_id is not None
    }
    shared = {int(key) for key in about.get("shared", ())}
    loaded = {
        vorhaben.id: vorhaben
        for vorhaben in db.scalars(select(Vorhaben).where(Vorhaben.id.in_(seen | shared)))
    }
    return all(key in loaded and can_see(receiver, loaded[key]) for key in seen) and all(
        key in loaded and shared_with(receiver, loaded[key]) for key in shared
    )
