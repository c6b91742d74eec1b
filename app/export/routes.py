"""The owners' publication page and the moderators' release queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from app.accounts.models import Account
from app.auth.deps import Member, Moderator
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.ids import parse_id
from app.export import (
    audience,
    consent_routes,
    eligibility,
    files,
    forms,
    images,
    partner_consent,
    public_routes,
    service,
    vocabularies,
    withdrawal,
)
from app.export import review as publication_review
from app.export.models import CONSENT_STATE_LABELS, PublicationState, PublicationVersion
from app.i18n import N_
from app.i18n import gettext as _
from app.vorhaben import repository
from app.vorhaben import service as vorhaben_service
from app.vorhaben.diff import changes
from app.vorhaben.models import AI_LABELS, STAGE_LABELS, Stage
from app.vorhaben.spdx import LICENSES
from app.vorhaben.visibility import moderator_reads
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)
NOT_ASKED = N_("wird beim Speichern um Zustimmung gebeten")


async def _publication_form(request: Request) -> tuple[forms.PublicationForm, str]:
    try:
        data: FormData = await request.form()
    except Exception as error:
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        return [value for value in data.getlist(name) if isinstance(value, str)]

    form = forms.PublicationForm(
        title=text("title"),
        summary=text("summary"),
        description=text("description"),
        stage=text("stage"),
        fields_of_action=many("fields_of_action"),
        tags=text("tags"),
        website_url=text("website_url"),
        repository_url=text("repository_url"),
        license=text("license"),
        uses_ai=text("uses_ai") or "none",
        partner_municipalities=many("partner_municipalities"),
        contact_consent=text("contact_consent") in {"1", "on", "true"},
        content_license=text("content_license"),
        seeks_partners=text("seeks_partners") in {"1", "on", "true"},
        lessons_learned=text("lessons_learned"),
        funding_programme=text("funding_programme"),
        start_date=text("start_date"),
        end_date=text("end_date"),
        title_en=text("title_en"),
        summary_en=text("summary_en"),
        mailbox_name=text("mailbox_name"),
        mailbox_email=text("mailbox_email"),
        ai_record=text("ai_record") in {"1", "on", "true"},
        destinations=text("destinations"),
        destination_public=text("destination_public") in {"1", "on", "true"},
        destination_partners=many("destination_partners"),
    )
    return form, text("action") or "save"


Submitted = Annotated[tuple[forms.PublicationForm, str], Depends(_publication_form)]


@dataclass(frozen=True)
class ImageForm:
    action: str  # "upload" (or a new alternative text alone) or "remove"
    alt: str
    upload: bytes


async def _image_form(request: Request) -> ImageForm:
    try:
        data: FormData = await request.form()
    except Exception as error:
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error
    upload = b""
    file = data.get("image")
    try:
        if isinstance(file, UploadFile):
            # One byte more than allowed is enough to refuse it (app.export.images).
            upload = await file.read(images.MAX_BYTES + 1)
    finally:
        await data.close()  # the spooled upload files
    action, alt = data.get("action"), data.get("image_alt")
    return ImageForm(
        action if isinstance(action, str) else "upload",
        alt if isinstance(alt, str) else "",
        upload,
    )


ImageSubmitted = Annotated[ImageForm, Depends(_image_form)]


def _page(
    request: Request,
    db: DbSession,
    member: Account,
    vorhaben_id: int,
    *,
    form: forms.PublicationForm | None = None,
    errors: dict[str, str] | None = None,
    image_alt: str | None = None,
    status_code: int = 200,
) -> Response:
    vorhaben = vorhaben_service.get(db, member, vorhaben_id)
    publication = service.of_vorhaben(db, vorhaben.id)
    form = form or service.form_for(db, vorhaben, publication, member)
    contact = service.contact_person(db, publication)
    consent_labels = (
        {
            ags: CONSENT_STATE_LABELS[state]
            for ags, state in partner_consent.states(db, publication.id).items()
        }
        if publication is not None
        else {}
    )
    preview: dict[str, Any] | None = None
    if publication is not None:
        preview = service.preview(db, request.app.state.settings, publication)
    return render(
        request,
        "export/publication.html",
        {
            "page_title": _("Veröffentlichung: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            "publication": publication,
            "form": form,
            "errors": errors or {},
            "labels": {key: _(value) for key, value in forms.LABELS.items()},
            "can_edit": vorhaben_service.can_edit(member, vorhaben),
            "outside_registry": eligibility.owner_outside_registry(db, vorhaben.municipality_id),
            "can_withdraw": publication is not None and service.can_withdraw(publication),
            "other_contact": contact if contact is not None and contact.id != member.id else None,
            "stage_options": [(stage.value, _(label)) for stage, label in STAGE_LABELS.items()],
            "field_options": [
                (str(entry.id), _(entry.label)) for entry in repository.fields_of_action(db)
            ],
            "ai_options": [(key.value, _(label)) for key, label in AI_LABELS.items()],
            "license_options": [(key, f"{_(label)} ({key})") for key, label in LICENSES],
            "content_license_options": [
                (entry.id, _(entry.label)) for entry in vocabularies.CONTENT_LICENSES
            ],
            "destination_options": [
                (str(partner.id), partner.name) for partner in audience.destinations(db)
            ],
            "ai_record_recorded": vorhaben.ai_record is not None
            and not vorhaben.ai_record.is_empty,
            "partner_options": [
                (entry.ags, f"{entry.name} – {_(consent_labels.get(entry.ags, NOT_ASKED))}")
                for entry in vorhaben.partners
            ],
            "preview": preview,
            "preview_json": json.dumps(preview, ensure_ascii=False, indent=2) if preview else "",
            "preview_stage_label": STAGE_LABELS[Stage(preview["stage"])] if preview else "",
            "field_labels": public_routes.field_labels(db),
            "review": request.app.state.settings.publication_review,
            "image_alt": image_alt
            if image_alt is not None
            else (publication.image_alt or "" if publication else ""),
            "draft_image": publication is not None and publication.image_sha256 is not None,
            "file_options": files.options(db, vorhaben.id, publication),
            "image_src": f"/veroeffentlichungen/{publication.id}/entwurfsbild"
            if publication is not None and publication.image_sha256
            else None,
        },
        status_code=status_code,
    )


@router.get("/vorhaben/{vorhaben_id:id}/publication")
def publication_page(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The public version: the form (from the Vorhaben on first visit), state and preview."""
    request.state.nav = "vorhaben"
    return _page(request, db, member, vorhaben_id)


