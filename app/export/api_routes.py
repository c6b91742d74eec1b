"""The public feed API (CONTRACT.md): incremental sync with cursors, ETags, keys, limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import DomainError, NotFound
from app.db import separate_write
from app.export import audience, feed, feed_filters, partners, ratelimit, schemas, vocabularies
from app.export.audience import PUBLIC, Reader
from app.export.models import PartnerKey
from app.web import routing
from app.web.deps import DbSession

router = routing.router(prefix="/api/v1")
API_VERSION = "1.0.0"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.Error, "description": "A malformed parameter or cursor"},
    401: {"model": schemas.Error, "description": "A missing or invalid API key"},
    429: {"model": schemas.Error, "description": "Too many requests (see Retry-After)"},
}


class Unauthorized(DomainError):
    status_code = 401
    default_message = "A valid API key is required: Authorization: Bearer <key>."


def partner_access(request: Request, db: DbSession) -> Reader:
    """The partner whose key the request carries (checked), applying the rate limits;
    PUBLIC for a request without a key."""
    return _access(request, db, key_required=request.app.state.settings.feed_require_key)


def open_access(request: Request, db: DbSession) -> Reader:
    """As partner_access, but readable without a key whatever the operator chose (the
    vocabularies: nothing in them is a project)."""
    return _access(request, db, key_required=False)


def _access(request: Request, db: DbSession, *, key_required: bool) -> Reader:
    settings: Settings = request.app.state.settings
    if any(name in request.query_params for name in ("api_key", "key", "token", "access_token")):
        raise feed.BadFeedParameter(
            "API keys go in the Authorization header (Bearer), never in the query string."
        )
    header = request.headers.get("authorization", "")
    if not header and key_required:
        raise Unauthorized
    address = request.client.host if request.client else "unknown"
    # One short write transaction of its own: the key's check and last use, and the rate
    # counters, committed also when the request is refused (refused requests count too).
    refused: DomainError | None = None
    key: PartnerKey | None = None
    with separate_write(db):
        ratelimit.without_flush_to_disk(db)
        by_address = {f"ip:{address}": settings.feed_rate_limit_per_address}
        try:
            try:
                key = _key_of(db, header) if header else None
            except Unauthorized:
                ratelimit.check(db, by_address)  # guessing keys costs the address its budget
                raise
            by_key = {f"key:{key.id if key else None}": settings.feed_rate_limit_per_key}
            ratelimit.check(db, by_address if key is None else by_key)
        except DomainError as error:
            refused = error
    if refused is not None:
        raise refused
    return key.partner_id if key is not None else PUBLIC


def _key_of(db: Session, header: str) -> PartnerKey:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized
    row = partners.authenticate(db, token.strip())
    if row is None:
        raise Unauthorized("The API key is unknown or revoked.")
    partners.touch_key(row)
    return row


PartnerAccess = Annotated[Reader, Depends(partner_access)]
OpenAccess = Annotated[Reader, Depends(open_access)]


def _json(request: Request, body: dict[str, Any]) -> Response:
    """JSON with a strong ETag; If-None-Match gets 304."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Authorization"}
    wanted = request.headers.get("if-none-match", "")
    if etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(raw, media_type="application/json", headers=headers)


def _parse_time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise feed.BadFeedParameter(
            "modified_since must be an RFC 3339 timestamp like 2026-01-31T12:00:00Z."
        ) from None
    if moment.tzinfo is None:
        raise feed.BadFeedParameter("modified_since needs a time zone (Z or +01:00).")
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 lies before the first UTC instant
        return dt.datetime.min.replace(tzinfo=dt.UTC)


