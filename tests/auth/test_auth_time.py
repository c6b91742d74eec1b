"""A session counts as a fresh sign-in only when the provider said when the person
authenticated: without `auth_time` in the ID token the data export asks for a new sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import AuthSession
from app.auth.oidc import Provider
from tests import factories
from tests.auth.conftest import MockIdP

EXPORT = "/konto/daten/export.json"


def test_a_sign_in_without_auth_time_is_not_a_fresh_sign_in(
    client: TestClient, mock_idp: MockIdP, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mock provider (Authlib) always sends auth_time; a real one need not (OIDC Core
    # 2: only when asked for it). Its claims as our validation hands them on, without it:
    validate = Provider.validate_id_token

    def without_auth_time(self: Provider, *args: Any, **kwargs: Any) -> dict[str, Any]:
        claims = dict(validate(self, *args, **kwargs))
        claims.pop("auth_time", None)
        return claims

    monkeypatch.setattr(Provider, "validate_id_token", without_auth_time)
    member = factories.account(db, "Ohne Zeit", subject="ohnezeit", issuer=mock_idp.issuer)
    mock_idp.set_user("ohnezeit", email=member.email, email_verified=True, name="Ohne Zeit")
    assert mock_idp.sign_in(client, "ohnezeit").status_code == 303
    session = db.scalars(select(AuthSession).where(AuthSession.account_id == member.id)).one()
    assert session.auth_time is None
    response = client.get(EXPORT)
    assert response.status_code == 303  # to the page that asks for a new sign-in
    assert client.get("/vorhaben").status_code == 200  # an ordinary member otherwise


def test_a_sign_in_with_auth_time_is_fresh(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    member = factories.account(db, "Mit Zeit", subject="mitzeit", issuer=mock_idp.issuer)
    mock_idp.set_user("mitzeit", email=member.email, email_verified=True, name="Mit Zeit")
    assert mock_idp.sign_in(client, "mitzeit").status_code == 303
    assert client.get(EXPORT).status_code == 200