@router.post("/vorhaben/{vorhaben_id:id}/publication/bild")
def publication_image(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, submitted: ImageSubmitted
) -> Response:
    """Upload, describe or remove the draft's image (checked by content, re-encoded)."""
    request.state.nav = "vorhaben"
    try:
        service.change_image(
            db, member, vorhaben_id, submitted.action, submitted.upload, submitted.alt
        )
    except ValidationFailed as error:
        return _page(
            request,
            db,
            member,
            vorhaben_id,
            errors=error.errors,
            image_alt=submitted.alt,
            status_code=422,
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}/publication#bild", status_code=303)
    flash(
        request,
        response,
        _("Das Bild ist entfernt.")
        if submitted.action == "remove"
        else _("Das Bild ist gespeichert; öffentlich wird es mit der nächsten Freigabe."),
    )
    return response


@router.get("/veroeffentlichungen/{publication_id}/entwurfsbild")
def draft_image(request: Request, publication_id: str, member: Member, db: DbSession) -> Response:
    """The draft's image for the owners' preview and the moderators' review."""
    publication = service.get(db, publication_id[:64])
    vorhaben = service.vorhaben_of(db, publication)
    owners = vorhaben is not None and vorhaben_service.can_edit(member, vorhaben)
    reviewing = member.is_moderator and publication.state is PublicationState.SUBMITTED
    image = images.draft_image(db, publication) if owners or reviewing else None
    if image is None:
        raise NotFound(_("Dieses Bild gibt es nicht."))
    return Response(
        image.data, media_type=image.media_type, headers={"Cache-Control": "private, no-cache"}
    )


