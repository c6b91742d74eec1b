from __future__ import annotations

import pytest

from app.web.safe_redirect import local_path


@pytest.mark.parametrize(
    "candidate",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "/\t/evil.example",
        "",
        None,
        "http:/evil",
        " //evil.example",
    ],
)
def test_foreign_targets_fall_back_to_the_default(candidate: str | None) -> None:
    assert local_path(candidate) == "/"


@pytest.mark.parametrize("candidate", ["/vorhaben/3", "/suche?q=M%C3%BCll", "/"])
def test_local_paths_pass(candidate: str) -> None:
    assert local_path(candidate) == candidate
