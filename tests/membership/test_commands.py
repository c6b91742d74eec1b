"""`allmende members promote`: which account an address names (the command itself, every
role, by mail and by id, runs as a subprocess in tests/cli/test_commands.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Account, AccountState, Identity, Role
from app.cli import main
from app.db import make_engine, make_session_factory, unit_of_work


@pytest.fixture
def cli_env(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("ALLMENDE_ENV", "test")
    return fresh_database_url


def _add_account(url: str, email: str, *, verified: bool = True, name: str = "Erste Admin") -> int:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as db:
        account = Account(
            display_name=name, email=email, email_verified=verified, state=AccountState.PENDING
        )
        db.add(account)
        db.flush()
        db.add(
            Identity(
                account_id=account.id,
                provider="sso",
                issuer="https://idp",
                subject=f"subject-{account.id}",
                email=email,
                email_verified=verified,
            )
        )
        account_id = account.id
    engine.dispose()
    return account_id


def _account(url: str, account_id: int) -> Account:
    engine = make_engine(url)
    with make_session_factory(engine)() as db:
        account = db.scalars(select(Account).where(Account.id == account_id)).one()
    engine.dispose()
    return account


def test_promote_matches_the_address_exactly_not_as_a_pattern(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`_` and `%` are ordinary characters: "a_b@x" must not promote "axb@x"."""
    bystander = _add_account(cli_env, "chefxin@verband.example", name="Zufall")
    assert main(["members", "promote", "chef_in@verband.example", "--role", "admin"]) == 1
    assert "sign in once first" in capsys.readouterr().err
    assert main(["members", "promote", "%@verband.example", "--role", "admin"]) == 1
    assert _account(cli_env, bystander).role is Role.MEMBER
    assert _account(cli_env, bystander).state is AccountState.PENDING
    wanted = _add_account(cli_env, "chef_in@verband.example", name="Gemeint")
    assert main(["members", "promote", "chef_in@verband.example", "--role", "admin"]) == 0
    assert _account(cli_env, wanted).is_admin
    assert _account(cli_env, bystander).role is Role.MEMBER


def test_promote_by_an_unverified_address_needs_the_id_or_force(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    account_id = _add_account(cli_env, "chefin@verband.example", verified=False)
    assert main(["members", "promote", "chefin@verband.example", "--role", "admin"]) == 1
    err = capsys.readouterr().err
    assert "did not verify" in err and f"account {account_id}" in err
    assert err.count("\n") == 1
    assert _account(cli_env, account_id).state is AccountState.PENDING
    assert main(["members", "promote", "chefin@verband.example", "--role", "admin", "--force"]) == 0
    assert _account(cli_env, account_id).is_admin
    other = _add_account(cli_env, "zweite@verband.example", verified=False, name="Zweite")
    assert main(["members", "promote", str(other), "--role", "moderator"]) == 0
    assert _account(cli_env, other).role is Role.MODERATOR
