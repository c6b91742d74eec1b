"""Webhook delivery (the export layer); the worker hands webhook rows to deliver()."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings


def deliver(
    settings: Settings,
    sessions: sessionmaker[Session],
    message_id: int,
    payload: dict[str, Any],
    key: str,
) -> None:
    """Deliver one webhook row and record the outcome."""
    raise NotImplementedError("webhook delivery arrives with the export layer")
