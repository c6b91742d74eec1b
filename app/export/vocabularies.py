"""Vocabularies partners can rely on: our fields of action and stages under identifiers that
never change (a field's slug survives any renaming; stages are the contract's values), with
German and English labels, and the mappings admins maintain to the OZG Themenfelder,
publiccode.yml `categories` and `developmentStatus`, and the phases of a civic innovation
project. Served at GET /api/v1/vocabularies; feed items carry the result (classification)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line, forbidden_character, too_long
from app.export import code_lists, schemas
from app.export.models import FieldMapping, StageMapping
from app.i18n import N_
from app.i18n import gettext as _
from app.vorhaben.models import (
    AI_LABELS,
    AI_RISK_LABELS,
    STAGE_LABELS,
    FieldOfAction,
    Stage,
)


class ContentLicense(NamedTuple):
    id: str
    url: str | None
    label: str  # German message id


# Under which terms partners may reuse the public text and image of a project.
CONTENT_LICENSES = (
    ContentLicense(
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        N_("Creative Commons Namensnennung 4.0 International (CC BY 4.0)"),
    ),
    ContentLicense(
        "CC0-1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        N_("CC0 1.0 Universell (gemeinfrei, ohne Namensnennung)"),
    ),
    ContentLicense("all-rights-reserved", None, N_("Alle Rechte vorbehalten")),
)
DEFAULT_LICENSE = "CC-BY-4.0"
LICENSES_BY_ID = {entry.id: entry for entry in CONTENT_LICENSES}

# Where nothing was stored (a stage an admin never mapped): what a stage usually means.
DEFAULT_STAGE_MAPPING: dict[str, tuple[str, str | None]] = {
    "idee": ("concept", "idea"),
    "konzept": ("concept", "concept"),
    "pilot": ("beta", "implementation"),
    "umsetzung": ("development", "implementation"),
    "betrieb": ("stable", "transfer"),
    "abgeschlossen": ("stable", "transfer"),
    "eingestellt": ("obsolete", None),
}

TITLES = {
    "fields_of_action": N_("Handlungsfelder"),
    "stages": N_("Phasen"),
    "ozg_themenfelder": N_("OZG-Themenfelder"),
    "publiccode_categories": N_("publiccode.yml-Kategorien"),
    "development_status": N_("Entwicklungsstand (publiccode.yml)"),
    "phases": N_("Projektphasen"),
    "licenses": N_("Lizenzen"),
    "uses_ai": N_("Künstliche Intelligenz"),
    "ai_risk_classes": N_("Risikoklassen der KI-Verordnung"),
}
NAMES = tuple(TITLES)


def english(message: str) -> str:
    """A German message id in English (the catalogue's translation)."""
    with i18n.using_locale("en"):
        return _(message)


def _label(message: str) -> schemas.Label:
    """German and English of a message id (German is the id itself)."""
    return schemas.Label(de=message, en=english(message))


@dataclass(frozen=True)
class FieldTerm:
    id: int
    slug: str
    label: str
    label_en: str
    active: bool
    position: int
    ozg_themenfelder: tuple[str, ...]
    publiccode_categories: tuple[str, ...]

    @property
    def labels(self) -> schemas.Label:
        return schemas.Label(de=self.label, en=self.label_en or self.label)


@dataclass(frozen=True)
class StageTerm:
    id: str
    development_status: str
    phase: str | None

    @property
    def labels(self) -> schemas.Label:
        return _label(STAGE_LABELS[Stage(self.id)])


def field_terms(db: Session) -> list[FieldTerm]:
    """Every field of action (switched-off ones too) with its mapping, in taxonomy order."""
    rows = db.execute(
        select(FieldOfAction, FieldMapping)
        .outerjoin(FieldMapping, FieldMapping.field_id == FieldOfAction.id)
        .order_by(FieldOfAction.position, FieldOfAction.label)
    )
    return [
        FieldTerm(
            id=entry.id,
            slug=entry.slug,
            label=entry.label,
            label_en=mapping.label_en if mapping else "",
            active=entry.active,
            position=entry.position,
            ozg_themenfelder=tuple(mapping.ozg_themenfelder) if mapping else (),
            publiccode_categories=tuple(mapping.publiccode_categories) if mapping else (),
        )
        for entry, mapping in rows
    ]


def stage_terms(db: Session) -> list[StageTerm]:
    """The stages in their order, each with its mapping."""
    stored = {row.stage: row for row in db.scalars(select(StageMapping))}
    found = []
    for stage in Stage:
        row = stored.get(stage.value)
        status, phase = (
            (row.development_status, row.phase) if row else DEFAULT_STAGE_MAPPING[stage.value]
        )
        found.append(StageTerm(stage.value, status, phase))
    return found


def classification(db: Session, field_slugs: list[str], stage: str) -> schemas.Classification:
    """The classification of a project: our identifiers with labels, and their mappings."""
    by_slug = {term.slug: term for term in field_terms(db)}
    chosen = [by_slug[slug] for slug in field_slugs if slug in by_slug]
    [stage_term] = [term for term in stage_terms(db) if term.id == stage]
    ozg = {code for term in chosen for code in term.ozg_themenfelder}
    categories = {code for term in chosen for code in term.publiccode_categories}
    return schemas.Classification(
        fields_of_action=[schemas.TermRef(id=term.slug, label=term.labels) for term in chosen],
        stage=schemas.TermRef(id=stage_term.id, label=stage_term.labels),
        ozg_themenfelder=[code.id for code in code_lists.OZG_THEMENFELDER if code.id in ozg],
        publiccode_categories=[
            code for code in code_lists.PUBLICCODE_CATEGORIES if code in categories
        ],
        development_status=stage_term.development_status,
        phase=stage_term.phase,
    )


def _term(
    identifier: str,
    label: schemas.Label,
    mappings: dict[str, list[str]] | None = None,
    *,
    active: bool = True,
) -> schemas.Term:
    return schemas.Term.model_validate(
        {"id": identifier, "label": label, "active": active, "mappings": mappings or {}}
    )


def _terms(db: Session, name: str) -> tuple[list[schemas.Term], str | None]:
    if name == "fields_of_action":
        return [
            _term(
                term.slug,
                term.labels,
                {
                    "ozg_themenfelder": list(term.ozg_themenfelder),
                    "publiccode_categories": list(term.publiccode_categories),
                },
                active=term.active,
            )
            for term in field_terms(db)
        ], None
    if name == "stages":
        return [
            _term(
                term.id,
                term.labels,
                {
                    "development_status": [term.development_status],
                    "phases": [term.phase] if term.phase else [],
                },
            )
            for term in stage_terms(db)
        ], None
    if name == "ozg_themenfelder":
        return [
            _term(code.id, schemas.Label(de=code.de, en=code.en))
            for code in code_lists.OZG_THEMENFELDER
        ], code_lists.OZG_SOURCE
    if name == "publiccode_categories":
        # The standard names its categories by their identifiers only.
        return [
            _term(code, schemas.Label(de=code, en=code))
            for code in code_lists.PUBLICCODE_CATEGORIES
        ], code_lists.PUBLICCODE_SOURCE
    if name == "development_status":
        return [
            _term(code.id, schemas.Label(de=code.de, en=code.en))
            for code in code_lists.DEVELOPMENT_STATUSES
        ], code_lists.DEVELOPMENT_STATUS_SOURCE
    if name == "phases":
        return [
            _term(code.id, schemas.Label(de=code.de, en=code.en)) for code in code_lists.PHASES
        ], None
    if name == "licenses":
        return [_term(entry.id, _label(entry.label)) for entry in CONTENT_LICENSES], None
    if name == "uses_ai":
        return [_term(key.value, _label(label)) for key, label in AI_LABELS.items()], None
    return [_term(key.value, _label(label)) for key, label in AI_RISK_LABELS.items()], None


def vocabulary(db: Session, settings: Settings, name: str) -> schemas.Vocabulary:
    """One vocabulary with its terms; NotFound for an unknown name."""
    if name not in TITLES:
        raise NotFound(f"No vocabulary {name!r}; known: {', '.join(NAMES)}.")
    terms, source = _terms(db, name)
    return schemas.Vocabulary.model_validate(
        {
            "name": name,
            "title": _label(TITLES[name]),
            "url": f"{settings.base_url}/api/v1/vocabularies/{name}",
            "source": source,
            "terms": terms,
        }
    )


def all_vocabularies(db: Session, settings: Settings) -> schemas.VocabularyList:
    """Every vocabulary, whole (they are small)."""
    return schemas.VocabularyList(vocabularies=[vocabulary(db, settings, name) for name in NAMES])


# -- maintained by admins -------------------------------------------------------------------------


def _codes(
    errors: dict[str, str], name: str, values: list[str], known: frozenset[str]
) -> list[str]:
    chosen = list(dict.fromkeys(value for value in values if value))
    if not set(chosen) <= known:
        errors[name] = _("Bitte wählen Sie Einträge aus der Liste.")
    return chosen


def set_field_mapping(
    db: Session,
    admin: Account,
    field_id: int,
    *,
    label_en: str,
    ozg_themenfelder: list[str],
    publiccode_categories: list[str],
) -> FieldOfAction:
    """The English label and the mappings of a field of action (audited)."""
    entry = db.get(FieldOfAction, field_id)
    if entry is None:
        raise NotFound(_("Dieses Handlungsfeld gibt es nicht."))
    errors: dict[str, str] = {}
    english_label = clean_line(label_en)
    if reason := forbidden_character(label_en):
        errors["label_en"] = reason
    elif len(english_label) > 120:
        errors["label_en"] = too_long(120)
    ozg = _codes(errors, "ozg_themenfelder", ozg_themenfelder, code_lists.OZG_IDS)
    categories = _codes(
        errors, "publiccode_categories", publiccode_categories, code_lists.PUBLICCODE_IDS
    )
    if errors:
        raise ValidationFailed(errors)
    mapping = db.get(FieldMapping, field_id)
    if mapping is None:
        mapping = FieldMapping(
            field_id=field_id, label_en="", ozg_themenfelder=[], publiccode_categories=[]
        )
        db.add(mapping)
    before = {
        "label_en": mapping.label_en,
        "ozg_themenfelder": list(mapping.ozg_themenfelder),
        "publiccode_categories": list(mapping.publiccode_categories),
    }
    after = {
        "label_en": english_label,
        "ozg_themenfelder": ozg,
        "publiccode_categories": categories,
    }
    if after != before:
        mapping.label_en = english_label
        mapping.ozg_themenfelder = ozg
        mapping.publiccode_categories = categories
        audit.record(
            db,
            "field_of_action_mapping_changed",
            actor_id=admin.id,
            object_type="field_of_action",
            object_id=entry.id,
            before=before,
            after=after,
        )
    db.flush()
    return entry


def set_stage_mappings(db: Session, admin: Account, wanted: dict[str, tuple[str, str]]) -> None:
    """developmentStatus and phase of every stage at once (audited per change);
    `wanted` maps a stage to (status, phase), phase "" meaning none."""
    errors: dict[str, str] = {}
    for stage in Stage:
        status, phase = wanted.get(stage.value, ("", ""))
        if status not in code_lists.DEVELOPMENT_STATUS_IDS:
            errors[f"status_{stage.value}"] = _("Bitte wählen Sie einen Entwicklungsstand.")
        if phase and phase not in code_lists.PHASE_IDS:
            errors[f"phase_{stage.value}"] = _("Bitte wählen Sie eine Phase aus der Liste.")
    if errors:
        raise ValidationFailed(errors)
    current = {term.id: term for term in stage_terms(db)}
    stored = {row.stage: row for row in db.scalars(select(StageMapping))}
    for stage in Stage:
        status, phase = wanted[stage.value]
        term = current[stage.value]
        if (term.development_status, term.phase) == (status, phase or None):
            continue
        row = stored.get(stage.value)
        if row is None:
            row = StageMapping(stage=stage.value)
            db.add(row)
        row.development_status, row.phase = status, phase or None
        audit.record(
            db,
            "stage_mapping_changed",
            actor_id=admin.id,
            object_type="stage",
            object_id=stage.value,
            before={"development_status": term.development_status, "phase": term.phase},
            after={"development_status": status, "phase": phase or None},
        )
    db.flush()
