"""The audit log in words: what each recorded action, object and detail means, for the
moderators' log page. The stored names stay as they are (they are the record)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.i18n import N_
from app.i18n import gettext as _

ACTION_LABELS = {
    # Sign-in and sessions (the security log)
    "login": N_("Anmeldung"),
    "login_failed": N_("Anmeldung abgewiesen"),
    "logout": N_("Abmeldung"),
    "backchannel_logout": N_("Abmeldung durch den Identitätsdienst"),
    "session_ended": N_("Sitzung beendet"),
    "dev_login": N_("Anmeldung als Testperson"),
    # Accounts and applications
    "application_submitted": N_("Mitgliedsantrag eingereicht"),
    "application_info_provided": N_("Rückfrage beantwortet"),
    "application_approved": N_("Antrag freigeschaltet"),
    "application_declined": N_("Antrag abgelehnt"),
    "application_info_requested": N_("Rückfrage gestellt"),
    "application_auto_approved": N_("Antrag automatisch freigeschaltet"),
    "account_suspended": N_("Konto gesperrt"),
    "account_reinstated": N_("Konto wieder freigeschaltet"),
    "account_promoted": N_("Konto auf der Kommandozeile freigeschaltet"),
    "account_erased": N_("Konto gelöscht"),
    "role_changed": N_("Rolle geändert"),
    "domain_verified": N_("E-Mail-Domain bestätigt"),
    "domain_removed": N_("E-Mail-Domain entfernt"),
    "application_approved_by_contact": N_("Antrag von der Ansprechperson der Kommune bestätigt"),
    "application_declined_by_contact": N_("Antrag von der Ansprechperson der Kommune abgelehnt"),
    "application_reopened": N_("Antrag wieder geöffnet"),
    "local_contact_named": N_("Als Ansprechperson der Kommune benannt"),
    "local_contact_revoked": N_("Als Ansprechperson der Kommune abberufen"),
    "membership_change_requested": N_("Wechsel von Kommune oder Funktion beantragt"),
    "membership_change_withdrawn": N_("Wechsel von Kommune oder Funktion zurückgezogen"),
    "membership_change_approved": N_("Wechsel von Kommune oder Funktion angenommen"),
    "membership_change_declined": N_("Wechsel von Kommune oder Funktion abgelehnt"),
    "account_municipality_changed": N_("Kommune eines Mitglieds von der Moderation geändert"),
    "organisation_created": N_("Organisation angelegt"),
    "organisation_changed": N_("Organisation geändert"),
    # Content and moderation
    "vorhaben_stage_changed": N_("Phase geändert"),
    "vorhaben_deleted": N_("Vorhaben gelöscht"),
    "vorhaben_handed_over": N_("Vorhaben an ein anderes Mitglied übergeben"),
    "vorhaben_co_editor_added": N_("Mitbearbeitung eines Vorhabens vergeben"),
    "vorhaben_co_editor_removed": N_("Mitbearbeitung eines Vorhabens entzogen"),
    "comment_deleted": N_("Kommentar gelöscht"),
    "attachment_deleted": N_("Anhang gelöscht"),
    "termin_changed": N_("Termin von der Moderation geändert"),
    "termin_deleted": N_("Termin von der Moderation gelöscht"),
    "restricted_content_viewed": N_("Geschützten Inhalt angesehen"),
    "content_hidden": N_("Beitrag ausgeblendet"),
    "content_auto_hidden": N_("Beitrag automatisch ausgeblendet"),
    "content_restored": N_("Beitrag wieder eingeblendet"),
    "review_requested": N_("Überprüfung erbeten"),
    "reports_dismissed": N_("Meldungen zurückgewiesen"),
    "message_hidden": N_("Nachricht ausgeblendet"),
    "message_reports_dismissed": N_("Meldungen einer Nachricht zurückgewiesen"),
    "thread_locked": N_("Diskussion gesperrt"),
    "thread_unlocked": N_("Diskussion wieder geöffnet"),
    "field_of_action_added": N_("Handlungsfeld angelegt"),
    "field_of_action_changed": N_("Handlungsfeld geändert"),
    "field_of_action_mapping_changed": N_("Zuordnung eines Handlungsfelds geändert"),
    "stage_mapping_changed": N_("Zuordnung einer Phase geändert"),
    # Publications and partners
    "publication_submitted": N_("Veröffentlichung eingereicht"),
    "publication_released": N_("Veröffentlichung freigegeben"),
    "publication_declined": N_("Veröffentlichung abgelehnt"),
    "publication_contact_removed": N_("Öffentlichen Kontakt entfernt"),
    "publication_withdrawn": N_("Veröffentlichung zurückgezogen"),
    "publication_withdrawn_by_moderator": N_("Veröffentlichung von der Moderation zurückgezogen"),
    "publication_withdrawn_automatically": N_("Veröffentlichung automatisch zurückgezogen"),
    "publication_destinations_narrowed": N_("Empfänger einer Veröffentlichung eingeschränkt"),
    "publication_image_uploaded": N_("Bild einer Veröffentlichung hochgeladen"),
    "publication_image_removed": N_("Bild einer Veröffentlichung entfernt"),
    "publication_files_chosen": N_("Dateien einer Veröffentlichung gewählt"),
    "publication_file_removed": N_("Gelöschte Datei aus einer Veröffentlichung genommen"),
    "partner_consent_requested": N_("Zustimmung einer Partnerkommune erbeten"),
    "partner_consent_given": N_("Partnerkommune hat der Nennung zugestimmt"),
    "partner_consent_revoked": N_("Partnerkommune hat die Nennung abgelehnt"),
    "partner_created": N_("Partnerplattform angelegt"),
    "partner_key_created": N_("API-Schlüssel erzeugt"),
    "partner_key_revoked": N_("API-Schlüssel widerrufen"),
    "partner_revoked": N_("Partnerplattform gesperrt"),
    "webhook_added": N_("Webhook angelegt"),
    "webhook_secret_rotated": N_("Webhook-Secret gewechselt"),
    "webhook_enabled": N_("Webhook eingeschaltet"),
    "webhook_disabled": N_("Webhook abgeschaltet"),
    "webhook_redelivered": N_("Webhook erneut gesendet"),
    # Circles (Kreise)
    "circle_created": N_("Kreis angelegt"),
    "circle_moderator_named": N_("Kreismoderation benannt"),
    "circle_join_requested": N_("Aufnahme in einen Kreis erbeten"),
    "circle_request_approved": N_("Aufnahme in einen Kreis bestätigt"),
    "circle_request_declined": N_("Aufnahme in einen Kreis abgelehnt"),
    "circle_member_invited": N_("In einen Kreis eingeladen"),
    "circle_invitation_accepted": N_("Einladung in einen Kreis angenommen"),
    "circle_invitation_declined": N_("Einladung in einen Kreis abgelehnt"),
    "circle_left": N_("Kreis verlassen"),
    "circle_member_removed": N_("Aus einem Kreis entfernt"),
    "circle_role_changed": N_("Rolle in einem Kreis geändert"),
    "circle_changed": N_("Kreis von der Moderation geändert"),
    "circle_moderator_withdrawn": N_("Kreismoderation von der Moderation entzogen"),
    # Search
    "search_synonyms_changed": N_("Synonyme der Suche geändert"),
    "search_synonyms_reset": N_("Mitgelieferte Synonyme der Suche wiederhergestellt"),
}

OBJECT_LABELS = {
    "account": N_("Konto"),
    "application": N_("Antrag"),
    "membership_change": N_("Wechsel von Kommune oder Funktion"),
    "vorhaben": N_("Vorhaben"),
    "comment": N_("Kommentar"),
    "conversation": N_("Unterhaltung"),
    "message": N_("Nachricht"),
    "attachment": N_("Anhang"),
    "termin": N_("Termin"),
    "publication": N_("Veröffentlichung"),
    "partner": N_("Partnerplattform"),
    "partners": N_("Partnerplattformen"),
    "webhook_endpoint": N_("Webhook"),
    "municipality": N_("Kommune"),
    "field_of_action": N_("Handlungsfeld"),
    "session": N_("Sitzung"),
    "stage": N_("Phase"),
    "circle": N_("Kreis (Gruppe)"),
    "search_synonyms": N_("Synonymliste der Suche"),
}

DETAIL_LABELS = {
    "active": N_("Wählbar"),
    "after": N_("Nachher"),
    "all": N_("An alle Partnerplattformen"),
    "before": N_("Vorher"),
    "by": N_("Durch"),
    "bytes": N_("Größe in Bytes"),
    "cause": N_("Anlass"),
    "comment_id": N_("Kommentar Nr."),
    "country": N_("Staat"),
    "circle": N_("Kreis (Gruppe)"),
    "circle_role": N_("Rolle im Kreis"),
    "conversation_id": N_("Unterhaltung Nr."),
    "deliveries_given_up": N_("Aufgegebene Zustellungen"),
    "detail": N_("Grund"),
    "domain": N_("Domain"),
    "domain_verified": N_("Domain für die Kommune bestätigt"),
    "email_verified": N_("Adresse vom Identitätsdienst bestätigt"),
    "ended": N_("Beendete Sitzungen"),
    "endpoints_disabled": N_("Abgeschaltete Webhooks"),
    "forced": N_("Ohne bestätigte Adresse"),
    "from_stage": N_("Von Phase"),
    "grant": N_("Anlass des Zugriffs"),
    "kind": N_("Art"),
    "key_id": N_("Schlüssel"),
    "keys": N_("Widerrufene Schlüssel"),
    "label": N_("Bezeichnung"),
    "land_id": N_("Land Nr."),
    "listed": N_("Für Mitglieder auffindbar"),
    "message": N_("Nachricht"),
    "municipality": N_("Gemeindeschlüssel"),
    "municipality_id": N_("Kommune Nr."),
    "name": N_("Name"),
    "new_account": N_("Neues Konto"),
    "partner": N_("Partnerplattform"),
    "partners": N_("Partnerplattformen"),
    "prefix": N_("Schlüssel beginnt mit"),
    "public": N_("Öffentlich"),
    "previous": N_("Vorher"),
    "previous_role": N_("Vorherige Rolle"),
    "previous_state": N_("Vorheriger Stand"),
    "previous_author_id": N_("Bisherige Autorin oder bisheriger Autor (Konto-Nr.)"),
    "position": N_("Funktion"),
    "provider": N_("Anmeldedienst"),
    "review": N_("Von der Moderation geprüft"),
    "revoked": N_("Widerrufen"),
    "role": N_("Rolle"),
    "scope": N_("Umfang"),
    "sessions_ended": N_("Beendete Sitzungen"),
    "sha256": N_("Prüfsumme"),
    "title": N_("Titel"),
    "to_stage": N_("Zu Phase"),
    "topic_id": N_("Thema Nr."),
    "transition": N_("Schritt"),
    "url": N_("Adresse"),
    "version": N_("Version"),
    "vorhaben_id": N_("Vorhaben Nr."),
}

# Details whose values name an entry of a fixed list (stages, roles, states, steps…);
# every other value is data and shown as it was recorded.
LISTED_VALUES = frozenset(
    {
        "from_stage",
        "to_stage",
        "transition",
        "previous",
        "role",
        "previous_role",
        "previous_state",
        "scope",
        "by",
        "grant",
        "cause",
        "circle_role",
        "kind",
    }
)
VALUE_LABELS = {
    "idee": N_("Idee"),
    "konzept": N_("Konzept"),
    "pilot": N_("Pilot"),
    "umsetzung": N_("Umsetzung"),
    "betrieb": N_("Betrieb"),
    "abgeschlossen": N_("Abgeschlossen"),
    "eingestellt": N_("Eingestellt"),
    "member": N_("Mitglied"),
    "moderator": N_("Moderation"),
    "admin": N_("Verwaltung"),
    "pending": N_("Antrag in Prüfung"),
    "needs_info": N_("Rückfrage der Moderation"),
    "approved": N_("Freigeschaltet"),
    "declined": N_("Abgelehnt"),
    "suspended": N_("Gesperrt"),
    "advance": N_("weiter"),
    "step_back": N_("zurück"),
    "complete": N_("abgeschlossen"),
    "stop": N_("eingestellt"),
    "others": N_("alle anderen Sitzungen"),
    "self": N_("die Person selbst"),
    "open_report": N_("offene Meldung"),
    "consent_withdrawn": N_("Einwilligung zurückgezogen"),
    "erasure": N_("Konto gelöscht"),
    "review_request": N_("Bitte um Überprüfung"),
    "publication_review": N_("Prüfung einer Veröffentlichung"),
    "handover": N_("Übergabe eines Vorhabens"),
    "municipality_changed": N_("Wechsel der Kommune"),
    # Types of organisations (app.municipalities.models.OrganisationType)
    "901": N_("Verband"),
    "902": N_("Landesministerium"),
    "903": N_("Kommune im Ausland"),
    "network": N_("Netzwerk"),
    "working_group": N_("Arbeitsgruppe"),
    "region": N_("Region"),
}


def action_label(action: str) -> str:
    """An action in the reader's language (an unknown one as it was recorded)."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item) for item in value) or "–"
    if isinstance(value, Mapping):
        return "; ".join(f"{name}: {_value(name, item)}" for name, item in value.items())
    label = VALUE_LABELS.get(str(value)) if key in LISTED_VALUES else None
    return _(label) if label else str(value)


