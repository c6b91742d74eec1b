"""The publication form: the public version, decided field by field by its owners."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.ids import parse_id
from app.core.text import forbidden_character
from app.export.vocabularies import LICENSES_BY_ID
from app.i18n import N_, format_number
from app.i18n import gettext as _
from app.vorhaben import spdx
from app.vorhaben.forms import (
    DESCRIPTION_MAX,
    FUNDING_MAX,
    LESSONS_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    split_tags,
    text_field,
    url_field,
)
from app.vorhaben.models import AIUse, Stage

LABELS = {
    "title": N_("Öffentlicher Titel"),
    "summary": N_("Öffentliche Kurzbeschreibung"),
    "description": N_("Öffentliche Beschreibung"),
    "stage": N_("Phase"),
    "fields_of_action": N_("Handlungsfelder"),
    "tags": N_("Schlagwörter"),
    "website_url": N_("Website"),
    "repository_url": N_("Repository"),
    "license": N_("Lizenz"),
    "uses_ai": N_("Künstliche Intelligenz"),
    "partner_municipalities": N_("Partnerkommunen"),
    "contact_consent": N_("Öffentlicher Kontakt"),
    "content_license": N_("Lizenz der Beschreibung"),
    "seeks_partners": N_("Partnersuche"),
    "lessons_learned": N_("Was wir gelernt haben"),
    "funding_programme": N_("Förderprogramm"),
    "start_date": N_("Beginn"),
    "end_date": N_("Ende"),
    "title_en": N_("Englischer Titel"),
    "summary_en": N_("Englische Kurzbeschreibung"),
    "mailbox_name": N_("Name des Funktionspostfachs"),
    "mailbox_email": N_("Funktionspostfach"),
    "ai_record": N_("KI-Steckbrief"),
    "image": N_("Bild"),
    "image_alt": N_("Alternativtext"),
    "destinations": N_("Empfänger"),
}

MAILBOX_NAME_MAX = 200
EMAIL_MAX = 320
# Deliberately plain: one @, a dotted domain, no spaces or angle brackets (a mailbox is
# shown and linked as mailto:, never parsed further).
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass
class PublicationForm:
    title: str = ""
    summary: str = ""
    description: str = ""
    stage: str = Stage.IDEE.value
    fields_of_action: list[str] = field(default_factory=list)  # field ids, as in the Vorhaben
    tags: str = ""
    website_url: str = ""
    repository_url: str = ""
    license: str = ""
    uses_ai: str = AIUse.NONE.value
    partner_municipalities: list[str] = field(default_factory=list)
    contact_consent: bool = False
    content_license: str = ""  # "" keeps the draft's choice (a new draft: DEFAULT_LICENSE)
    seeks_partners: bool = False
    lessons_learned: str = ""
    funding_programme: str = ""
    start_date: str = ""
    end_date: str = ""
    title_en: str = ""
    summary_en: str = ""
    mailbox_name: str = ""
    mailbox_email: str = ""
    ai_record: bool = False
    # "all" (every partner, also future ones, and the public) or "chosen"; "" keeps the
    # draft's choice (a new draft: all).
    destinations: str = ""
    destination_public: bool = False
    destination_partners: list[str] = field(default_factory=list)  # partner ids


@dataclass(frozen=True)
class CleanPublication:
    title: str
    summary: str
    description: str
    stage: str
    field_ids: list[int]
    tags: list[str]
    website_url: str | None
    repository_url: str | None
    license: str | None
    uses_ai: str
    partner_ags: list[str]
    contact_consent: bool
    content_license: str = ""
    seeks_partners: bool = False
    lessons_learned: str = ""
    funding_programme: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    title_en: str = ""
    summary_en: str = ""
    mailbox_name: str | None = None
    mailbox_email: str | None = None
    ai_record: bool = False
    destinations: str = ""  # "", "all" or "chosen"
    destination_public: bool = False
    destination_partners: frozenset[int] = frozenset()


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


def _mailbox(
    errors: dict[str, str], form: PublicationForm, is_personal: Callable[[str], bool]
) -> tuple[str | None, str | None]:
    name = text_field(errors, "mailbox_name", form.mailbox_name, MAILBOX_NAME_MAX, line=True)
    address = form.mailbox_email.strip()
    if not address:
        if name and "mailbox_name" not in errors:
            errors["mailbox_email"] = _("Bitte geben Sie die Adresse des Funktionspostfachs an.")
        return None, None
    if len(address) > EMAIL_MAX or forbidden_character(address) or not EMAIL.match(address):
        errors["mailbox_email"] = _("Bitte eine E-Mail-Adresse wie digital@kommune.de angeben.")
    elif is_personal(address):
        errors["mailbox_email"] = _(
            "Das ist die Adresse einer Person. Eine Person wird nur mit ihrer eigenen "
            "Zustimmung genannt (unten); hier gehört ein Funktionspostfach hin."
        )
    return name or None, address


def _destinations(
    errors: dict[str, str], form: PublicationForm, platforms: set[int]
) -> frozenset[int]:
    if form.destinations not in {"", "all", "chosen"}:
        errors["destinations"] = _("Bitte wählen Sie, wer die Veröffentlichung erhält.")
        return frozenset()
    if form.destinations != "chosen":
        return frozenset()
    chosen = [parse_id(value) for value in form.destination_partners]
    ids = frozenset(value for value in chosen if value is not None)
    if len(ids) != len(set(form.destination_partners)) or not ids <= platforms:
        errors["destinations"] = _("Bitte wählen Sie Partnerplattformen aus der Liste.")
    elif not ids and not form.destination_public:
        errors["destinations"] = _(
            "Bitte wählen Sie mindestens einen Empfänger: die Öffentlichkeit oder eine "
            "Partnerplattform."
        )
    return ids


def clean(
    form: PublicationForm,
    known_field_ids: set[int],
    allowed_partners: set[str],
    is_personal: Callable[[str], bool] = lambda address: False,
    platforms: set[int] | None = None,
) -> tuple[CleanPublication | None, dict[str, str]]:
    """Check the public fields; partners must be partners of the Vorhaben, a mailbox must
    not be a member's own address, destinations must be registered partner platforms."""
    errors: dict[str, str] = {}
    title = text_field(errors, "title", form.title, TITLE_MAX, line=True, required=True)
    summary = text_field(errors, "summary", form.summary, SUMMARY_MAX)
    description = text_field(errors, "description", form.description, DESCRIPTION_MAX)
    if form.stage not in {stage.value for stage in Stage}:
        errors["stage"] = _("Bitte wählen Sie eine Phase.")
    if form.uses_ai not in {value.value for value in AIUse}:
        errors["uses_ai"] = _("Bitte wählen Sie eine Angabe zur KI.")
    field_ids = [fid for raw in form.fields_of_action if (fid := parse_id(raw)) is not None]
    if len(field_ids) != len(form.fields_of_action) or not set(field_ids) <= known_field_ids:
        errors["fields_of_action"] = _("Bitte wählen Sie Handlungsfelder aus der Liste.")
    tags = split_tags(form.tags)
    if len(tags) > TAGS_MAX or any(len(tag) > TAG_MAX for tag in tags):
        errors["tags"] = _(
            "Höchstens %(count)s Schlagwörter mit je %(limit)s Zeichen.",
            count=format_number(TAGS_MAX),
            limit=format_number(TAG_MAX),
        )
    elif reason := forbidden_character(form.tags):
        errors["tags"] = reason
    website = url_field(errors, "website_url", form.website_url)
    repository = url_field(errors, "repository_url", form.repository_url)
    license_id = form.license.strip() or None
    if license_id and license_id not in spdx.IDS:
        errors["license"] = _("Bitte wählen Sie eine Lizenz aus der Liste.")
    partners = [ags for ags in dict.fromkeys(form.partner_municipalities) if ags]
    if not set(partners) <= allowed_partners:
        errors["partner_municipalities"] = _(
            "Öffentlich nennen lassen sich nur Partnerkommunen des Vorhabens."
        )
    if form.content_license and form.content_license not in LICENSES_BY_ID:
        errors["content_license"] = _("Bitte wählen Sie eine Lizenz aus der Liste.")
    lessons = text_field(errors, "lessons_learned", form.lessons_learned, LESSONS_MAX)
    funding = text_field(
        errors, "funding_programme", form.funding_programme, FUNDING_MAX, line=True
    )
    start = _date(errors, "start_date", form.start_date)
    end = _date(errors, "end_date", form.end_date)
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = _("Das Ende liegt vor dem Beginn.")
    title_en = text_field(errors, "title_en", form.title_en, TITLE_MAX, line=True)
    summary_en = text_field(errors, "summary_en", form.summary_en, SUMMARY_MAX)
    if summary_en and not title_en and "title_en" not in errors:
        errors["title_en"] = _("Eine englische Kurzbeschreibung braucht einen englischen Titel.")
    mailbox_name, mailbox_email = _mailbox(errors, form, is_personal)
    destination_partners = _destinations(errors, form, platforms or set())
    if errors:
        return None, errors
    return CleanPublication(
        title=title,
        summary=summary,
        description=description,
        stage=form.stage,
        field_ids=list(dict.fromkeys(field_ids)),
        tags=tags,
        website_url=website,
        repository_url=repository,
        license=license_id,
        uses_ai=form.uses_ai,
        partner_ags=partners,
        contact_consent=form.contact_consent,
        content_license=form.content_license,
        seeks_partners=form.seeks_partners,
        lessons_learned=lessons,
        funding_programme=funding or None,
        start_date=start,
        end_date=end,
        title_en=title_en,
        summary_en=summary_en,
        mailbox_name=mailbox_name,
        mailbox_email=mailbox_email,
        ai_record=form.ai_record,
        destinations=form.destinations,
        destination_public=form.destination_public,
        destination_partners=destination_partners,
    ), errors
