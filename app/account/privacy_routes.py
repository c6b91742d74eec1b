"""My data: download everything (Art. 15) and erase the account (Art. 17)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.account import privacy
from app.auth.deps import Admin, SignedIn
from app.auth.models import AuthSession
from app.core.clock import utcnow
from app.core.text import normalize
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import accounts
from app.membership.moderation_routes import member_page
from app.municipalities.models import Municipality
from app.web import csrf, routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)
# The word typed to confirm an erasure. The page shows it in the reader's language; the
# German word is accepted always (an English page may still be read with German habits).
CONFIRMATION = N_("LÖSCHEN")
EXPORT_PAGE = "/konto/daten"


def confirmation_words() -> set[str]:
    """The words that confirm an erasure: the German one and the current locale's."""
    return {CONFIRMATION, normalize(_(CONFIRMATION)).strip().upper()}


def _session(request: Request) -> AuthSession | None:
    current: AuthSession | None = getattr(request.state, "auth_session", None)
    return current


def reauthentication_url(request: Request) -> str:
    """Where "sign in again" leads: straight to the provider of this session, asking it to
    authenticate the person anew; otherwise (development sign-in) the sign-in page."""
    current = _session(request)
    registry = request.app.state.oidc
    if current is not None and current.provider and registry.get(current.provider) is not None:
        return f"/login/{current.provider}?reauth=1&next={EXPORT_PAGE}"
    return f"/login?reauth=1&next={EXPORT_PAGE}"


def _page(
    request: Request,
    db: DbSession,
    account: SignedIn,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "account/privacy.html",
        {
            "page_title": _("Meine Daten"),
            "account": account,
            "municipality": db.get(Municipality, account.municipality_id)
            if account.municipality_id
            else None,
            "summary": privacy.summary(db, account),
            "fresh": privacy.is_fresh(_session(request)),
            "reauthentication_url": reauthentication_url(request),
            "errors": errors or {},
            "labels": {"confirmation": _("Bestätigung")},
            "confirmation_word": _(CONFIRMATION),
        },
        status_code=status_code,
    )


@router.get(EXPORT_PAGE)
def privacy_page(request: Request, account: SignedIn, db: DbSession) -> Response:
    """What is stored about me; download it or erase my account."""
    return _page(request, db, account)


@router.get("/konto/daten/export.json")
def export(request: Request, account: SignedIn, db: DbSession) -> Response:
    """All data about me as a JSON file (needs a sign-in within the last ten minutes)."""
    if not privacy.is_fresh(_session(request)):
        response = RedirectResponse(EXPORT_PAGE, status_code=303)
        flash(
            request,
            response,
            _(
                "Bitte melden Sie sich zur Sicherheit neu an, dann "
                "können Sie Ihre Daten herunterladen."
            ),
            "warning",
        )
        return response
    body = json.dumps(privacy.export(db, account), ensure_ascii=False, indent=2)
    filename = f"allmende-daten-{account.id}-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/konto/loeschen")
def erase(
    request: Request,
    account: SignedIn,
    db: DbSession,
    confirmation: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Erase my account (needs a fresh sign-in and the confirmation word)."""
    if normalize(confirmation).strip().upper() not in confirmation_words():
        return _page(
            request,
            db,
            account,
            status_code=422,
            errors={
                "confirmation": _(
                    "Bitte tippen Sie %(word)s zur Bestätigung.", word=_(CONFIRMATION)
                )
            },
        )
    if not privacy.is_fresh(_session(request)):
        return _page(
            request,
            db,
            account,
            status_code=422,
            errors={
                "confirmation": _(
                    "Bitte melden Sie sich zur Sicherheit neu an und löschen Sie dann."
                )
            },
        )
    privacy.erase(db, request.app.state.settings, account, actor=account)
    response = RedirectResponse("/login", status_code=303)
    settings = request.app.state.settings
    response.delete_cookie(
        csrf.session_cookie_name(settings),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )
    flash(request, response, _("Ihr Konto ist gelöscht. Danke, dass Sie dabei waren."))
    return response


@router.post("/moderation/members/{account_id:id}/erase")
def erase_by_admin(
    request: Request,
    account_id: int,
    admin: Admin,
    db: DbSession,
    erase_reason: Annotated[str, Form()] = "",
) -> Response:
    """An admin erases an account on the person's request (audited with the reason)."""
    person = accounts.get(db, account_id)
    if not erase_reason.strip():
        return member_page(
            request,
            db,
            account_id,
            status_code=422,
            errors={"erase_reason": _("Bitte nennen Sie die Anfrage, auf die hin Sie löschen.")},
        )
    privacy.erase(db, request.app.state.settings, person, actor=admin, reason=erase_reason.strip())
    response = RedirectResponse("/moderation/members", status_code=303)
    flash(request, response, _("Das Konto wurde gelöscht."))
    return response
