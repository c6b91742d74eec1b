"""The `allmende` command: configuration errors, database errors, migrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.db import make_engine


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ALLMENDE_ENV": "production"}, "ALLMENDE_SECRET_KEY must be set"),
        (
            {"ALLMENDE_ENV": "production", "ALLMENDE_SECRET_KEY": "k" * 40},
            "ALLMENDE_BASE_URL must start with https://",
        ),
        (
            {
                "ALLMENDE_ENV": "production",
                "ALLMENDE_SECRET_KEY": "k" * 40,
                "ALLMENDE_BASE_URL": "https://allmende.example",
                "ALLMENDE_DEV_LOGIN": "1",
            },
            "ALLMENDE_DEV_LOGIN must be off",
        ),
        (
            {
                "ALLMENDE_ENV": "production",
                "ALLMENDE_SECRET_KEY": "k" * 40,
                "ALLMENDE_BASE_URL": "https://allmende.example",
                "ALLMENDE_OIDC_ISSUER": "http://idp.example",
                "ALLMENDE_OIDC_CLIENT_ID": "allmende",
                "ALLMENDE_OIDC_CLIENT_SECRET": "s",
            },
            "issuer of OIDC provider 'sso' must be https://",
        ),
        ({"ALLMENDE_ENV": "staging"}, "ALLMENDE_ENV"),
        ({"ALLMENDE_DATABASE_URL": "mysql://x/y"}, "unsupported scheme 'mysql'"),
        ({"ALLMENDE_MAX_BODY_BYTES": "lots"}, "ALLMENDE_MAX_BODY_BYTES"),
        ({"ALLMENDE_SMTP_URL": "mail.example:25"}, "ALLMENDE_SMTP_URL: Value error, must look"),
        ({"ALLMENDE_SMTP_URL": "http://mail.example"}, "ALLMENDE_SMTP_URL"),
        ({"ALLMENDE_SMTP_URL": "smtp://:25"}, "ALLMENDE_SMTP_URL"),
        ({"ALLMENDE_SMTP_URL": "smtp://mail.example:abc"}, "the port must be a number"),
        ({"ALLMENDE_SMTP_URL": "smtp://mail.example:99999"}, "the port must be a number"),
    ],
)
def test_unsafe_or_invalid_settings_stop_with_one_line_and_exit_2(
    env: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = _run(["db", "upgrade"], capsys)
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_a_missing_config_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLMENDE_CONFIG_FILE", str(tmp_path / "nope.toml"))
    code, _out, err = _run(["db", "upgrade"], capsys)
    assert code == 2 and "does not exist" in err


def test_serve_refuses_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    code, _out, err = _run(["serve", "--port", "1"], capsys)
    assert code == 1
    assert "not migrated" in err and "allmende db upgrade" in err


def test_an_unreachable_postgresql_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    code, _out, err = _run(["db", "upgrade"], capsys)
    assert code == 1
    assert err.startswith("allmende: cannot use the database:")
    assert err.count("\n") == 1


def test_db_upgrade_then_check_agree(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.db'}")
    assert _run(["db", "upgrade"], capsys)[0] == 0
    code, out, _err = _run(["db", "check"], capsys)
    assert code == 0 and "models and migrations agree" in out


def test_db_check_on_postgresql_agrees(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    code, out, _err = _run(["db", "check"], capsys)
    assert code == 0, out


def test_db_check_fails_when_the_database_and_the_models_differ(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", url)
    assert _run(["db", "upgrade"], capsys)[0] == 0
    # A change made by hand, outside the migrations: an index the models do not know.
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_by_hand ON accounts (display_name)")
    engine.dispose()
    code, out, err = _run(["db", "check"], capsys)
    assert code == 1
    assert err.startswith("allmende: models and migrations differ")
    assert "ix_by_hand" in err and err.count("\n") == 1
    assert "agree" not in out


def test_a_malformed_smtp_url_stops_the_worker_before_it_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("ALLMENDE_SMTP_URL", "smtp://mail.example:2x5")
    code, out, err = _run(["worker", "--once"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("allmende: invalid configuration: ALLMENDE_SMTP_URL")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("value", "mailer"),
    [
        ("smtp://127.0.0.1:1025", "SMTPMailer"),
        ("smtps://user:p%40ss@mail.example:465", "SMTPMailer"),
        (" smtp://mail.example?starttls=1 ", "SMTPMailer"),
        ("", "LogMailer"),
    ],
)
def test_good_smtp_urls_give_a_working_mailer(value: str, mailer: str) -> None:
    from app.config import load_settings
    from app.outbox.mailer import mailer_for

    built = mailer_for(load_settings(env="test", smtp_url=value))
    assert type(built).__name__ == mailer
