"""Typed domain errors. Services raise them; each surface renders them its own way.

CommandError is the command line's own: what `allmende` prints as one line before it exits
non-zero. It lives here so code the CLI calls (a registry import) need not import the CLI."""

from __future__ import annotations

from typing import Any

from app.i18n import N_, gettext


class DomainError(Exception):
    """Base class: carries the HTTP status and a message safe to show.

    A message passed in is shown as given, so raise sites translate it (`gettext`); the
    class default is marked with `N_` and translated here, in the locale of the request.
    """

    status_code = 400
    default_message = N_("Die Anfrage konnte nicht verarbeitet werden.")

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or gettext(self.default_message)
        self.details = details
        super().__init__(self.message)


class NotFound(DomainError):
    status_code = 404
    default_message = N_("Diese Seite gibt es nicht.")


class Forbidden(DomainError):
    status_code = 403
    default_message = N_("Dafür fehlt Ihnen die Berechtigung.")


class Conflict(DomainError):
    status_code = 409
    default_message = N_("Das wurde inzwischen von jemand anderem geändert.")


class InvalidTransition(Conflict):
    default_message = N_("Dieser Schritt ist im aktuellen Zustand nicht möglich.")


class Gone(DomainError):
    status_code = 410
    default_message = N_("Dieser Inhalt wurde zurückgezogen.")


class RateLimited(DomainError):
    status_code = 429
    default_message = N_("Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal.")

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(DomainError):
    """More requests at once than the process serves, for longer than a request waits for
    its turn (app.web.deps.database_slot)."""

    status_code = 503
    default_message = N_(
        "Allmende ist gerade stark ausgelastet. Bitte versuchen Sie es in einigen Sekunden erneut."
    )

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(DomainError):
    """Form input that breaks a rule; `errors` maps field names to (translated) messages."""

    status_code = 422
    default_message = N_("Bitte prüfen Sie Ihre Eingaben.")

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors


class CommandError(Exception):
    """A user mistake or an unmet precondition on the command line; the message is one line."""
