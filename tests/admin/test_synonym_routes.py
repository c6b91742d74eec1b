"""Admins edit search's synonym list on a page of their own: a form with CSRF, German first;
a refused list comes back as typed with the wrong lines named; a saved list applies with the
next search; the shipped list can be restored; nobody else gets in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.search import synonym_list
from tests import factories

PATH = "/admin/synonyme"


def _found(client: TestClient, q: str) -> list[int]:
    page = client.get("/suche", params={"q": q})
    assert page.status_code == 200
    return [int(key) for key in re.findall(r'href="/vorhaben/(\d+)"', page.text)]


def test_admin_edits_the_synonyms_and_search_follows(client: TestClient, db: Session) -> None:
    author = factories.account(db, "Anja Autorin")
    wanted = factories.vorhaben(db, author, "Lichtwellenleiter für alle Schulen")
    admin = factories.account(db, "Ada Admin", role=factories.Role.ADMIN)
    factories.login(client, db, admin)
    assert _found(client, "Glasfaser") == []

    page = client.get(PATH)
    assert page.status_code == 200
    assert "OZG = Onlinezugangsgesetz" in page.text
    assert "mitgelieferte Liste" in page.text and "wiederherstellen" not in page.text
    token = factories.csrf_token(client, PATH)
    assert client.post(PATH, data={"synonyms": "a = b"}).status_code == 403  # no CSRF token

    typed = "Glasfaser = Lichtwellenleiter\nnur <b>ein</b> Ausdruck\n"
    refused = client.post(PATH, data={"csrf_token": token, "synonyms": typed})
    assert refused.status_code == 422
    assert 'href="#field-synonyms"' in refused.text  # the error summary links the field
    assert "Zeile 2" in refused.text
    assert "nur &lt;b&gt;ein&lt;/b&gt; Ausdruck" in refused.text  # kept as typed, escaped
    assert "<b>ein</b>" not in refused.text
    assert synonym_list.stored_text(db) is None

    missing = client.post(PATH, data={"csrf_token": token})  # no field: nothing is wiped
    assert missing.status_code == 422
    assert synonym_list.stored_text(db) is None

    saved = client.post(
        PATH, data={"csrf_token": token, "synonyms": "Glasfaser = Lichtwellenleiter\n"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == PATH
    shown = client.get(PATH).text
    assert "(1 Gruppe)" in shown and "wiederherstellen" in shown
    assert _found(client, "Glasfaser") == [wanted.id]

    restored = client.post(f"{PATH}/standard", data={"csrf_token": token})
    assert restored.status_code == 303
    assert "mitgelieferte Liste der Synonyme" in client.get(PATH).text  # the flash
    assert _found(client, "Glasfaser") == []


def test_only_admins_edit_the_synonyms(client: TestClient, db: Session) -> None:
    assert client.get(PATH).status_code in {302, 303}
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    assert client.get(PATH).status_code == 403
    token = factories.csrf_token(client, "/")
    for path in (PATH, f"{PATH}/standard"):
        answer = client.post(path, data={"csrf_token": token, "synonyms": "a = b"})
        assert answer.status_code == 403
    assert synonym_list.stored_text(db) is None