@router.post("/vorhaben/{vorhaben_id:id}/publication")
def publication_action(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, submitted: Submitted
) -> Response:
    """Save the draft, submit it for release, or withdraw the publication."""
    request.state.nav = "vorhaben"
    form, action = submitted
    settings = request.app.state.settings
    try:
        if action == "withdraw":
            withdrawal.withdraw_by_owner(db, settings, member, vorhaben_id)
            message = _("Die Veröffentlichung ist zurückgezogen; Partner erfahren es sofort.")
        elif action == "submit":
            publication = service.submit(db, settings, member, vorhaben_id, form)
            message = (
                _("Veröffentlicht.")
                if publication.state is PublicationState.PUBLISHED
                else _("Zur Freigabe eingereicht. Die Moderation prüft.")
            )
        else:
            was_contact = service.is_public_contact(db, vorhaben_id, member)
            service.save(db, settings, member, vorhaben_id, form)
            message = (
                _(
                    "Entwurf gespeichert. Sie sind ab sofort nicht mehr öffentliche "
                    "Kontaktperson; Partner erfahren es sofort."
                )
                if was_contact and not form.contact_consent
                else _("Entwurf gespeichert. Öffentlich ist noch nichts.")
            )
    except ValidationFailed as error:
        return _page(
            request, db, member, vorhaben_id, form=form, errors=error.errors, status_code=422
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}/publication", status_code=303)
    flash(request, response, message)
    return response


# -- moderation -------------------------------------------------------------------------------


