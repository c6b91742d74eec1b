"""The copy of a Vorhaben's scope on its index rows (search entries of it and of its comments,
similar-Vorhaben terms): it follows every change in the transaction that makes it, and the
rule over the copy (scoped_visible_clause) admits exactly the rows of the Vorhaben the rule
over the Vorhaben (visible_clause) admits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState
from app.config import Settings
from app.core.clock import utcnow
from app.moderation import reports
from app.search.models import SearchEntry, VorhabenTerm
from app.vorhaben import service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import (
    scoped_visible_clause,
    visible_clause,
)
from tests import factories


def _scopes(db: Session, vorhaben_id: int) -> set[str]:
    """The scopes on all index rows of a Vorhaben (as the database holds them now)."""
    found: set[str] = set()
    for model in (SearchEntry, VorhabenTerm):
        found.update(db.scalars(select(model.scope).where(model.vorhaben_id == vorhaben_id)))
    return found


def _entry_count(db: Session, vorhaben_id: int) -> int:
    return len(
        list(db.scalars(select(SearchEntry.id).where(SearchEntry.vorhaben_id == vorhaben_id)))
    )


def test_a_change_of_visibility_reaches_every_index_row_in_its_transaction(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga Owner")
    vorhaben = factories.vorhaben(db, owner, "Baumkataster", description="Bäume zählen")
    factories.comment(db, factories.account(db, "Otto"), vorhaben, "Welche Software?")
    assert _entry_count(db, vorhaben.id) == 2
    assert _scopes(db, vorhaben.id) == {"members"}
    savepoint = db.begin_nested()
    form = service.form_from(service.get(db, owner, vorhaben.id))
    form.visibility = "municipality"
    service.update(db, settings, owner, vorhaben.id, form)
    db.flush()
    assert _scopes(db, vorhaben.id) == {"municipality"}
    savepoint.rollback()  # one transaction: undone together with the Vorhaben
    assert _scopes(db, vorhaben.id) == {"members"}
    # A comment written later takes its Vorhaben's scope.
    form = service.form_from(service.get(db, owner, vorhaben.id))
    form.visibility = "municipality"
    service.update(db, settings, owner, vorhaben.id, form)
    factories.comment(db, owner, vorhaben, "Intern weiter")
    assert _entry_count(db, vorhaben.id) == 3
    assert _scopes(db, vorhaben.id) == {"municipality"}


def test_hiding_and_restoring_reach_every_index_row(db: Session, settings: Settings) -> None:
    owner = factories.account(db, "Olga Owner")
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, owner, "Baumkataster")
    factories.comment(db, owner, vorhaben, "Welche Software?")
    reports.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Prüfung")
    db.flush()
    assert _scopes(db, vorhaben.id) == {"hidden"}
    reports.request_review(db, settings, owner, "vorhaben", vorhaben.id, "Bitte")
    reports.decide(db, settings, moderator, "vorhaben", vorhaben.id, "restore", "Ok")
    db.flush()
    assert _scopes(db, vorhaben.id) == {"members"}
    # By any code path that changes the Vorhaben (here the ORM object itself).
    loaded = db.get(Vorhaben, vorhaben.id)
    assert loaded is not None
    loaded.hidden_at = utcnow()
    db.flush()
    assert _scopes(db, vorhaben.id) == {"hidden"}


def test_the_rule_over_the_copy_admits_what_the_rule_over_the_vorhaben_does(
    db: Session,
) -> None:
    owner = factories.account(db, "Olga Owner")
    home = db.get(factories.Municipality, owner.municipality_id)
    colleague = factories.account(db, "Carl Colleague", municipality=home)
    stranger = factories.account(db, "Rita Reader")
    pending = factories.account(db, "Paul Pending", state=AccountState.PENDING)
    made = [
        factories.vorhaben(db, owner, "Offen"),
        factories.vorhaben(db, owner, "Intern", visibility="municipality"),
        factories.vorhaben(db, owner, "Offen versteckt"),
        factories.vorhaben(db, owner, "Intern versteckt", visibility="municipality"),
        factories.vorhaben(db, colleague, "Vom Kollegen versteckt"),
        factories.vorhaben(db, stranger, "Fremd intern", visibility="municipality"),
    ]
    authors = [owner] * 4 + [colleague, stranger]
    for author, vorhaben in zip(authors, made, strict=True):
        factories.comment(db, author, vorhaben, "Ein Kommentar")
    for index in (2, 3, 4):
        made[index].hidden_at = utcnow()
    db.flush()
    for reader in (owner, colleague, stranger, pending):
        expected = set(db.scalars(select(Vorhaben.id).where(visible_clause(reader))))
        for model in (SearchEntry, VorhabenTerm):
            column: Any = model.vorhaben_id
            found = set(
                db.scalars(select(column).where(scoped_visible_clause(reader, model.scope, column)))
            )
            indexed = set(db.scalars(select(column)))
            assert found == expected & indexed, (reader.display_name, model.__name__)
            assert indexed >= {vorhaben.id for vorhaben in made}
    # The control: the readers do see differently.
    seen = {
        frozenset(db.scalars(select(Vorhaben.id).where(visible_clause(reader))))
        for reader in (owner, colleague, stranger)
    }
    assert len(seen) == 3
