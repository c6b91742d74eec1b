from __future__ import annotations

import pytest

from app.core.text import fold, fold_words, forbidden_character, normalize


def test_browser_line_endings_become_newlines() -> None:
    assert normalize("a\r\nb\rc") == "a\nb\nc"


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x07", "\x1b", "\x7f", "\u202e", "\u2066", "\u202a", "\ufffe", "\uffff", "\ufdd0"],
)
def test_control_and_bidi_override_characters_are_named(char: str) -> None:
    reason = forbidden_character(f"Titel{char}Text")
    assert reason is not None and f"U+{ord(char):04X}" in reason


def test_tab_newline_umlauts_and_emoji_are_fine() -> None:
    assert forbidden_character("Müll\tund\nStraße 🚲") is None


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Müllabfuhr", "mullabfuhr"), ("Straße", "strasse"), ("STRASSE", "strasse"), ("Café", "cafe")],
)
def test_fold_makes_german_spellings_meet(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_words_drops_punctuation() -> None:
    assert fold_words("Kiel, Landeshauptstadt") == "kiel landeshauptstadt"
