"""Server-side sessions, pending sign-ins, and seen logout-token ids."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base


class AuthSession(Base):
    """A signed-in browser. The cookie holds a random token; we keep only its hash."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str | None] = mapped_column(String(40))
    # The OP's session id (`sid`) and subject, for back-channel logout.
    oidc_sid: Mapped[str | None] = mapped_column(String(255), index=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # Kept for RP-initiated logout (`id_token_hint`); never shown or logged.
    id_token: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the person last authenticated at the provider; None if the provider did not say.
    auth_time: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    user_agent: Mapped[str | None] = mapped_column(String(300))

    account: Mapped[Account] = relationship(lazy="raise")


class LoginAttempt(Base):
    """A sign-in in flight: state, nonce and PKCE verifier, bound to one browser."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(2000), default="/")
    # Set for a re-authentication (0: the provider must ask the person again); the
    # callback then requires a fresh auth_time.
    max_age: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class UsedToken(Base):
    """A logout token id (`jti`) already accepted, so a replay is refused."""

    __tablename__ = "used_tokens"
    __table_args__ = (UniqueConstraint("issuer", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
