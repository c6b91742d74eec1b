"""The single-field checks every service uses (app/core/fields.py)."""

from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.core.fields import REASON_MAX, check_text, checked_text, reason_text


def test_check_text_normalises_and_collects_errors_per_field() -> None:
    errors: dict[str, str] = {}
    assert check_text(errors, "title", "  Cafe\u0301  ", limit=10) == "Café"
    assert errors == {}
    check_text(errors, "title", "x" * 11, limit=10)
    check_text(
        errors, "summary", "", limit=10, required=True, missing="Bitte eine Zusammenfassung."
    )
    check_text(errors, "body", "rechts\u202eherum", limit=100)
    assert set(errors) == {"title", "summary", "body"}
    assert errors["summary"] == "Bitte eine Zusammenfassung."
    assert "11" in errors["title"]  # says how long it is


def test_checked_text_raises_for_its_one_field() -> None:
    assert checked_text("answer", " ja ", limit=5, required=True) == "ja"
    with pytest.raises(ValidationFailed) as refused:
        checked_text("answer", "   ", limit=5, required=True)
    assert list(refused.value.errors) == ["answer"]


def test_reason_text_is_required_unless_said_otherwise() -> None:
    with pytest.raises(ValidationFailed) as refused:
        reason_text("  ")
    assert list(refused.value.errors) == ["reason"]
    assert reason_text("", required=False) == ""
    with pytest.raises(ValidationFailed):
        reason_text("x" * (REASON_MAX + 1), required=False)
