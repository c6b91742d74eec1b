"""Signing in and out: the login attempt, the callback, accounts keyed by identity."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState, Identity
from app.audit import service as audit
from app.auth import sessions
from app.auth.models import AuthSession, LoginAttempt, UsedToken
from app.auth.oidc import OIDCError, Provider
from app.config import Settings
from app.core.clock import utcnow
from app.core.text import forbidden_character
from app.web.safe_redirect import local_path

ATTEMPT_LIFETIME = dt.timedelta(minutes=10)
USED_TOKEN_LIFETIME = dt.timedelta(days=1)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class StartedLogin:
    url: str
    browser_secret: str  # goes into a short-lived cookie, binds the attempt to this browser


def start_login(
    db: Session, provider: Provider, next_path: str | None, *, reauthenticate: bool = False
) -> StartedLogin:
    """Create a one-time login attempt and the provider URL to send the browser to.

    `reauthenticate` asks the provider to authenticate the person again (max_age=0,
    prompt=login), for actions that need a sign-in within the last minutes.
    """
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    browser_secret = secrets.token_urlsafe(32)
    max_age = 0 if reauthenticate else None
    # First the provider (discovery may go over the network), then the writes: SQLite's
    # write lock is not held while waiting for another server.
    url = provider.authorization_url(
        state=state, nonce=nonce, code_verifier=code_verifier, max_age=max_age
    )
    now = utcnow()
    db.execute(delete(LoginAttempt).where(LoginAttempt.expires_at < now))
    db.add(
        LoginAttempt(
            state_hash=_hash(state),
            browser_hash=_hash(browser_secret),
            provider=provider.name,
            nonce=nonce,
            code_verifier=code_verifier,
            next_path=local_path(next_path),
            max_age=max_age,
            created_at=now,
            expires_at=now + ATTEMPT_LIFETIME,
        )
    )
    return StartedLogin(url=url, browser_secret=browser_secret)


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: sessions.NewSession
    next_path: str
    new_account: bool


def finish_login(
    db: Session,
    settings: Settings,
    provider: Provider,
    params: Mapping[str, str],
    browser_secret: str | None,
    *,
    user_agent: str | None = None,
) -> SignedIn:
    """Complete the code flow; raise OIDCError with a reason on any failure."""
    state = params.get("state")
    if not state:
        raise OIDCError("missing_state")
    # One-time: the attempt is gone whether this sign-in succeeds or not.
    attempt = db.scalars(
        select(LoginAttempt).where(LoginAttempt.state_hash == _hash(state))
    ).one_or_none()
    if attempt is None:
        raise OIDCError("unknown_or_reused_state")
    db.delete(attempt)
    db.flush()
    if attempt.expires_at < utcnow():
        raise OIDCError("expired_state")
    if attempt.provider != provider.name:
        raise OIDCError("provider_mismatch")
    if not browser_secret or not secrets.compare_digest(
        _hash(browser_secret), attempt.browser_hash
    ):
        raise OIDCError("state_not_bound_to_this_browser")
    if params.get("error"):
        raise OIDCError("provider_error", params["error"][:100])
    # RFC 9207: a provider that names itself in the response must be the one we asked.
    if "iss" in params and params["iss"] != provider.issuer:
        raise OIDCError("iss_mismatch")
    code = params.get("code")
    if not code:
        raise OIDCError("missing_code")

    token = provider.exchange_code(code, attempt.code_verifier)
    claims = provider.validate_id_token(
        token["id_token"],
        nonce=attempt.nonce,
        max_age=attempt.max_age,
        requested_at=attempt.created_at.timestamp(),
    )
    account, identity, created = _account_for(db, provider, claims)
    auth_time = claims.get("auth_time")
    new_session = sessions.create(
        db,
        settings,
        account,
        provider=provider.name,
        oidc_sid=str(claims["sid"])[:255] if claims.get("sid") else None,
        oidc_subject=identity.subject,
        id_token=token["id_token"],
        auth_time=dt.datetime.fromtimestamp(auth_time, dt.UTC)
        if isinstance(auth_time, int | float) and auth_time <= utcnow().timestamp() + 60
        else None,
        user_agent=user_agent,
    )
    audit.record(
        db,
        "login",
        actor_id=account.id,
        subject_id=account.id,
        object_type="account",
        object_id=account.id,
        provider=provider.name,
        new_account=created,
    )
    return SignedIn(account, new_session, attempt.next_path, created)


def _clean_claim(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:limit]
    return None if not value or forbidden_character(value) else value


def _account_for(
    db: Session, provider: Provider, claims: dict[str, Any]
) -> tuple[Account, Identity, bool]:
    """The account of (issuer, subject), created as pending on first sign-in.

    Never looked up by e-mail: a changed address, a second provider or a new identity with
    a known address all lead to their own account, which needs its own approval.
    """
    subject = str(claims["sub"])[:255]
    identity = db.scalars(
        select(Identity)
        .where(Identity.issuer == provider.issuer, Identity.subject == subject)
        .options(joinedload(Identity.account))
    ).one_or_none()
    email = _clean_claim(claims.get("email"), 320)
    email_verified = claims.get("email_verified") is True
    name = _clean_claim(claims.get("name"), 200) or _clean_claim(
        " ".join(str(claims.get(key, "")) for key in ("given_name", "family_name")), 200
    )
    now = utcnow()
    kept_claims: dict[str, Any] = {
        key: claims[key]
        for key in (
            "iss",
            "sub",
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "acr",
            "amr",
        )
        if key in claims
    }
    if provider.config.municipality_claim and provider.config.municipality_claim in claims:
        kept_claims["municipality"] = claims[provider.config.municipality_claim]
    created = identity is None
    if identity is None:
        account = Account(
            display_name=name or (email.split("@")[0] if email else "Neues Mitglied"),
            email=email,
            email_verified=email_verified,
            state=AccountState.PENDING,
        )
        db.add(account)
        db.flush()
        identity = Identity(
            account_id=account.id,
            provider=provider.name,
            issuer=provider.issuer,
            subject=subject,
        )
        db.add(identity)
        identity.account = account
    account = identity.account
    identity.email = email
    identity.email_verified = email_verified
    identity.claims = kept_claims
    identity.last_login_at = now
    if email:
        account.email = email
        account.email_verified = email_verified
    if name and account.state is not AccountState.ERASED:
        account.display_name = name
    account.last_login_at = now
    db.flush()
    return account, identity, created


def logout(db: Session, token: str | None) -> AuthSession | None:
    """End the browser's session; returns it so the caller can log out at the provider."""
    if not token:
        return None
    ended = sessions.end_by_token(db, token)
    if ended is not None:
        audit.record(db, "logout", actor_id=ended.account_id, subject_id=ended.account_id)
    return ended


