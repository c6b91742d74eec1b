"""Typed domain errors. Services raise them; each surface renders them its own way."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: carries the HTTP status and a German message safe to show."""

    status_code = 400
    default_message = "Die Anfrage konnte nicht verarbeitet werden."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class NotFound(DomainError):
    status_code = 404
    default_message = "Diese Seite gibt es nicht."


class Forbidden(DomainError):
    status_code = 403
    default_message = "Dafür fehlt Ihnen die Berechtigung."


class Conflict(DomainError):
    status_code = 409
    default_message = "Das wurde inzwischen von jemand anderem geändert."


class InvalidTransition(Conflict):
    default_message = "Dieser Schritt ist im aktuellen Zustand nicht möglich."


class Gone(DomainError):
    status_code = 410
    default_message = "Dieser Inhalt wurde zurückgezogen."


class RateLimited(DomainError):
    status_code = 429
    default_message = "Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(DomainError):
    """Form input that breaks a rule; `errors` maps field names to German messages."""

    status_code = 422
    default_message = "Bitte prüfen Sie Ihre Eingaben."

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors
