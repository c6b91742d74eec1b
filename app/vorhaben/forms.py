"""The Vorhaben form: what a browser sends, checked field by field (messages translated)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core.ids import is_number, parse_id
from app.core.text import clean_line, fold, forbidden_character, normalize, too_long
from app.core.urls import http_parts
from app.i18n import N_, format_number
from app.i18n import gettext as _
from app.vorhaben import ai_record, spdx
from app.vorhaben.models import AIUse, Stage, Visibility

TITLE_MAX = 200
SUMMARY_MAX = 500
DESCRIPTION_MAX = 50_000
LESSONS_MAX = 20_000
TAGS_MAX = 10
TAG_MAX = 40
URL_MAX = 500
FUNDING_MAX = 200
# Far above any real cooperation; keeps the lookups' IN lists within database limits.
PARTNERS_MAX = 100
CONTACTS_MAX = 50

# How a missing required value is asked for.
REQUIRED = {"title": N_("Bitte geben Sie einen Titel an.")}

LABELS = {
    "title": N_("Titel"),
    "summary": N_("Kurzbeschreibung"),
    "description": N_("Beschreibung"),
    "stage": N_("Phase"),
    "fields_of_action": N_("Handlungsfelder"),
    "visibility": N_("Sichtbarkeit"),
    "tags": N_("Schlagwörter"),
    "uses_ai": N_("Künstliche Intelligenz"),
    "license": N_("Lizenz"),
    "repository_url": N_("Repository"),
    "website_url": N_("Website"),
    "funding_programme": N_("Förderprogramm"),
    "start_date": N_("Beginn"),
    "end_date": N_("Ende"),
    "lessons_learned": N_("Was wir gelernt haben"),
    "partner_municipalities": N_("Partnerkommunen"),
    "contacts": N_("Ansprechpersonen"),
    **ai_record.LABELS,
}


@dataclass
class VorhabenForm:
    """Everything the form sends, as typed (re-rendered unchanged when it fails)."""

    title: str = ""
    summary: str = ""
    description: str = ""
    stage: str = Stage.IDEE.value
    fields_of_action: list[str] = field(default_factory=list)
    visibility: str = Visibility.MEMBERS.value
    tags: str = ""
    looking_for_partners: bool = False
    uses_ai: str = AIUse.NONE.value
    open_source: bool = False
    license: str = ""
    repository_url: str = ""
    website_url: str = ""
    funding_programme: str = ""
    start_date: str = ""
    end_date: str = ""
    lessons_learned: str = ""
    partner_municipalities: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    ai: ai_record.AIRecordForm = field(default_factory=ai_record.AIRecordForm)


@dataclass
class CleanVorhaben:
    """The checked values, ready for the service."""

    title: str
    summary: str
    description: str
    stage: Stage
    field_ids: list[int]
    visibility: Visibility
    tags: list[str]
    looking_for_partners: bool
    uses_ai: AIUse
    open_source: bool
    # The circle shared with (visibility "circle"); validation checks the author is in it.
    circle_id: int | None
    license: str | None
    repository_url: str | None
    website_url: str | None
    funding_programme: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    lessons_learned: str
    partner_ags: list[str]
    contact_ids: list[int]
    ai_record: ai_record.CleanAIRecord = field(default_factory=ai_record.CleanAIRecord)


def text_field(
    errors: dict[str, str],
    name: str,
    value: str,
    limit: int,
    *,
    line: bool = False,
    required: bool = False,
) -> str:
    if reason := forbidden_character(normalize(value)):
        errors[name] = reason
        return normalize(value)
    value = clean_line(value) if line else normalize(value).strip()
    if required and not value:
        errors[name] = (
            _(REQUIRED[name])
            if name in REQUIRED
            else _("Bitte füllen Sie das Feld „%(label)s“ aus.", label=_(LABELS[name]))
        )
    elif len(value) > limit:
        errors[name] = too_long(limit, len(value))
    return value


def url_field(errors: dict[str, str], name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > URL_MAX:
        errors[name] = too_long(URL_MAX)
    elif http_parts(value) is None or forbidden_character(value):
        errors[name] = _("Bitte eine vollständige Adresse mit https:// angeben.")
    return value


def _date(errors: dict[str, str], name: str, value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = _("Bitte ein Datum wie 2026-03-31 angeben.")
        return None
    if not 1990 <= day.year <= 2100:
        errors[name] = _("Bitte ein Datum zwischen 1990 und 2100 angeben.")
    return day


def split_tags(raw: str) -> list[str]:
    """Comma-separated tags, trimmed, de-duplicated case-insensitively, in order."""
    seen: dict[str, str] = {}
    for piece in raw.replace(";", ",").split(","):
        tag = clean_line(piece).lstrip("#")
        if tag and fold(tag) not in seen:
            seen[fold(tag)] = tag
    return list(seen.values())


# The values the form posts (CONTRACT): these three, or "circle:{id}".
PLAIN_VISIBILITY = frozenset({Visibility.MEMBERS, Visibility.MUNICIPALITY, Visibility.PARTNERS})
CIRCLE_PREFIX = "circle:"


def parse_visibility(raw: str) -> tuple[Visibility, int | None] | None:
    """A posted visibility: a plain value, or a circle with its id; None for anything else."""
    if raw in PLAIN_VISIBILITY:
        return Visibility(raw), None
    if raw.startswith(CIRCLE_PREFIX) and (circle_id := parse_id(raw[len(CIRCLE_PREFIX) :])):
        return Visibility.CIRCLE, circle_id
    return None


def visibility_value(visibility: Visibility, circle_id: int | None) -> str:
    """What the form posts for a stored visibility."""
    if visibility is Visibility.CIRCLE and circle_id is not None:
        return f"{CIRCLE_PREFIX}{circle_id}"
    return visibility.value


def clean(
    form: VorhabenForm, known_field_ids: set[int]
) -> tuple[CleanVorhaben | None, dict[str, str]]:
    """Check a submitted form; returns the clean values or the errors by field."""
    errors: dict[str, str] = {}
    title = text_field(errors, "title", form.title, TITLE_MAX, line=True, required=True)
    summary = text_field(errors, "summary", form.summary, SUMMARY_MAX)
    description = text_field(errors, "description", form.description, DESCRIPTION_MAX)
    lessons = text_field(errors, "lessons_learned", form.lessons_learned, LESSONS_MAX)
    funding = text_field(
        errors, "funding_programme", form.funding_programme, FUNDING_MAX, line=True
    )
    stage = Stage(form.stage) if form.stage in {s.value for s in Stage} else None
    if stage is None:
        errors["stage"] = _("Bitte wählen Sie eine Phase.")
    parsed = parse_visibility(form.visibility)
    visibility, circle_id = parsed if parsed is not None else (None, None)
    if visibility is None:
        errors["visibility"] = _("Bitte wählen Sie, wer das Vorhaben sehen darf.")
    uses_ai = AIUse(form.uses_ai) if form.uses_ai in {a.value for a in AIUse} else None
    if uses_ai is None:
        errors["uses_ai"] = _("Bitte wählen Sie eine Angabe zur KI.")
    field_ids = []
    for raw in form.fields_of_action:
        if (field_id := parse_id(raw)) is not None and field_id in known_field_ids:
            field_ids.append(field_id)
        else:
            errors["fields_of_action"] = _("Bitte wählen Sie Handlungsfelder aus der Liste.")
    tags = split_tags(form.tags)
    if len(tags) > TAGS_MAX:
        errors["tags"] = _("Höchstens %(limit)s Schlagwörter.", limit=format_number(TAGS_MAX))
    elif any(len(tag) > TAG_MAX for tag in tags):
        errors["tags"] = _(
            "Ein Schlagwort hat höchstens %(limit)s Zeichen.", limit=format_number(TAG_MAX)
        )
    elif reason := forbidden_character(form.tags):
        errors["tags"] = reason
    license_id = form.license.strip() or None
    if license_id and license_id not in spdx.IDS:
        errors["license"] = _("Bitte wählen Sie eine Lizenz aus der Liste.")
    repository = url_field(errors, "repository_url", form.repository_url)
    website = url_field(errors, "website_url", form.website_url)
    start = _date(errors, "start_date", form.start_date)
    end = _date(errors, "end_date", form.end_date)
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = _("Das Ende liegt vor dem Beginn.")
    partner_ags = [value.strip() for value in form.partner_municipalities if value.strip()]
    if any(not is_number(value) or len(value) > 12 for value in partner_ags):
        errors["partner_municipalities"] = _("Bitte wählen Sie Kommunen aus dem Verzeichnis.")
    elif len(set(partner_ags)) > PARTNERS_MAX:
        errors["partner_municipalities"] = _(
            "Höchstens %(limit)s Partnerkommunen.", limit=format_number(PARTNERS_MAX)
        )
    ai = ai_record.clean(errors, form.ai)
    contact_ids = [cid for value in form.contacts if (cid := parse_id(value)) is not None]
    if len(contact_ids) != len([value for value in form.contacts if value]):
        errors["contacts"] = _("Bitte wählen Sie Ansprechpersonen aus der Liste.")
    elif len(set(contact_ids)) > CONTACTS_MAX:
        errors["contacts"] = _(
            "Höchstens %(limit)s Ansprechpersonen.", limit=format_number(CONTACTS_MAX)
        )
    if errors or stage is None or visibility is None or uses_ai is None:
        return None, errors
    return (
        CleanVorhaben(
            title=title,
            summary=summary,
            description=description,
            stage=stage,
            field_ids=list(dict.fromkeys(field_ids)),
            visibility=visibility,
            circle_id=circle_id,
            tags=tags,
            looking_for_partners=form.looking_for_partners,
            uses_ai=uses_ai,
            open_source=form.open_source or bool(license_id or repository),
            license=license_id,
            repository_url=repository,
            website_url=website,
            funding_programme=funding or None,
            start_date=start,
            end_date=end,
            lessons_learned=lessons,
            partner_ags=list(dict.fromkeys(partner_ags)),
            contact_ids=list(dict.fromkeys(contact_ids)),
            ai_record=ai,
        ),
        errors,
    )
