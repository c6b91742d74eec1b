"""Co-editors of a Vorhaben: members of its named partner municipalities whom the owners
(the members of the owning municipality) let edit it (issue 19, part 3).

A co-editor edits the content (title to lessons learned, stage, AI record); the owners
keep what decides who reads and who answers: the visibility, the partner municipalities,
the contact persons and the co-editors themselves. Deleting stays with the author and the
moderators, the public version (export) with the owners. A co-editor edits only while
their municipality is a partner of the Vorhaben and they can see it: a member who changes
municipality loses it at once, and removing a partner municipality removes its co-editors
(audited, as is every grant and withdrawal).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    PrimaryKeyConstraint,
    and_,
    delete,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import parse_id
from app.db import Base
from app.i18n import gettext as _
from app.vorhaben.models import Vorhaben, VorhabenPartner
from app.vorhaben.visibility import Reader, can_see


class VorhabenCoEditor(Base):
    __tablename__ = "vorhaben_co_editors"
    __table_args__ = (PrimaryKeyConstraint("vorhaben_id", "account_id"),)

    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def co_editing_clause(reader: Reader, vorhaben_id: Any) -> ColumnElement[bool]:
    """SQL: the reader is named a co-editor of the Vorhaben `vorhaben_id` (a value, or a
    column of the enclosing statement: the Vorhaben page reads it with the Vorhaben) and is
    a member of one of its partner municipalities now. A municipality of None (NULL) is in
    none."""
    named = (
        exists()
        .where(
            VorhabenCoEditor.vorhaben_id == vorhaben_id,
            VorhabenCoEditor.account_id == reader.id,
        )
        .correlate_except(VorhabenCoEditor)
    )
    partner = (
        exists()
        .where(
            VorhabenPartner.vorhaben_id == vorhaben_id,
            VorhabenPartner.municipality_id == reader.municipality_id,
        )
        .correlate_except(VorhabenPartner)
    )
    return and_(named, partner)


def is_co_editor(db: Session, reader: Reader, vorhaben_id: int) -> bool:
    """Named a co-editor, and a member of one of the Vorhaben's partner municipalities now.

    (Whether they can see it is decided where the Vorhaben is read: service.get().)"""
    if not reader.is_member or reader.municipality_id is None:
        return False
    return bool(db.scalar(select(co_editing_clause(reader, vorhaben_id))))


def co_editors(db: Session, vorhaben_id: int) -> list[Account]:
    """The co-editors named for the Vorhaben, by name."""
    return list(
        db.scalars(
            select(Account)
            .join(VorhabenCoEditor, VorhabenCoEditor.account_id == Account.id)
            .where(VorhabenCoEditor.vorhaben_id == vorhaben_id)
            .order_by(Account.display_name, Account.id)
        )
    )


def candidates(db: Session, vorhaben: Vorhaben) -> list[Account]:
    """Approved members of the partner municipalities who can see the Vorhaben and are not
    co-editors yet."""
    named = select(VorhabenCoEditor.account_id).where(VorhabenCoEditor.vorhaben_id == vorhaben.id)
    partners = select(VorhabenPartner.municipality_id).where(
        VorhabenPartner.vorhaben_id == vorhaben.id
    )
    rows = db.scalars(
        select(Account)
        .where(
            Account.state == AccountState.APPROVED,
            Account.municipality_id.in_(partners),
            Account.id.not_in(named),
        )
        .options(joinedload(Account.municipality))
        .order_by(Account.display_name, Account.id)
    )
    return [account for account in rows if can_see(account, vorhaben)]


def _record(
    db: Session, action: str, actor_id: int | None, vorhaben: Vorhaben, account_id: int
) -> None:
    audit.record(
        db,
        action,
        actor_id=actor_id,
        object_type="vorhaben",
        object_id=vorhaben.id,
        subject_id=account_id,
        title=vorhaben.title,
    )


def add(db: Session, owner: Reader, vorhaben: Vorhaben, account: str) -> Account:
    """Name a co-editor (the caller checked that `owner` owns the Vorhaben); audited."""
    chosen_id = parse_id(account)
    chosen = next((entry for entry in candidates(db, vorhaben) if entry.id == chosen_id), None)
    if chosen is None:
        raise ValidationFailed(
            {
                "account": _(
                    "Bitte wählen Sie ein Mitglied einer Partnerkommune, "
                    "das das Vorhaben sehen kann."
                )
            }
        )
    db.add(VorhabenCoEditor(vorhaben_id=vorhaben.id, account_id=chosen.id, added_by_id=owner.id))
    _record(db, "vorhaben_co_editor_added", owner.id, vorhaben, chosen.id)
    db.flush()
    return chosen


def remove(db: Session, owner: Reader, vorhaben: Vorhaben, account: str) -> Account:
    """Withdraw a co-editor (the caller checked ownership); audited."""
    chosen_id = parse_id(account)
    chosen = next((entry for entry in co_editors(db, vorhaben.id) if entry.id == chosen_id), None)
    if chosen is None:
        raise NotFound(_("Diese Person bearbeitet das Vorhaben nicht mit."))
    db.execute(
        delete(VorhabenCoEditor).where(
            VorhabenCoEditor.vorhaben_id == vorhaben.id,
            VorhabenCoEditor.account_id == chosen.id,
        )
    )
    _record(db, "vorhaben_co_editor_removed", owner.id, vorhaben, chosen.id)
    db.flush()
    return chosen


def prune(db: Session, actor_id: int, vorhaben: Vorhaben) -> None:
    """After the partners changed: co-editors whose municipality is no longer a partner
    are removed, each audited."""
    partners = select(VorhabenPartner.municipality_id).where(
        VorhabenPartner.vorhaben_id == vorhaben.id
    )
    gone = list(
        db.scalars(
            select(VorhabenCoEditor.account_id)
            .join(Account, Account.id == VorhabenCoEditor.account_id)
            .where(
                VorhabenCoEditor.vorhaben_id == vorhaben.id,
                Account.municipality_id.is_(None) | Account.municipality_id.not_in(partners),
            )
        )
    )
    for account_id in gone:
        db.execute(
            delete(VorhabenCoEditor).where(
                VorhabenCoEditor.vorhaben_id == vorhaben.id,
                VorhabenCoEditor.account_id == account_id,
            )
        )
        _record(db, "vorhaben_co_editor_removed", actor_id, vorhaben, account_id)
