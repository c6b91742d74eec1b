"""Checking a submitted Vorhaben form completely (field rules, partner and contact lookups)
before the service writes anything: a refused form must leave no trace in the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.circles import repository as circle_repository
from app.core.errors import ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality
from app.vorhaben import forms
from app.vorhaben.models import FieldOfAction, Visibility


def known_field_ids(db: Session) -> set[int]:
    """The ids of the fields of action a form may choose."""
    return set(db.scalars(select(FieldOfAction.id).where(FieldOfAction.active.is_(True))))


def _resolve_partners(
    db: Session, errors: dict[str, str], ags_list: list[str], owner_id: int
) -> list[int]:
    if not ags_list:
        return []
    found = {
        entry.ags: entry
        for entry in db.scalars(select(Municipality).where(Municipality.ags.in_(ags_list)))
    }
    if any(
        (entry := found.get(ags)) is None or not municipalities.is_selectable(entry)
        for ags in ags_list
    ):
        errors["partner_municipalities"] = _("Bitte wählen Sie Kommunen aus dem Verzeichnis.")
        return []
    return [found[ags].id for ags in ags_list if found[ags].id != owner_id]


def _resolve_contacts(
    db: Session, errors: dict[str, str], ids: list[int], owner_id: int
) -> list[int]:
    if not ids:
        return []
    valid = set(
        db.scalars(
            select(Account.id).where(
                Account.id.in_(ids),
                Account.state == AccountState.APPROVED,
                Account.municipality_id == owner_id,
            )
        )
    )
    if valid != set(ids):
        errors["contacts"] = _("Ansprechpersonen müssen Mitglieder Ihrer Kommune sein.")
        return []
    return ids


class LessonsWanted(ValidationFailed):
    """The stage becomes final and nothing is said about lessons learned: ask once.

    Not a rule: the member may save anyway (the form's "save without" button)."""


@dataclass(frozen=True)
class Checked:
    """A submitted form with every rule checked and every lookup done: safe to write."""

    data: forms.CleanVorhaben
    partner_ids: list[int]
    contact_ids: list[int]


def check(db: Session, form: forms.VorhabenForm, owner_id: int, editor_id: int) -> Checked:
    """Check the form, partners, contacts and the circle together, before anything is
    written (a circle only one the editor is an active member of)."""
    data, errors = forms.clean(form, known_field_ids(db))
    if (
        data is not None
        and data.visibility is Visibility.CIRCLE
        and data.circle_id not in circle_repository.active_circle_ids(db, editor_id)
    ):
        errors["visibility"] = _("Bitte wählen Sie einen Kreis, dem Sie angehören.")
    partner_ags = [value.strip() for value in form.partner_municipalities if value.strip()]
    contact_ids = [cid for value in form.contacts if (cid := parse_id(value)) is not None]
    partners = (
        []
        if "partner_municipalities" in errors
        else _resolve_partners(db, errors, list(dict.fromkeys(partner_ags)), owner_id)
    )
    contacts = (
        []
        if "contacts" in errors
        else _resolve_contacts(db, errors, list(dict.fromkeys(contact_ids)), owner_id)
    )
    if data is None or errors:
        raise ValidationFailed(errors)
    return Checked(data, partners, contacts)


def ask_for_lessons(data: forms.CleanVorhaben) -> None:
    """Raise the one-time question for lessons learned."""
    raise LessonsWanted(
        {
            "lessons_learned": _(
                "Die Phase wird „%(stage)s“: Was haben Sie gelernt? Gerade davon profitieren "
                "andere Kommunen. Sie können auch ohne diese Angabe speichern.",
                stage=_(data.stage.label),
            )
        }
    )
