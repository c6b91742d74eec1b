"""Public pages of published projects and the Atom feed (no sign-in needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import i18n
from app.attachments import published
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.export import atom, audience, feed, file_items, images
from app.export.api_routes import OpenAccess, PartnerAccess
from app.export.models import Publication
from app.export.serializer import rfc3339
from app.i18n import N_
from app.i18n import gettext as _
from app.vorhaben import repository
from app.vorhaben.models import STAGE_LABELS, Stage
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render_string

router = routing.router(include_in_schema=False)
GONE = N_("Nicht mehr verfügbar")


def field_labels(db: Session) -> dict[str, str]:
    """Fields of action by slug, in the reader's language (items carry slugs)."""
    return {
        entry.slug: _(entry.label) for entry in repository.fields_of_action(db, active_only=False)
    }


def json_ld(item: dict[str, Any], base_url: str) -> dict[str, Any]:
    """schema.org Project for search engines (the template writes it with |tojson, which
    escapes what could end its <script> data block)."""
    municipality = item["municipality"]
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Project",
        "@id": item["url"],
        "url": item["url"],
        "name": item["title"],
        "description": item["summary"],
        "inLanguage": item["language"],
        "dateCreated": item["created"],
        "dateModified": item["modified"],
        "keywords": ", ".join([*item["tags"], *item["fields_of_action"]]),
        "sponsor": {
            "@type": "GovernmentOrganization",
            "name": municipality["name"],
            "address": {
                "@type": "PostalAddress",
                "addressCountry": "DE",
                "addressRegion": municipality["state"],
            },
        },
    }
    if item["license"]:
        found["license"] = item["license"]
    if item["translations"]["en"]:
        found["alternateName"] = {"@language": "en", "@value": item["translations"]["en"]["title"]}
    if item["image"]:
        found["image"] = {
            "@type": "ImageObject",
            "contentUrl": item["image"]["url"],
            "description": item["image"]["alt"],
            "width": item["image"]["width"],
            "height": item["image"]["height"],
        }
    return found


def publication_vorhaben(db: Session, publication_id: str) -> int | None:
    """The Vorhaben behind a publication (None once it is deleted)."""
    publication = db.get(Publication, publication_id)
    return publication.vorhaben_id if publication is not None else None


# The same bytes for every browser in one language: shared caches may keep them.
PUBLIC_HEADERS = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language, Cookie"}


def _public(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A public page rendered without the request: no viewer, no session, no CSRF token
    can reach it (the request guard sets no cookie on these paths either)."""
    html = render_string(template, {"locale": i18n.get_locale(), **context})
    return HTMLResponse(html, status_code=status_code, headers=PUBLIC_HEADERS)


@router.get("/p/{project_id}")
def public_page(request: Request, project_id: str, db: DbSession) -> Response:
    """The public page of a project released to the public; 410 once withdrawn (or no
    longer released to the public), 404 if it never was."""
    item = audience.view_one(db, feed.get(db, project_id[:64]), audience.PUBLIC)
    if item is None:
        raise NotFound(_("Dieses Vorhaben wurde nie veröffentlicht."))
    if item["deleted"]:
        return _public("export/public_gone.html", {"page_title": _(GONE)}, status_code=410)
    return _public(
        "export/public.html",
        {
            "page_title": item["title"],
            "item": item,
            "stage_label": STAGE_LABELS[Stage(item["stage"])],
            "field_labels": field_labels(db),
            "json_ld": json_ld(item, request.app.state.settings.base_url),
        },
    )


@router.get("/p/{project_id}/bild/{sha256}")
def public_image(project_id: str, sha256: str, db: DbSession, reader: OpenAccess) -> Response:
    """The image of a project, while the version the reader gets shows it (else 404): to
    anyone when the project goes to the public, with the partner's key when it goes to
    chosen partners only."""
    entry = feed.get(db, project_id[:64])
    item = audience.view_one(db, entry, reader)
    if entry is None or item is None or images.live_sha256(item) != sha256:
        raise NotFound(_("Dieses Bild gibt es nicht."))
    image = images.get(db, entry.publication_id, sha256)
    if image is None:
        raise NotFound(_("Dieses Bild gibt es nicht."))
    # Shared caches only where anyone may have it.
    public = audience.view_one(db, entry, audience.PUBLIC) == item
    headers = (
        PUBLIC_HEADERS
        if public
        else {"Cache-Control": "private, no-cache", "Vary": "Authorization"}
    )
    return Response(image.data, media_type=image.media_type, headers=headers)


@router.get("/p/{project_id}/dateien/{attachment_id:id}/{name}")
def public_file(
    request: Request,
    project_id: str,
    attachment_id: int,
    name: str,
    db: DbSession,
    reader: OpenAccess,
) -> Response:
    """A file the owners published, while the version the reader gets lists it (404
    otherwise; once withdrawn, 410 like the page), as a download with the member
    download's safe headers. The name in the URL is only for people; the id decides."""
    entry = feed.get(db, project_id[:64])
    item = audience.view_one(db, entry, reader)
    if entry is not None and item is not None and item["deleted"]:
        return Response(status_code=410, headers={"Cache-Control": "no-cache"})
    vorhaben_id = publication_vorhaben(db, entry.publication_id) if entry else None
    found = None
    if item is not None and vorhaben_id is not None and file_items.listed(item, attachment_id):
        found = published.download(db, request.app.state.settings, vorhaben_id, attachment_id)
    if found is None:
        raise NotFound(_("Diese Datei gibt es nicht."))
    return found


@router.get("/feeds/projects.atom")
def atom_feed(
    request: Request,
    db: DbSession,
    reader: PartnerAccess,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The Atom feed, newest changes first, 50 per page, at most MAX_PAGES pages.

    The same partner access as the JSON feed (key when required, rate limits). Paging is
    bounded: a feed reader wants the latest changes, and a deep OFFSET would scan the whole
    table; mirrors sync through /api/v1/projects."""
    total = feed.count(db, limit=atom.PAGE_SIZE * atom.MAX_PAGES, reader=reader)
    pages = max(1, -(-total // atom.PAGE_SIZE))
    if page > pages:
        raise NotFound(_("Diese Seite des Feeds gibt es nicht."))
    entries = feed.latest(
        db, offset=(page - 1) * atom.PAGE_SIZE, limit=atom.PAGE_SIZE, reader=reader
    )
    updated = rfc3339(entries[0].modified_at) if entries else rfc3339(utcnow())
    items = audience.view(db, entries, reader)
    body = atom.render(request.app.state.settings, items, page=page, pages=pages, updated=updated)
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
