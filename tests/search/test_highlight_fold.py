"""The marks' folding map: ASCII runs are folded at once, every other character by itself;
the result must be exactly the character-by-character definition (fold() of each character,
each folded character pointing back at its original)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.text import fold
from app.search import highlight

TEXT = st.text(
    alphabet=st.sampled_from(
        [*"abcXYZ019 .,-_*#\n\tÄÖÜäöüßẞéèçñİıǅﬁ€ø\u0301", chr(0x7F), chr(0x80)]
    ),
    max_size=80,
)


def _by_character(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


@given(TEXT)
def test_the_fast_map_is_the_character_by_character_map(text: str) -> None:
    folded = highlight._Folded(text)
    origins = [folded.origin(position) for position in range(len(folded.text))]
    assert (folded.text, origins) == _by_character(text)


def test_marks_land_on_the_original_characters() -> None:
    marked = highlight.mark("Die Straße zur MÜLLabfuhr", ["strasse", "mull"])
    assert str(marked) == "Die <mark>Straße</mark> zur <mark>MÜLL</mark>abfuhr"