def describe_details(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The details of an event as (label, value) pairs in words, in the order recorded."""
    shown = []
    for key, value in details.items():
        label = DETAIL_LABELS.get(key)
        shown.append((_(label) if label else key, _value(key, value)))
    return shown


@dataclass(frozen=True)
class Target:
    """What an event concerns, as a label and (where there is a page for it) a link."""

    label: str
    url: str | None = None


def target_of(
    object_type: str | None,
    object_id: str | None,
    *,
    account_names: Mapping[int, str],
    municipality_names: Mapping[str, str],
) -> Target | None:
    """The object of an event in words, linked to the page that shows it."""
    if not object_type:
        return None
    kind = OBJECT_LABELS.get(object_type)
    kind_text = _(kind) if kind else object_type
    key = object_id or ""
    if object_type == "account" and key.isdigit():
        name = account_names.get(int(key))
        return Target(name or f"{kind_text} Nr. {key}", f"/moderation/members/{key}")
    if object_type == "municipality":
        return Target(municipality_names.get(key, f"{kind_text} {key}"), f"/kommunen/{key}")
    if object_type == "stage":
        stage = VALUE_LABELS.get(key)
        return Target(f"{kind_text} „{_(stage) if stage else key}“")
    links = {
        "application": "/moderation/applications/{}",
        "membership_change": "/moderation/wechsel/{}",
        "vorhaben": "/vorhaben/{}",
        "comment": "/kommentare/{}",  # leads to the page of its discussion that holds it
        "publication": "/moderation/publications/{}",
        "partner": "/admin/partners/{}",
        "webhook_endpoint": "/admin/webhooks/{}",
        "circle": "/kreise/{}",
    }
    url = links[object_type].format(key) if object_type in links and key else None
    if object_type == "publication":
        return Target(kind_text, url)
    return Target(f"{kind_text} Nr. {key}" if key else kind_text, url)


@dataclass(frozen=True)
class Entry:
    """One row of the log page: the event and its words."""

    event: Any
    action: str
    target: Target | None
    details: list[tuple[str, str]]
