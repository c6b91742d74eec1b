"""The AI record of a Vorhaben: what the seeds ask municipalities to write down about an
AI system (purpose, responsible body, data and its origin, human oversight, risk class
under the EU AI Act with a reason, quality and fairness, energy, reuse). One form section,
one row per Vorhaben, a flat part of every version snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.core.text import forbidden_character, normalize, too_long
from app.i18n import N_
from app.i18n import gettext as _
from app.vorhaben.models import AI_RECORD_TEXTS, AI_RISK_LABELS, AIRecord, AIRiskClass

TEXT_MAX = 5_000
BODY_MAX = 300

# Form field names carry the prefix `ai_`, so the section sits in the Vorhaben form beside
# fields with the same short names (purpose, …) of other sections.
PREFIX = "ai_"

LABELS = {
    "ai_purpose": N_("Zweck des KI-Einsatzes"),
    "ai_responsible_body": N_("Verantwortliche Stelle"),
    "ai_data_used": N_("Verwendete Daten"),
    "ai_data_origin": N_("Herkunft der Daten"),
    "ai_human_oversight": N_("Menschliche Aufsicht"),
    "ai_risk_class": N_("Risikoklasse nach der KI-Verordnung der EU"),
    "ai_risk_explanation": N_("Begründung der Risikoklasse"),
    "ai_quality_fairness": N_("Bewertung von Qualität und Fairness"),
    "ai_energy_footprint": N_("Energiebedarf"),
    "ai_reuse_potential": N_("Nachnutzbarkeit"),
}

HINTS = {
    "ai_purpose": N_(
        "Wofür wird die KI eingesetzt, welche Entscheidung oder Aufgabe unterstützt sie?"
    ),
    "ai_responsible_body": N_(
        "Die Stelle (nicht eine Person), die für den Einsatz verantwortlich ist, zum "
        "Beispiel „Stadt Musterstadt, Amt für Digitalisierung“."
    ),
    "ai_data_used": N_(
        "Welche Daten verarbeitet das System (Trainings- und Eingabedaten)? Personenbezogene Daten?"
    ),
    "ai_data_origin": N_(
        "Woher stammen die Daten: eigene Verwaltungsdaten, offene Daten, Anbieter?"
    ),
    "ai_human_oversight": N_(
        "Wer prüft die Ergebnisse, wer kann eingreifen oder das System abschalten?"
    ),
    "ai_risk_explanation": N_(
        "Kurz: warum diese Risikoklasse (Anhang III, Transparenzpflicht, …)."
    ),
    "ai_quality_fairness": N_(
        "Wie wurden Qualität, Fehlerquoten und mögliche Benachteiligungen geprüft?"
    ),
    "ai_energy_footprint": N_(
        "Geschätzter Energie- oder Rechenbedarf für Training und Betrieb, Hosting."
    ),
    "ai_reuse_potential": N_(
        "Können andere Kommunen das System, Modell oder die Daten nachnutzen?"
    ),
}

RISK_REQUIRES_REASON = N_("Bitte begründen Sie die Risikoklasse kurz.")


@dataclass
class AIRecordForm:
    """The AI section as typed (re-rendered unchanged when the form fails)."""

    purpose: str = ""
    responsible_body: str = ""
    data_used: str = ""
    data_origin: str = ""
    human_oversight: str = ""
    risk_class: str = ""
    risk_explanation: str = ""
    quality_fairness: str = ""
    energy_footprint: str = ""
    reuse_potential: str = ""


@dataclass(frozen=True)
class CleanAIRecord:
    purpose: str = ""
    responsible_body: str = ""
    data_used: str = ""
    data_origin: str = ""
    human_oversight: str = ""
    risk_class: AIRiskClass | None = None
    risk_explanation: str = ""
    quality_fairness: str = ""
    energy_footprint: str = ""
    reuse_potential: str = ""


def read_form(value_of: Callable[[str], str]) -> AIRecordForm:
    """The section from a posted form (`value_of(name)` is the field's text or "")."""
    return AIRecordForm(**{name: value_of(PREFIX + name) for name in AIRecordForm.__annotations__})


def _text(errors: dict[str, str], name: str, value: str, limit: int) -> str:
    if reason := forbidden_character(normalize(value)):
        errors[PREFIX + name] = reason
        return normalize(value)
    text = normalize(value).strip()
    if name == "responsible_body":
        text = " ".join(text.split())
    if len(text) > limit:
        errors[PREFIX + name] = too_long(limit, len(text))
    return text


def clean(errors: dict[str, str], form: AIRecordForm) -> CleanAIRecord:
    """Check the section; problems go into `errors` under the form's field names."""
    limits = {
        name: BODY_MAX if name == "responsible_body" else TEXT_MAX for name in AI_RECORD_TEXTS
    }
    texts = {
        name: _text(errors, name, getattr(form, name), limits[name]) for name in AI_RECORD_TEXTS
    }
    risk: AIRiskClass | None = None
    if form.risk_class:
        if form.risk_class in {value.value for value in AIRiskClass}:
            risk = AIRiskClass(form.risk_class)
        else:
            errors["ai_risk_class"] = _("Bitte wählen Sie eine Risikoklasse aus der Liste.")
    if risk is not None and not texts["risk_explanation"] and "ai_risk_explanation" not in errors:
        errors["ai_risk_explanation"] = _(RISK_REQUIRES_REASON)
    return CleanAIRecord(risk_class=risk, **texts)


def form_from(record: AIRecord | None) -> AIRecordForm:
    """The section filled from the stored record (empty without one)."""
    if record is None:
        return AIRecordForm()
    values = {name: getattr(record, name) or "" for name in AI_RECORD_TEXTS}
    return AIRecordForm(risk_class=record.risk_class.value if record.risk_class else "", **values)


def apply(db: Session, vorhaben_id: int, data: CleanAIRecord) -> None:
    """Store the section (a row only once something was typed; never deleted by saving)."""
    record = db.get(AIRecord, vorhaben_id)
    if record is None:
        if data == CleanAIRecord():
            return
        record = AIRecord(vorhaben_id=vorhaben_id)
        db.add(record)
    for name, value in asdict(data).items():
        setattr(record, name, value)


def snapshot(record: AIRecord | None) -> dict[str, Any]:
    """The record as a version stores it (flat, under the form's field names)."""
    values: dict[str, Any] = {PREFIX + name: "" for name in AI_RECORD_TEXTS}
    values[PREFIX + "risk_class"] = None
    if record is not None:
        for name in AI_RECORD_TEXTS:
            values[PREFIX + name] = getattr(record, name) or ""
        values[PREFIX + "risk_class"] = record.risk_class.value if record.risk_class else None
    return {key: values[key] for key in LABELS}


def risk_options() -> list[tuple[str, str]]:
    """The risk classes for a select, translated."""
    return [(key.value, _(label)) for key, label in AI_RISK_LABELS.items()]
