"""Production refuses unsafe settings: `allmende` started as operators start it (a process of
its own, ALLMENDE_ENV=production) stops with one line on stderr and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigurationError, load_settings

ALLMENDE = str(Path(sys.executable).with_name("allmende"))
SAFE_PRODUCTION = {
    "ALLMENDE_ENV": "production",
    "ALLMENDE_SECRET_KEY": "k" * 40,
    "ALLMENDE_BASE_URL": "https://allmende.example",
}


def _allmende(
    database_url: str, settings: dict[str, str], *argv: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("ALLMENDE_")
    }
    environment["ALLMENDE_DATABASE_URL"] = database_url
    environment.update(settings)
    return subprocess.run(
        [ALLMENDE, *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("unsafe", "reason"),
    [
        ({"ALLMENDE_FORWARDED_ALLOW_IPS": "*"}, "ALLMENDE_FORWARDED_ALLOW_IPS"),
        ({"ALLMENDE_FORWARDED_ALLOW_IPS": "10.0.0.5, *"}, "ALLMENDE_FORWARDED_ALLOW_IPS"),
        ({"ALLMENDE_FORWARDED_ALLOW_IPS": "0.0.0.0/0"}, "ALLMENDE_FORWARDED_ALLOW_IPS"),
        ({"ALLMENDE_FORWARDED_ALLOW_IPS": "::/0"}, "ALLMENDE_FORWARDED_ALLOW_IPS"),
        (
            {"ALLMENDE_SMTP_URL": "smtp://benutzer:pass@mail.intern:587"},
            "ALLMENDE_SMTP_URL sends the password unencrypted",
        ),
        (
            {"ALLMENDE_SMTP_URL": "smtp://benutzer:pass@mail.intern:25?starttls=false"},
            "ALLMENDE_SMTP_URL sends the password unencrypted",
        ),
    ],
)
def test_production_refuses_unsafe_settings_with_one_line_and_exit_2(
    database_url: str, unsafe: dict[str, str], reason: str
) -> None:
    result = _allmende(database_url, {**SAFE_PRODUCTION, **unsafe}, "db", "check")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("allmende: refusing to start in production:")
    assert reason in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "safe",
    [
        {"ALLMENDE_FORWARDED_ALLOW_IPS": "10.0.0.5,10.0.0.6"},
        {"ALLMENDE_FORWARDED_ALLOW_IPS": "10.0.0.0/24"},
        {"ALLMENDE_SMTP_URL": "smtp://benutzer:pass@mail.intern:587?starttls=true"},
        {"ALLMENDE_SMTP_URL": "smtps://benutzer:pass@mail.intern:465"},
        {"ALLMENDE_SMTP_URL": "smtp://127.0.0.1:25"},
    ],
)
def test_production_starts_with_safe_proxy_and_mail_settings(
    database_url: str, safe: dict[str, str]
) -> None:
    result = _allmende(database_url, {**SAFE_PRODUCTION, **safe}, "db", "check")
    assert result.returncode == 0, result.stderr
    assert "models and migrations agree" in result.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("smtp://mail.intern:587?starttls=ture", "starttls must be true or false"),
        ("smtp://mail.intern:587?tls=1", "unknown option 'tls'"),
        ("smtps://mail.intern:465?starttls=true", "smtps:// is TLS already"),
    ],
)
def test_smtp_options_that_would_silently_send_in_plain_text_are_refused(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(env="test", smtp_url=value)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
