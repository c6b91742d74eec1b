"""Admin pages for partner platforms: keys (shown once), webhooks, deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Admin
from app.core.errors import ValidationFailed
from app.export import partners
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/admin", include_in_schema=False)


def _list_page(
    request: Request,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    name: str = "",
    contact_email: str = "",
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    return render(
        request,
        "export/partners.html",
        {
            "page_title": _("Partnerplattformen"),
            "partners": partners.listing(db),
            "errors": errors or {},
            "name": name,
            "contact_email": contact_email,
            "labels": {"name": _("Name"), "contact_email": _("Kontakt-E-Mail")},
        },
        status_code=status_code,
    )


@router.get("/partners")
def partner_list(request: Request, admin: Admin, db: DbSession) -> Response:
    """Registered partner platforms."""
    return _list_page(request, db)


@router.post("/partners")
def partner_create(
    request: Request,
    admin: Admin,
    db: DbSession,
    name: Annotated[str, Form()] = "",
    contact_email: Annotated[str, Form()] = "",
) -> Response:
    """Register a partner; its first API key is shown once."""
    try:
        partner, key = partners.create(db, name, contact_email=contact_email, actor_id=admin.id)
    except ValidationFailed as error:
        return _list_page(
            request,
            db,
            errors=error.errors,
            name=name,
            contact_email=contact_email,
            status_code=422,
        )
    return _detail_page(
        request, db, partner.id, secret_label=_("Neuer API-Schlüssel"), secret=key.key
    )


def _detail_page(
    request: Request,
    db: DbSession,
    partner_id: int,
    *,
    secret: str | None = None,
    secret_label: str = "",
    new_url: str | None = None,
    errors: dict[str, str] | None = None,
    url: str = "",
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    partner = partners.get(db, partner_id)
    return render(
        request,
        "export/partner.html",
        {
            "page_title": partner.name,
            "partner": partner,
            "keys": partners.keys_of(db, partner.id),
            "endpoints": partners.endpoints_of(db, partner.id),
            "secret": secret,
            "secret_label": secret_label,
            "new_url": new_url,
            "errors": errors or {},
            "url": url,
            "labels": {"url": _("Adresse")},
        },
        status_code=status_code,
    )


@router.get("/partners/{partner_id:id}")
def partner_detail(request: Request, partner_id: int, admin: Admin, db: DbSession) -> Response:
    """A partner's keys and webhook endpoints."""
    return _detail_page(request, db, partner_id)


@router.post("/partners/{partner_id:id}/keys")
def key_create(request: Request, partner_id: int, admin: Admin, db: DbSession) -> Response:
    """A further API key (shown once)."""
    key = partners.create_key(db, partners.get(db, partner_id), actor_id=admin.id)
    return _detail_page(
        request, db, partner_id, secret_label=_("Neuer API-Schlüssel"), secret=key.key
    )


@router.post("/partners/{partner_id:id}/keys/{key_id:id}/revoke")
def key_revoke(
    request: Request, partner_id: int, key_id: int, admin: Admin, db: DbSession
) -> Response:
    """Revoke one key at once."""
    partners.revoke(db, partners.get(db, partner_id), key_id=key_id, actor_id=admin.id)
    response = RedirectResponse(f"/admin/partners/{partner_id}", status_code=303)
    flash(request, response, _("Der Schlüssel ist widerrufen."))
    return response


@router.post("/partners/{partner_id:id}/revoke")
def partner_revoke(request: Request, partner_id: int, admin: Admin, db: DbSession) -> Response:
    """Revoke the partner: every key at once, its webhooks switched off, nothing more sent."""
    partner = partners.get(db, partner_id)
    revoked = partners.revoke(db, partner, actor_id=admin.id)
    response = RedirectResponse(f"/admin/partners/{partner_id}", status_code=303)
    flash(
        request,
        response,
        _(
            "%(name)s ist gesperrt: %(count)s Schlüssel widerrufen, Webhooks abgeschaltet, "
            "wartende Zustellungen aufgegeben.",
            name=partner.name,
            count=revoked,
        ),
    )
    return response


@router.post("/partners/{partner_id:id}/webhooks")
def webhook_add(
    request: Request, partner_id: int, admin: Admin, db: DbSession, url: Annotated[str, Form()] = ""
) -> Response:
    """Register a webhook endpoint; its signing secret is shown once."""
    partner = partners.get(db, partner_id)
    try:
        endpoint, secret = partners.add_webhook(
            db, request.app.state.settings, partner, url, actor_id=admin.id
        )
    except ValidationFailed as error:
        return _detail_page(request, db, partner_id, errors=error.errors, url=url, status_code=422)
    # The admin who typed the address sees it whole this once; later pages show it only
    # up to its path (a query may hold the partner's token).
    return _detail_page(
        request,
        db,
        partner_id,
        secret_label=_("Signaturschlüssel des Webhooks"),
        secret=secret,
        new_url=endpoint.url,
    )


@router.post("/webhooks/{endpoint_id:id}/rotate")
def webhook_rotate(request: Request, endpoint_id: int, admin: Admin, db: DbSession) -> Response:
    """A new signing secret; the old one keeps signing for 24 hours."""
    target = partners.endpoint(db, endpoint_id)
    secret = partners.rotate_secret(db, target, actor_id=admin.id)
    return _detail_page(
        request,
        db,
        target.partner_id,
        secret_label=_("Neuer Signaturschlüssel (der alte gilt noch 24 Stunden)"),
        secret=secret,
    )


@router.post("/webhooks/{endpoint_id:id}/active")
def webhook_toggle(
    request: Request,
    endpoint_id: int,
    admin: Admin,
    db: DbSession,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Switch an endpoint on or off."""
    target = partners.endpoint(db, endpoint_id)
    partners.set_active(db, target, active == "1", actor_id=admin.id)
    return RedirectResponse(f"/admin/partners/{target.partner_id}", status_code=303)


@router.get("/webhooks/{endpoint_id:id}")
def webhook_deliveries(request: Request, endpoint_id: int, admin: Admin, db: DbSession) -> Response:
    """The latest deliveries: status, attempts, last error."""
    request.state.nav = "admin"
    target = partners.endpoint(db, endpoint_id)
    return render(
        request,
        "export/deliveries.html",
        {
            "page_title": _("Zustellungen"),
            "endpoint": target,
            "deliveries": partners.deliveries(db, endpoint_id),
        },
    )


@router.post("/webhooks/{endpoint_id:id}/deliveries/{message_id:id}/redeliver")
def webhook_redeliver(
    request: Request, endpoint_id: int, message_id: int, admin: Admin, db: DbSession
) -> Response:
    """Send a delivery again now."""
    partners.redeliver(db, endpoint_id, message_id, actor_id=admin.id)
    response = RedirectResponse(f"/admin/webhooks/{endpoint_id}", status_code=303)
    flash(request, response, _("Die Zustellung wird erneut versucht."))
    return response
