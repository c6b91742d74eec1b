"""The moderation overview shows every queue with what waits in it; the sub-navigation
says where one is."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.config import Settings
from app.export import service as publications
from app.moderation import reports
from tests import factories
from tests.publishing import form_of, make_scene


@pytest.fixture
def moderator(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Rita Review", role=Role.MODERATOR)
    factories.login(client, db, person)
    return person


def _card(page: str, title: str) -> str:
    cards = [card for card in page.split('<li class="card">')[1:] if f">{title}</a></h2>" in card]
    assert len(cards) == 1, title
    return cards[0].split("</li>")[0]


def test_the_overview_counts_every_queue(
    client: TestClient, db: Session, settings: Settings, moderator: factories.Account
) -> None:
    scene = make_scene(db)
    publications.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    comment = factories.comment(db, scene.owner, scene.vorhaben, "Werbung!")
    for _ in range(2):
        reporter = factories.account(db)
        reports.report(db, settings, reporter, "comment", comment.id, "spam", "")
    factories.application(db, factories.account(db, state=AccountState.PENDING))
    page = client.get("/moderation").text
    assert "1 offene Meldung" in _card(page, "Meldungen")  # two reports, one contribution
    assert "1 Veröffentlichung wartet auf Freigabe" in _card(page, "Veröffentlichungen")
    assert "1 offener Antrag" in _card(page, "Mitgliedsanträge")
    assert 'href="/moderation/reports"' in _card(page, "Meldungen")


def test_an_empty_queue_says_so(client: TestClient, moderator: factories.Account) -> None:
    page = client.get("/moderation").text
    assert "Keine offenen Meldungen" in _card(page, "Meldungen")
    assert "Nichts wartet auf Freigabe" in _card(page, "Veröffentlichungen")


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/moderation", "Übersicht"),
        ("/moderation/applications", "Mitgliedsanträge"),
        ("/moderation/reports", "Meldungen"),
        ("/moderation/publications", "Veröffentlichungen"),
        ("/moderation/members", "Mitglieder"),
        ("/moderation/domains", "E-Mail-Domains"),
        ("/moderation/audit", "Protokoll"),
    ],
)
def test_the_sub_navigation_marks_the_current_page(
    client: TestClient, moderator: factories.Account, path: str, label: str
) -> None:
    page = client.get(path).text
    subnav = page.split('aria-label="Moderation"')[1].split("</nav>")[0]
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', subnav)
    assert current == [(path, label)]


def test_the_domain_form_asks_for_the_domains_municipality(
    client: TestClient, moderator: factories.Account
) -> None:
    """Its fieldset read "Ihre Kommune", as in the application form."""
    page = client.get("/moderation/domains").text
    form = page.split('action="/moderation/domains"')[1].split("</form>")[0]
    assert "<legend>Kommune, zu der die Domain gehört</legend>" in form
    assert "Ihre Kommune" not in form
