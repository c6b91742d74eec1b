"""The publication form: the public version, decided field by field by its owners."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.ids import parse_id
from app.core.text import forbidden_character
from app.i18n import N_, format_number
from app.i18n import gettext as _
from app.vorhaben import spdx
from app.vorhaben.forms import (
    DESCRIPTION_MAX,
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
}


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


def clean(
    form: PublicationForm, known_field_ids: set[int], allowed_partners: set[str]
) -> tuple[CleanPublication | None, dict[str, str]]:
    """Check the public fields; partners must be partners of the Vorhaben."""
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
    ), errors