def backchannel_logout(db: Session, provider: Provider, logout_token: str) -> int:
    """End the sessions a valid, unused logout token names; returns how many."""
    claims = provider.validate_logout_token(logout_token)
    issued = claims.get("iat")
    if (
        isinstance(issued, int | float)
        and utcnow().timestamp() - issued > USED_TOKEN_LIFETIME.total_seconds()
    ):
        raise OIDCError("invalid_logout_token", "too old")
    now = utcnow()
    db.execute(delete(UsedToken).where(UsedToken.expires_at < now))
    try:
        with db.begin_nested():
            db.add(
                UsedToken(
                    issuer=provider.issuer,
                    jti=str(claims["jti"])[:255],
                    expires_at=now + USED_TOKEN_LIFETIME,
                )
            )
    except IntegrityError:
        raise OIDCError("replayed_logout_token") from None
    query = select(AuthSession).where(AuthSession.provider == provider.name)
    if claims.get("sid"):
        query = query.where(AuthSession.oidc_sid == str(claims["sid"]))
    if claims.get("sub"):
        query = query.where(AuthSession.oidc_subject == str(claims["sub"]))
    ended = list(db.scalars(query))
    for row in ended:
        db.delete(row)
    accounts = {row.account_id for row in ended}
    for account_id in accounts:
        audit.record(
            db, "backchannel_logout", actor_id=None, subject_id=account_id, provider=provider.name
        )
    db.flush()
    return len(ended)


def record_failure(db: Session, provider_name: str, error: OIDCError) -> None:
    """Audit a failed sign-in (no personal data: the reason and the provider only)."""
    audit.record(
        db,
        "login_failed",
        actor_id=None,
        reason=error.reason,
        provider=provider_name[:40],
        detail=error.detail[:200],
    )
