"""GET /suche: plain page, htmx fragment, highlighted hits, no 5xx for odd input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories

pytestmark = pytest.mark.commits


@pytest.fixture
def member(client: TestClient, db: Session) -> factories.Account:
    author = factories.account(db)
    factories.vorhaben(db, author, "Digitalisierungsstrategie", summary="Mit Bürgerbeteiligung")
    person = factories.account(db)
    factories.login(client, db, person)
    return person


def test_search_page_lists_marked_hits_linking_to_the_vorhaben(
    client: TestClient, member: factories.Account
) -> None:
    page = client.get("/suche", params={"q": "strategie"})
    assert page.status_code == 200
    assert "1 Treffer" in page.text
    assert "Digitalisierungs<mark>strategie</mark>" in page.text
    assert 'href="/vorhaben/' in page.text


def test_excerpts_show_words_not_markdown(
    client: TestClient, db: Session, member: factories.Account
) -> None:
    factories.vorhaben(
        db,
        factories.account(db),
        "Abfall-App",
        description="## Hintergrund\n\nDie **Müllabfuhr** kommt [pünktlich](https://example.org).",
    )
    page = client.get("/suche", params={"q": "mull"})
    assert "<mark>Müll</mark>abfuhr kommt pünktlich" in page.text
    assert "##" not in page.text and "**" not in page.text and "](https" not in page.text


def test_htmx_gets_only_the_results(client: TestClient, member: factories.Account) -> None:
    fragment = client.get(
        "/suche", params={"q": "strategie"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in fragment.text and "1 Treffer" in fragment.text


@pytest.mark.parametrize("q", ['"', "'", "*", "AND OR NOT", "NEAR(", "%_", "a" * 200, "\u202e"])
def test_odd_queries_never_fail(client: TestClient, member: factories.Account, q: str) -> None:
    assert client.get("/suche", params={"q": q}).status_code == 200


def test_a_nul_byte_in_the_query_is_refused(client: TestClient, member: factories.Account) -> None:
    """Refused before any route (app.web.wellformed): PostgreSQL cannot take it."""
    response = client.get("/suche", params={"q": "Strategie\x00"})
    assert response.status_code == 400 and "nicht erlaubt" in response.text


def test_bad_parameters_are_4xx(client: TestClient, member: factories.Account) -> None:
    assert client.get("/suche", params={"q": "x" * 201}).status_code in {400, 422}
    assert client.get("/suche", params={"q": "x", "page": "abc"}).status_code in {400, 422}
