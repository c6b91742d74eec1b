"""The AI record of a Vorhaben as members use it: filled in the form, shown on the page
only while the Vorhaben uses AI, checked (a risk class needs its reason), versioned, and
filterable in the exchange list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.vorhaben import service
from app.vorhaben.ai_record import AIRecordForm
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import AIRecord, AIRiskClass, Vorhaben
from app.vorhaben.repository import AI_UNASSESSED, VorhabenFilter, list_vorhaben
from tests import factories

RECORD = {
    "ai_purpose": "Vorsortieren eingehender Bürgeranfragen\nnach Zuständigkeit",
    "ai_responsible_body": "Stadt Musterstadt, Amt für Digitalisierung",
    "ai_data_used": "Anfragetexte der letzten zwei Jahre, ohne Namen",
    "ai_data_origin": "Eigenes Ticketsystem",
    "ai_human_oversight": "Jede Zuordnung prüft eine Sachbearbeiterin",
    "ai_risk_class": "limited",
    "ai_risk_explanation": "Chatbot: Transparenzpflicht nach Art. 50",
    "ai_quality_fairness": "Stichprobe von 500 Anfragen, Trefferquote 91 %",
    "ai_energy_footprint": "Betrieb auf kommunalem Rechenzentrum, etwa 40 kWh im Monat",
    "ai_reuse_potential": "Modell und Trainingsskripte unter EUPL auf Open CoDE",
}


def _new(client: TestClient, **fields: str) -> str:
    token = factories.csrf_token(client, "/vorhaben/new")
    return client.post(
        "/vorhaben/new",
        data={"csrf_token": token, "title": "KI-Posteingang", "stage": "pilot", **fields},
    ).headers.get("location", "")


def test_the_ai_record_is_saved_shown_and_versioned(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Kira Klug")
    factories.login(client, db, member)
    location = _new(client, uses_ai="weak_ai", **RECORD)
    assert location.startswith("/vorhaben/")
    vorhaben_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).text
    assert "KI-Steckbrief" in page
    assert "<p>Vorsortieren eingehender Bürgeranfragen</p><p>nach Zuständigkeit</p>" in page
    assert "Begrenztes Risiko (Transparenzpflichten) – Chatbot: Transparenzpflicht" in page
    assert "Stadt Musterstadt, Amt für Digitalisierung" in page

    form = client.get(f"/vorhaben/{vorhaben_id}/bearbeiten").text
    assert '<details class="field" id="ai-record" open>' in form  # it uses AI: open
    assert '<details class="field" id="ai-record">' in client.get("/vorhaben/new").text
    assert 'value="Stadt Musterstadt, Amt für Digitalisierung"' in form
    assert '<option value="limited" selected>' in form

    token = factories.csrf_token(client, location)
    changed = {**RECORD, "ai_risk_class": "high", "ai_risk_explanation": "Anhang III Nr. 5"}
    saved = client.post(
        f"/vorhaben/{vorhaben_id}/bearbeiten",
        data={
            "csrf_token": token,
            "title": "KI-Posteingang",
            "stage": "pilot",
            "uses_ai": "weak_ai",
            "version": "1",
            **changed,
        },
    )
    assert saved.status_code == 303
    record = db.get(AIRecord, vorhaben_id)
    assert record is not None and record.risk_class is AIRiskClass.HIGH
    diff = client.get(f"/vorhaben/{vorhaben_id}/versionen/2").text
    assert "Risikoklasse nach der KI-Verordnung der EU" in diff
    assert "<del>Begrenztes</del>" in diff and "<ins>Hohes</ins>" in diff


def test_the_ai_record_shows_only_while_the_vorhaben_uses_ai(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db, "Kira Klug")
    factories.login(client, db, member)
    location = _new(client, uses_ai="none", **RECORD)
    vorhaben_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).text
    assert "KI-Steckbrief" not in page and "Vorsortieren" not in page
    # Nothing typed is lost: switching AI on shows what was recorded.
    stored = db.get(AIRecord, vorhaben_id)
    assert stored is not None and stored.purpose.startswith("Vorsortieren")
    vorhaben = db.get(Vorhaben, vorhaben_id)
    assert vorhaben is not None
    vorhaben.uses_ai = vorhaben.uses_ai.__class__("other")
    db.flush()
    assert "Vorsortieren" in client.get(location).text


def test_a_risk_class_needs_its_reason_and_the_form_keeps_everything(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db, "Kira Klug")
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/vorhaben/new")
    typed = {**RECORD, "ai_risk_explanation": "", "ai_purpose": "Bleibt <erhalten>"}
    response = client.post(
        "/vorhaben/new",
        data={"csrf_token": token, "title": "KI", "stage": "idee", "uses_ai": "other", **typed},
    )
    assert response.status_code == 422
    html = response.text
    assert 'href="#field-ai_risk_explanation"' in html
    assert "Bitte begründen Sie die Risikoklasse kurz." in html
    assert "Bleibt &lt;erhalten&gt;</textarea>" in html
    assert '<option value="limited" selected>' in html
    assert db.scalars(select(Vorhaben)).all() == []

    forged = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "KI",
            "stage": "idee",
            "ai_risk_class": "harmless",
            "ai_responsible_body": "x" * 301,
        },
    )
    assert forged.status_code == 422
    assert 'href="#field-ai_risk_class"' in forged.text
    assert 'href="#field-ai_responsible_body"' in forged.text


def test_the_exchange_list_filters_by_risk_class(
    client: TestClient, db: Session, settings: Settings
) -> None:
    author = factories.account(db, "Kira Klug")
    reader = factories.account(db, "Lea Leser")

    def create(title: str, uses_ai: str, risk: str = "") -> None:
        record = AIRecordForm(purpose="Zweck", risk_class=risk, risk_explanation="weil")
        service.create(db, settings, author, VorhabenForm(title=title, uses_ai=uses_ai, ai=record))

    create("Hochrisiko-Scoring", "weak_ai", "high")
    create("Chatbot", "other", "limited")
    create("Noch offen", "weak_ai")
    create("Früher KI, jetzt nicht", "none", "high")

    def titles(**filters: str) -> set[str]:
        return {v.title for v in list_vorhaben(db, reader, VorhabenFilter(**filters)).items}

    assert len(titles()) == 4
    assert titles(ai_risk="high") == {"Hochrisiko-Scoring"}
    assert titles(ai_risk="limited") == {"Chatbot"}
    assert titles(ai_risk=AI_UNASSESSED) == {"Noch offen"}
    assert len(titles(ai_risk="unknown")) == 4  # unknown values are ignored, as elsewhere

    factories.login(client, db, reader)
    page = client.get("/vorhaben", params={"ai_risk": "high"}).text
    assert "Hochrisiko-Scoring" in page and "Chatbot" not in page
    assert '<option value="high" selected>' in page