@router.get("/moderation/publications")
def publication_queue(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """Submissions waiting for release, oldest first."""
    request.state.nav = "moderation"
    return render(
        request,
        "export/queue.html",
        {"page_title": _("Veröffentlichungen prüfen"), "waiting": publication_review.queue(db)},
    )


def _review_page(
    request: Request,
    db: DbSession,
    moderator: Account,
    publication_id: str,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    withdraw_errors: dict[str, str] | None = None,
    withdraw_reason: str = "",
    status_code: int = 200,
) -> Response:
    publication = service.get(db, publication_id)
    current = db.scalars(
        select(PublicationVersion)
        .where(PublicationVersion.publication_id == publication.id)
        .order_by(PublicationVersion.version.desc())
        .limit(1)
    ).first()
    # A moderator reads the submitted draft (its review; audited unless it is their own
    # municipality's), or else only what is public: never a draft nobody submitted.
    submitted = publication.state is PublicationState.SUBMITTED
    if not submitted and not (publication.live and current is not None):
        raise NotFound(_("Diese Veröffentlichung gibt es nicht."))
    moderator_reads(
        db,
        moderator,
        readable=not submitted or moderator.municipality_id == publication.municipality_id,
        grant="publication_review" if submitted else None,
        object_type="publication",
        object_id=publication.id,
    )
    if submitted:
        preview = service.preview(db, request.app.state.settings, publication)
    else:
        assert current is not None  # noqa: S101 - checked above
        preview, current = dict(current.item), None
    vorhaben = service.vorhaben_of(db, publication)
    ignored = {"version", "modified", "published", "created"}
    compare = {key: value for key, value in preview.items() if key not in ignored}
    before = {
        key: value for key, value in (current.item if current else {}).items() if key not in ignored
    }
    return render(
        request,
        "export/review.html",
        {
            "page_title": _("Veröffentlichung prüfen: %(title)s", title=preview["title"]),
            "publication": publication,
            "preview": preview,
            "preview_json": json.dumps(preview, ensure_ascii=False, indent=2),
            "changes": changes(
                {key: json.dumps(value, ensure_ascii=False) for key, value in before.items()},
                {key: json.dumps(value, ensure_ascii=False) for key, value in compare.items()},
            )
            if current
            else [],
            "current": current,
            "errors": errors or {},
            "reason": reason,
            "withdraw_reason": withdraw_reason,
            "withdraw_errors": withdraw_errors or {},
            "labels": {"reason": _("Begründung"), "decision": _("Entscheidung")},
            "preview_stage_label": STAGE_LABELS[Stage(preview["stage"])],
            "field_labels": public_routes.field_labels(db),
            "destinations": audience.chosen(db, publication),
            "destination_names": [
                partner.name
                for partner in audience.destinations(db)
                if partner.id in audience.chosen(db, publication).partners
            ],
            # The submitted draft's image is not public yet: shown through the review.
            "image_src": f"/veroeffentlichungen/{publication.id}/entwurfsbild"
            if submitted and publication.image_sha256
            else None,
            "self_review": publication_review.self_review(moderator, publication, vorhaben),
            "can_withdraw": service.can_withdraw(publication),
        },
        status_code=status_code,
    )


@router.get("/moderation/publications/{publication_id}")
def review(request: Request, publication_id: str, moderator: Moderator, db: DbSession) -> Response:
    """Exactly what partners would get, and what changed since the live version."""
    request.state.nav = "moderation"
    return _review_page(request, db, moderator, publication_id)


@router.post("/moderation/publications/{publication_id}")
def decide(
    request: Request,
    publication_id: str,
    moderator: Moderator,
    db: DbSession,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form()] = "",
    revision: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Release (a new version goes out) or decline (back to the owners, with the reason).

    The form carries the draft revision the moderator saw; a changed draft is refused
    with 409 and the page shows the current one."""
    request.state.nav = "moderation"
    try:
        publication = publication_review.decide(
            db,
            request.app.state.settings,
            moderator,
            publication_id,
            decision,
            reason,
            revision=parse_id(revision),
        )
    except ValidationFailed as error:
        return _review_page(
            request,
            db,
            moderator,
            publication_id,
            errors=error.errors,
            reason=reason,
            status_code=422,
        )
    except NotFound:
        raise
    except DomainError as error:
        # Refused before anything changed (self-review, a changed draft, a hidden Vorhaben).
        return _review_page(
            request,
            db,
            moderator,
            publication_id,
            errors={"decision": error.message},
            reason=reason,
            status_code=error.status_code,
        )
    response = RedirectResponse("/moderation/publications", status_code=303)
    flash(
        request,
        response,
        _("Freigegeben: %(title)s", title=publication.title)
        if decision == "release"
        else _("Abgelehnt: %(title)s", title=publication.title),
    )
    return response


@router.post("/moderation/publications/{publication_id}/withdraw")
def moderator_withdraw(
    request: Request,
    publication_id: str,
    moderator: Moderator,
    db: DbSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A moderator takes a publication back (a tombstone goes out at once): with a reason,
    audited and mailed to the owners."""
    request.state.nav = "moderation"
    try:
        withdrawal.withdraw_by_moderator(
            db, request.app.state.settings, moderator, publication_id, reason
        )
    except ValidationFailed as error:
        return _review_page(
            request,
            db,
            moderator,
            publication_id,
            withdraw_errors={"withdraw_reason": error.errors.get("reason", error.message)},
            withdraw_reason=reason,
            status_code=422,
        )
    # Back to the queue: withdrawn, nothing of it is the moderators' to read any more.
    response = RedirectResponse("/moderation/publications", status_code=303)
    # Not the draft's title: a change the owners saved but did not submit is theirs alone.
    flash(
        request, response, _("Die Veröffentlichung ist zurückgezogen; Partner erfahren es sofort.")
    )
    return response


# The partner municipalities' consent pages live in consent_routes; served under this router.
router.include_router(consent_routes.router)
