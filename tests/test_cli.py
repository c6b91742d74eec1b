"""The `allmende` command's configuration checks, in-process (fast, one case each); the
commands themselves run as subprocesses in tests/cli/."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.config import load_settings
from app.outbox.mailer import mailer_for


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

    built = mailer_for(load_settings(env="test", smtp_url=value))
    assert type(built).__name__ == mailer
