"""Colleagues of the owning municipality hear of signals (on by default) and, if they
choose, of comments on their municipality's Vorhaben; never of what they may not see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.config import Settings
from app.notifications.models import Notification, NotificationKind
from app.vorhaben import cooperation
from tests import factories


def _kinds(db: Session, account: factories.Account) -> list[NotificationKind]:
    return list(
        db.scalars(
            select(Notification.kind)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    )


def _town(db: Session) -> tuple[factories.Account, factories.Account, factories.Account]:
    town = factories.municipality(db, "Kollegenstadt, Stadt")
    author = factories.account(db, "Anna Autorin", municipality=town)
    colleague = factories.account(db, "Kai Kollege", municipality=town)
    outsider = factories.account(db, "Olaf Außen")
    return author, colleague, outsider


def test_colleagues_hear_of_signals_by_default_and_of_comments_when_they_choose(
    db: Session, settings: Settings
) -> None:
    author, colleague, outsider = _town(db)
    vorhaben = factories.vorhaben(db, author, "Digitale Bürgerdienste")
    cooperation.set_signal(db, settings, outsider, vorhaben.id, "interested", on=True)
    factories.comment(db, outsider, vorhaben, "Wie weit sind Sie?")
    assert _kinds(db, colleague) == [NotificationKind.SIGNAL]

    preferences.save(
        db, colleague, "immediate", [], municipality_comments=True, municipality_signals=False
    )
    cooperation.set_signal(db, settings, outsider, vorhaben.id, "reuse", on=True)
    factories.comment(db, outsider, vorhaben, "Noch eine Frage.")
    assert _kinds(db, colleague) == [NotificationKind.SIGNAL, NotificationKind.COMMENT]


def test_a_colleague_who_also_follows_hears_once(db: Session, settings: Settings) -> None:
    author, colleague, outsider = _town(db)
    vorhaben = factories.vorhaben(db, author, "Digitale Bürgerdienste")
    preferences.save(db, colleague, "immediate", [], municipality_comments=True)
    cooperation.set_follow(db, colleague, vorhaben.id, on=True)
    factories.comment(db, outsider, vorhaben, "Frage")
    assert _kinds(db, colleague) == [NotificationKind.COMMENT]
    assert _kinds(db, author) == [NotificationKind.COMMENT]


def test_only_members_who_may_see_it_are_told(db: Session, settings: Settings) -> None:
    """The receivers go through the visibility rule: a suspended colleague hears nothing;
    a Vorhaben shared with the own municipality only reaches the colleagues."""
    author, colleague, outsider = _town(db)
    suspended = factories.account(
        db, "Sven Gesperrt", municipality=db.get(factories.Municipality, author.municipality_id)
    )
    for person in (colleague, suspended):
        preferences.save(db, person, "immediate", [], municipality_comments=True)
    suspended.state = factories.AccountState.SUSPENDED
    internal = factories.vorhaben(db, author, "Interne Idee", visibility="municipality")
    factories.comment(db, colleague, internal, "Gute Idee")
    assert _kinds(db, author) == [NotificationKind.COMMENT]
    assert _kinds(db, suspended) == []
    assert outsider.id not in set(db.scalars(select(Notification.account_id)))


def test_the_account_page_offers_the_choice_and_keeps_it(client: TestClient, db: Session) -> None:
    _author, colleague, _outsider = _town(db)
    factories.login(client, db, colleague)
    page = client.get("/konto").text
    assert 'name="municipality_signals" value="1" checked' in page
    assert 'name="municipality_comments" value="1">' in page
    token = factories.csrf_token(client, "/konto")
    saved = client.post(
        "/konto/einstellungen",
        data={"csrf_token": token, "mail_mode": "digest", "municipality_comments": "1"},
    )
    assert saved.status_code == 303
    page = client.get("/konto").text
    assert 'name="municipality_comments" value="1" checked' in page
    assert 'name="municipality_signals" value="1">' in page
    assert preferences.settings_of(db, colleague.id).municipality_comments is True
    profile = client.get("/konto/daten/export.json").json()["profile"]
    assert profile["notify_municipality_comments"] is True
    assert profile["notify_municipality_signals"] is False
