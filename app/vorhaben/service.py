"""Vorhaben: create, edit (with versions and the stage state machine), delete, read."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app import events
from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.config import Settings
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.text import fold
from app.i18n import gettext as _
from app.municipalities.models import Municipality
from app.vorhaben import ai_record, co_editors, forms, stages, validation
from app.vorhaben.models import (
    Follow,
    StageChange,
    Visibility,
    Vorhaben,
    VorhabenContact,
    VorhabenField,
    VorhabenPartner,
    VorhabenTag,
    VorhabenVersion,
    VorhabenVersionContact,
)
from app.vorhaben.visibility import Reader, require_visible


class Owned(Protocol):
    """A Vorhaben as the permission checks read it (the ORM object or a page's rows)."""

    @property
    def municipality_id(self) -> int: ...

    @property
    def author_id(self) -> int | None: ...

    @property
    def id(self) -> int: ...


def can_edit(account: Reader, vorhaben: Owned) -> bool:
    """Members of the owning municipality edit its Vorhaben."""
    return (
        account.is_member
        and account.municipality_id is not None
        and account.municipality_id == vorhaben.municipality_id
    )


def may_edit(db: Session, account: Reader, vorhaben: Owned) -> bool:
    """The owners (can_edit) and the co-editors (app.vorhaben.co_editors) edit its content;
    only the owners change who reads it."""
    return can_edit(account, vorhaben) or co_editors.is_co_editor(db, account, vorhaben.id)


def can_delete(account: Account, vorhaben: Owned) -> bool:
    """The author and the moderators delete."""
    return account.is_member and (account.id == vorhaben.author_id or account.is_moderator)


def detail_options() -> list[Any]:
    return [
        joinedload(Vorhaben.municipality).joinedload(Municipality.land),
        joinedload(Vorhaben.municipality).joinedload(Municipality.kreis),
        joinedload(Vorhaben.author),
        selectinload(Vorhaben.fields),
        selectinload(Vorhaben.tags),
        selectinload(Vorhaben.partners),
        selectinload(Vorhaben.contacts),
        selectinload(Vorhaben.ai_record),
    ]


def get(db: Session, reader: Reader, vorhaben_id: int) -> Vorhaben:
    """A visible Vorhaben with everything its page shows (404 if the reader may not see it)."""
    vorhaben = (
        db.scalars(
            select(Vorhaben)
            .where(Vorhaben.id == vorhaben_id)
            .options(*detail_options())
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )
    return require_visible(vorhaben, reader)


def _apply(db: Session, vorhaben: Vorhaben, checked: validation.Checked) -> None:
    data = checked.data
    vorhaben.title = data.title
    vorhaben.summary = data.summary
    vorhaben.description = data.description
    vorhaben.description_html = markdown.render(data.description)
    vorhaben.visibility = data.visibility
    vorhaben.circle_id = data.circle_id
    vorhaben.looking_for_partners = data.looking_for_partners
    vorhaben.uses_ai = data.uses_ai
    vorhaben.open_source = data.open_source
    vorhaben.license = data.license
    vorhaben.repository_url = data.repository_url
    vorhaben.website_url = data.website_url
    vorhaben.funding_programme = data.funding_programme
    vorhaben.start_date = data.start_date
    vorhaben.end_date = data.end_date
    vorhaben.lessons_learned = data.lessons_learned
    vorhaben.lessons_learned_html = markdown.render(data.lessons_learned)
    db.flush()
    for table in (VorhabenField, VorhabenTag, VorhabenPartner, VorhabenContact):
        db.execute(delete(table).where(table.vorhaben_id == vorhaben.id))
    db.add_all(
        VorhabenField(vorhaben_id=vorhaben.id, field_id=field_id) for field_id in data.field_ids
    )
    db.add_all(
        VorhabenTag(vorhaben_id=vorhaben.id, tag=tag, tag_folded=fold(tag)[:60])
        for tag in data.tags
    )
    db.add_all(
        VorhabenPartner(vorhaben_id=vorhaben.id, municipality_id=partner)
        for partner in checked.partner_ids
    )
    db.add_all(
        VorhabenContact(vorhaben_id=vorhaben.id, account_id=contact)
        for contact in checked.contact_ids
    )
    ai_record.apply(db, vorhaben.id, data.ai_record)
    db.flush()
    events.publish(db, events.VorhabenChanged(vorhaben.id, tuple(data.tags)))


def snapshot(db: Session, vorhaben_id: int) -> dict[str, Any]:
    """What a version records: every field as members see it."""
    vorhaben = (
        db.scalars(
            select(Vorhaben)
            .where(Vorhaben.id == vorhaben_id)
            .options(*detail_options())
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
    return {
        "title": vorhaben.title,
        "summary": vorhaben.summary,
        "description": vorhaben.description,
        "stage": vorhaben.stage.value,
        "visibility": vorhaben.visibility.value,
        "fields_of_action": [entry.label for entry in vorhaben.fields],
        "tags": vorhaben.tag_names,
        "looking_for_partners": vorhaben.looking_for_partners,
        "uses_ai": vorhaben.uses_ai.value,
        "open_source": vorhaben.open_source,
        "license": vorhaben.license,
        "repository_url": vorhaben.repository_url,
        "website_url": vorhaben.website_url,
        "funding_programme": vorhaben.funding_programme,
        "start_date": vorhaben.start_date.isoformat() if vorhaben.start_date else None,
        "end_date": vorhaben.end_date.isoformat() if vorhaben.end_date else None,
        "lessons_learned": vorhaben.lessons_learned,
        "partner_municipalities": [entry.name for entry in vorhaben.partners],
        "contacts": [{"id": entry.id, "name": entry.display_name} for entry in vorhaben.contacts],
        **ai_record.snapshot(vorhaben.ai_record),
    }


def _version(
    vorhaben_id: int, number: int, editor_id: int, recorded: dict[str, Any]
) -> VorhabenVersion:
    """A version with the index of the contact persons it names."""
    return VorhabenVersion(
        vorhaben_id=vorhaben_id,
        version=number,
        editor_id=editor_id,
        snapshot=recorded,
        contact_links=[
            VorhabenVersionContact(account_id=entry["id"]) for entry in recorded["contacts"]
        ],
    )


def create(
    db: Session,
    settings: Settings,
    author: Account,
    form: forms.VorhabenForm,
    *,
    ask_for_lessons: bool = False,
) -> Vorhaben:
    """A new Vorhaben of the author's municipality; the author follows it.

    Everything is checked before the first write, so a refused form leaves no trace."""
    if not author.is_member or author.municipality_id is None:
        raise Forbidden(_("Nur Mitglieder mit einer Kommune können Vorhaben anlegen."))
    checked = validation.check(db, form, author.municipality_id, author.id)
    data = checked.data
    if ask_for_lessons and data.stage.is_final and not data.lessons_learned:
        validation.ask_for_lessons(data)
    now = utcnow()
    vorhaben = Vorhaben(
        title=data.title,
        stage=data.stage,
        municipality_id=author.municipality_id,
        author_id=author.id,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        version=1,
    )
    db.add(vorhaben)
    db.flush()
    _apply(db, vorhaben, checked)
    stages.begin(db, vorhaben, author)
    db.add(Follow(account_id=author.id, vorhaben_id=vorhaben.id))
    db.add(_version(vorhaben.id, 1, author.id, snapshot(db, vorhaben.id)))
    db.flush()
    events.publish(db, events.VorhabenCreated(settings, vorhaben.id, author.id))
    return vorhaben


def update(
    db: Session,
    settings: Settings,
    editor: Account,
    vorhaben_id: int,
    form: forms.VorhabenForm,
    *,
    expected_version: int | None = None,
    ask_for_lessons: bool = False,
) -> Vorhaben:
    """Save an edit: a new version when anything changed; a stage change on the timeline.

    Everything is checked before the first write, so a refused edit changes nothing."""
    vorhaben = get(db, editor, vorhaben_id)
    owner = can_edit(editor, vorhaben)
    if not owner and not co_editors.is_co_editor(db, editor, vorhaben.id):
        raise Forbidden(_("Bearbeiten können Mitglieder der Kommune, der das Vorhaben gehört."))
    if not owner:
        # A co-editor changes the content; who reads it and who answers stay as they are.
        current = form_from(vorhaben)
        form.visibility = current.visibility
        form.partner_municipalities = current.partner_municipalities
        form.contacts = current.contacts
    if expected_version is not None and expected_version != vorhaben.version:
        raise Conflict(
            _(
                "Jemand hat das Vorhaben inzwischen geändert. Ihre Eingaben sind unten erhalten; "
                "bitte prüfen Sie die aktuelle Fassung und speichern Sie erneut."
            )
        )
    checked = validation.check(db, form, vorhaben.municipality_id, editor.id)
    data = checked.data
    previous_stage = vorhaben.stage
    stage_changes = data.stage != previous_stage
    if stage_changes:
        stages.transition(previous_stage, data.stage)
        if ask_for_lessons and data.stage.is_final and not data.lessons_learned:
            validation.ask_for_lessons(data)
    before = snapshot(db, vorhaben.id)
    if data.visibility is not Visibility.MEMBERS and vorhaben.visibility is Visibility.MEMBERS:
        # Only Vorhaben all members see can be public: restricting it takes it back.
        events.publish(
            db,
            events.VorhabenGoingAway(
                settings,
                vorhaben.id,
                editor.id,
                "Das Vorhaben ist jetzt nicht mehr für alle Mitglieder sichtbar.",
            ),
        )
    _apply(db, vorhaben, checked)
    if owner:
        co_editors.prune(db, editor.id, vorhaben)
    if stage_changes:
        stages.move(db, vorhaben, data.stage, editor)
    after = snapshot(db, vorhaben.id)
    if after == before:
        return vorhaben
    now = utcnow()
    vorhaben.version += 1
    vorhaben.updated_at = now
    vorhaben.last_activity_at = now
    db.add(_version(vorhaben.id, vorhaben.version, editor.id, after))
    db.flush()
    if stage_changes:
        events.publish(
            db, events.StageChanged(settings, vorhaben.id, editor.id, previous_stage.value)
        )
    return vorhaben


def delete_vorhaben(
    db: Session, settings: Settings, actor: Account, vorhaben_id: int, reason: str = ""
) -> None:
    """Delete a Vorhaben with its comments, signals and follows (author or moderators)."""
    vorhaben = get(db, actor, vorhaben_id)
    if not can_delete(actor, vorhaben):
        raise Forbidden(_("Löschen können die Autorin oder der Autor und die Moderation."))
    # Partners learn at once: a published Vorhaben leaves a tombstone in the feed.
    gone = events.VorhabenGoingAway(settings, vorhaben.id, actor.id, "Das Vorhaben wurde gelöscht.")
    events.publish(db, gone)
    if actor.id != vorhaben.author_id:
        audit.record(
            db,
            "vorhaben_deleted",
            actor_id=actor.id,
            object_type="vorhaben",
            object_id=vorhaben.id,
            subject_id=vorhaben.author_id,
            reason=reason or None,
            title=vorhaben.title,
        )
    db.delete(vorhaben)
    db.flush()


def form_from(vorhaben: Vorhaben) -> forms.VorhabenForm:
    """The edit form, filled from the current Vorhaben."""
    return forms.VorhabenForm(
        title=vorhaben.title,
        summary=vorhaben.summary,
        description=vorhaben.description,
        stage=vorhaben.stage.value,
        fields_of_action=[str(entry.id) for entry in vorhaben.fields],
        visibility=forms.visibility_value(vorhaben.visibility, vorhaben.circle_id),
        tags=", ".join(vorhaben.tag_names),
        looking_for_partners=vorhaben.looking_for_partners,
        uses_ai=vorhaben.uses_ai.value,
        open_source=vorhaben.open_source,
        license=vorhaben.license or "",
        repository_url=vorhaben.repository_url or "",
        website_url=vorhaben.website_url or "",
        funding_programme=vorhaben.funding_programme or "",
        start_date=vorhaben.start_date.isoformat() if vorhaben.start_date else "",
        end_date=vorhaben.end_date.isoformat() if vorhaben.end_date else "",
        lessons_learned=vorhaben.lessons_learned,
        partner_municipalities=[entry.ags for entry in vorhaben.partners],
        contacts=[str(entry.id) for entry in vorhaben.contacts],
        ai=ai_record.form_from(vorhaben.ai_record),
    )


def timeline(db: Session, vorhaben_id: int) -> list[StageChange]:
    """The stage changes, oldest first."""
    return list(
        db.scalars(
            select(StageChange)
            .where(StageChange.vorhaben_id == vorhaben_id)
            .order_by(StageChange.created_at, StageChange.id)
        )
    )


def versions(db: Session, vorhaben_id: int) -> list[VorhabenVersion]:
    """Every saved version, newest first."""
    return list(
        db.scalars(
            select(VorhabenVersion)
            .where(VorhabenVersion.vorhaben_id == vorhaben_id)
            .order_by(VorhabenVersion.version.desc())
        )
    )


def version(
    db: Session, vorhaben_id: int, number: int
) -> tuple[VorhabenVersion, VorhabenVersion | None]:
    """One version and the one before it (for the diff)."""
    rows = list(
        db.scalars(
            select(VorhabenVersion)
            .where(
                VorhabenVersion.vorhaben_id == vorhaben_id,
                VorhabenVersion.version.in_((number, number - 1)),
            )
            .order_by(VorhabenVersion.version)
        )
    )
    current = next((row for row in rows if row.version == number), None)
    if current is None:
        raise NotFound(_("Diese Version gibt es nicht."))
    previous = next((row for row in rows if row.version == number - 1), None)
    return current, previous


def members_of(db: Session, municipality_id: int) -> list[Account]:
    """Approved members of a municipality (candidates for contacts)."""
    return list(
        db.scalars(
            select(Account)
            .where(
                Account.municipality_id == municipality_id,
                Account.state == AccountState.APPROVED,
            )
            .order_by(Account.display_name)
        )
    )


def touch(vorhaben: Vorhaben) -> None:
    """Something happened (a comment, a signal): move it up in "recently active"."""
    vorhaben.last_activity_at = utcnow()
