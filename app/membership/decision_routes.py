"""What the three decision forms share (an application by a moderator or a local contact, a
job change by a moderator): decide, then either show the form again with its errors and what
was typed, or go back to the queue with a note naming the member and the decision."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import Account
from app.core.errors import ValidationFailed
from app.i18n import gettext as _
from app.web.flash import flash


class Decided(Protocol):
    """An application or a change: whose it is."""

    @property
    def account(self) -> Account: ...


def decide_then_return(
    request: Request,
    *,
    decide: Callable[[], Decided],
    form_again: Callable[[dict[str, str]], Response],
    queue: str,
    decision: str,
    labels: Mapping[str, str],
) -> Response:
    """Run `decide`; on a validation error `form_again(errors)` (status 422 is its job),
    otherwise a 303 to `queue` with "Entscheidung gespeichert: who – what"."""
    try:
        decided = decide()
    except ValidationFailed as error:
        return form_again(error.errors)
    response = RedirectResponse(queue, status_code=303)
    flash(
        request,
        response,
        _(
            "Entscheidung gespeichert: %(who)s – %(what)s",
            who=decided.account.display_name,
            what=_(labels[decision]),
        ),
    )
    return response