@router.get(
    "/projects",
    response_model=schemas.FeedPage,
    responses={304: {"description": "Not modified (If-None-Match)"}, **ERRORS},
    summary="Published projects and tombstones in order of change",
)
def list_projects(
    request: Request,
    db: DbSession,
    reader: PartnerAccess,
    since: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous response")
    ] = None,
    modified_since: Annotated[str | None, Query(max_length=64, description="RFC 3339")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    uses_ai: Annotated[
        list[str],
        Query(
            max_length=20,
            description="Only projects with this uses_ai (repeatable; `ai`: every value but "
            "none). Projects that do not match come as tombstones.",
        ),
    ] = [],  # noqa: B006 - FastAPI reads the default, it is never mutated
    land: Annotated[
        str | None,
        Query(max_length=2, description="Only projects of this Land (two-digit key, e.g. 09)"),
    ] = None,
    field_of_action: Annotated[
        str | None,
        Query(max_length=60, description="Only projects with this field of action (its id)"),
    ] = None,
) -> Response:
    """Incremental sync: store `next_cursor` and pass it as `since` next time (with the
    same filter). A partner's key shows what was released to it."""
    settings: Settings = request.app.state.settings
    wanted = feed_filters.parse(uses_ai[:10], land, field_of_action)
    if since is not None and modified_since is not None:
        raise feed.BadFeedParameter("Use either since or modified_since, not both.")
    if modified_since is not None:
        page = feed.modified_since(db, _parse_time(modified_since), limit, reader)
    else:
        start = feed.decode_cursor(settings, since, wanted.fingerprint()) if since else 0
        page = feed.after(db, start, limit, reader)
    cursor = feed.encode_cursor(settings, page.last_seq, wanted.fingerprint())
    next_link = f"{settings.base_url}/api/v1/projects?" + urlencode(
        [("since", cursor), ("limit", str(limit)), *wanted.query()]
    )
    body = {
        "items": feed_filters.apply(audience.view(db, page.entries, reader), wanted),
        "next_cursor": cursor,
        "has_more": page.has_more,
        "links": {"next": next_link},
    }
    return _json(request, body)


@router.get(
    "/projects/{project_id}",
    response_model=schemas.ProjectItem | schemas.Tombstone,
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        404: {"model": schemas.Error, "description": "Never published (to this reader)"},
        **ERRORS,
    },
    summary="One project, or its tombstone once withdrawn",
)
def get_project(
    request: Request, project_id: str, db: DbSession, reader: PartnerAccess
) -> Response:
    """A project once published to the reader never answers 404: it answers with its
    tombstone once withdrawn or no longer released to the reader."""
    found = audience.view_one(db, feed.get(db, project_id[:64]), reader)
    if found is None:
        raise NotFound("No project with this id was ever published.")
    return _json(request, found)


@router.get(
    "/vocabularies",
    response_model=schemas.VocabularyList,
    responses={304: {"description": "Not modified (If-None-Match)"}, **ERRORS},
    summary="Every vocabulary: fields of action, stages and what they map to",
)
def list_vocabularies(request: Request, db: DbSession, access: OpenAccess) -> Response:
    """Identifiers in items stay the same forever; labels and mappings may change."""
    body = vocabularies.all_vocabularies(db, request.app.state.settings)
    return _json(request, body.model_dump(mode="json"))


@router.get(
    "/vocabularies/{name}",
    response_model=schemas.Vocabulary,
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        404: {"model": schemas.Error, "description": "No such vocabulary"},
        **ERRORS,
    },
    summary="One vocabulary",
)
def get_vocabulary(request: Request, name: str, db: DbSession, access: OpenAccess) -> Response:
    """One vocabulary by name (e.g. fields_of_action, stages, ozg_themenfelder)."""
    body = vocabularies.vocabulary(db, request.app.state.settings, name[:64])
    return _json(request, body.model_dump(mode="json"))


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI description of the public API only."""
    document = get_openapi(
        title="Allmende – öffentliche Projekt-Schnittstelle",
        version=API_VERSION,
        description=(
            "Published projects of German municipalities, for civic innovation platforms. "
            "Poll `/api/v1/projects` with the stored `next_cursor` as `since`, or receive "
            "Standard Webhooks (project.published, project.updated, project.withdrawn)."
        ),
        routes=router.routes,
        servers=[{"url": settings.base_url}],
    )
    document["components"].setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "Partner API key (required when the operator says so)",
    }
    document["security"] = [{}, {"bearer": []}]
    # Invalid parameters answer 400 with the Error shape (app.web.errors), never FastAPI's
    # own 422, so its generated 422 response and schemas are not part of this API.
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas_ = document["components"].get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas_.pop(name, None)
    return document


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI description of the public API."""
    document = openapi_document(request.app.state.settings)
    return JSONResponse(document, headers={"Cache-Control": "no-cache"})
