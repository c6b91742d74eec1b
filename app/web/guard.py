"""The request guard: well-formed input, body size limit, locale, cross-site and CSRF checks,
before any route.

It runs as plain ASGI so it sees every request, including ones no route matches, and can
refuse an oversized chunked body without the route ever reading it. What it refuses as
malformed (app.web.wellformed) never reaches a route, so no route and no query has to
guard against a NUL byte or text that is no UTF-8.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.config import Settings
from app.web import csrf, wellformed
from app.web.errors import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Server-to-server endpoints that authenticate by other means (a signed logout token).
CSRF_EXEMPT_PREFIXES = ("/auth/backchannel-logout/",)
# Public surfaces any cache may share (app.export): reading them mints no CSRF cookie.
PUBLIC_PREFIXES = ("/p/", "/feeds/", "/api/")
LOCALE_COOKIE = "allmende_lang"


class BodyTooLarge(Exception):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# Room for the rest of a form that carries a file (a comment's text, the token, the parts'
# headers) on top of the file limit.
UPLOAD_OVERHEAD = 1024 * 1024
# An upload's body is kept in memory up to this size, on disk beyond it.
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024


class RequestGuard:
    def __init__(
        self, app: ASGIApp, settings: Settings, upload_paths: re.Pattern[str] | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.own_origin = _origin(settings.base_url)
        # POSTs of multipart forms to these paths may carry a file up to the attachment
        # limit; their bodies are spooled to disk, never held in memory whole.
        self.upload_paths = upload_paths
        self.upload_limit = max(
            settings.max_body_bytes, settings.attachment_max_file_bytes + UPLOAD_OVERHEAD
        )

    def _is_upload(self, scope: Scope, headers: Headers) -> bool:
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return (
            self.upload_paths is not None
            and scope["method"] == "POST"
            and media_type == "multipart/form-data"
            and self.upload_paths.fullmatch(scope["path"]) is not None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Cookies that do not parse are dropped before anyone reads them.
        cleaned = wellformed.well_formed_cookies(scope["headers"])
        if cleaned is not None:
            scope["headers"] = cleaned
        request = Request(scope)
        headers = Headers(scope=scope)
        i18n.set_locale(
            i18n.negotiate(headers.get("accept-language"), request.cookies.get(LOCALE_COOKIE))
        )
        malformed = self._malformed_address(scope)
        if malformed is None and wellformed.bad_header(scope["headers"]) is not None:
            malformed = i18n.gettext("Die Anfrage enthält eine ungültige Kopfzeile.")
        if malformed is not None:
            await self._refuse(scope, send, 400, malformed)
            return

        # The binding the CSRF token derives from; a browser without one gets a cookie.
        state = scope.setdefault("state", {})
        binding = csrf.binding_from_cookies(request, self.settings)
        new_cookie: str | None = None
        public_read = scope["method"] in SAFE_METHODS and scope["path"].startswith(PUBLIC_PREFIXES)
        if binding is None and not public_read:
            binding = new_cookie = csrf.new_cookie_value()
        state["csrf_binding"] = binding

        send = self._with_cookies(send, new_cookie, state)

        upload = self._is_upload(scope, headers)
        limit = self.upload_limit if upload else self.settings.max_body_bytes
        too_large = (
            i18n.gettext(
                "Die Datei ist zu groß: höchstens %(limit)s MB je Datei.",
                limit=i18n.format_megabytes(self.settings.attachment_max_file_bytes),
            )
            if upload
            else None
        )
        length = headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()):
                await self._refuse(scope, send, 400, i18n.gettext("Ungültige Content-Length."))
                return
            # More digits than any allowed size has are too large without converting them.
            if len(length) > 18 or int(length) > limit:
                await self._refuse(scope, send, 413, too_large)
                return

        if scope["method"] in SAFE_METHODS:
            await self.app(scope, self._limited(receive), send)
            return

        if upload:
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                try:
                    await self._spool_body(receive, spool, limit)
                except BodyTooLarge:
                    await self._refuse(scope, send, 413, too_large)
                    return
                await self._check_and_call(scope, send, headers, request, new_cookie, spool)
            return

        try:
            body = await self._read_body(receive)
        except BodyTooLarge:
            await self._refuse(scope, send, 413)
            return
        await self._check_and_call(scope, send, headers, request, new_cookie, body)

    async def _check_and_call(
        self,
        scope: Scope,
        send: Send,
        headers: Headers,
        request: Request,
        new_cookie: str | None,
        body: bytes | IO[bytes],
    ) -> None:
        """Same origin, a well-formed body and the CSRF token; then the app."""
        binding = scope["state"]["csrf_binding"]

        if not self._same_origin(headers, request):
            await self._refuse(
                scope, send, 403, i18n.gettext("Anfragen von fremden Websites werden abgelehnt.")
            )
            return
        header_token = headers.get(csrf.HEADER)
        form_token, well_formed = await self._inspect_body(scope, body, header_token is None)
        if not well_formed:
            await self._refuse(
                scope,
                send,
                400,
                i18n.gettext(
                    "Die gesendeten Daten enthalten Zeichen, die hier nicht erlaubt sind."
                ),
            )
            return
        if not scope["path"].startswith(CSRF_EXEMPT_PREFIXES):
            token = header_token or form_token or ""
            if not csrf.is_valid(self.settings.secret, None if new_cookie else binding, token):
                await self._refuse(
                    scope,
                    send,
                    403,
                    i18n.gettext(
                        "Die Sicherheitsprüfung (CSRF) ist fehlgeschlagen. Bitte laden Sie die "
                        "Seite neu und senden Sie das Formular erneut."
                    ),
                )
                return

        await self.app(scope, self._replay(body), send)

    async def _spool_body(self, receive: Receive, spool: IO[bytes], limit: int) -> None:
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # stops reading: the rest of the body is never received
                raise BodyTooLarge
            spool.write(chunk)
            if not message.get("more_body", False):
                break

    # -- helpers ---------------------------------------------------------------------------

    def _same_origin(self, headers: Headers, request: Request) -> bool:
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
            return False
        origin = headers.get("origin")
        if origin is None:
            return True
        request_origin = f"{request.url.scheme}://{request.url.netloc}".lower()
        return origin.lower() in {self.own_origin, request_origin}

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.settings.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    def _malformed_address(scope: Scope) -> str | None:
        """Why the path or query string cannot be taken, or None."""
        if wellformed.bad_path(scope["path"], scope.get("raw_path")) or wellformed.bad_query(
            scope.get("query_string", b"")
        ):
            return i18n.gettext("Die Adresse enthält Zeichen, die hier nicht erlaubt sind.")
        return None

    async def _inspect_body(
        self, scope: Scope, body: bytes | IO[bytes], wants_token: bool
    ) -> tuple[str | None, bool]:
        """The CSRF token of a form body (if wanted), and whether the body is well formed."""
        content_type = Headers(scope=scope).get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if not isinstance(body, bytes):  # an upload: only multipart comes spooled
            return await self._inspect_multipart(scope, body)
        if media_type == "application/x-www-form-urlencoded":
            if wellformed.bad_urlencoded_form(body):
                return None, False
            if not wants_token:
                return None, True
            try:
                values = parse_qs(body.decode("latin-1"), keep_blank_values=True)
            except ValueError:
                return None, True
            found = values.get(csrf.FIELD)
            return (found[0] if found else None), True
        if media_type == "multipart/form-data":
            return await self._inspect_multipart(scope, body)
        if wellformed.is_json(media_type):
            return None, not wellformed.bad_json(body)
        return None, True

    async def _inspect_multipart(
        self, scope: Scope, body: bytes | IO[bytes]
    ) -> tuple[str | None, bool]:
        request = Request(scope, self._replay(body))
        try:
            form = await request.form()
        except Exception:  # malformed multipart: treated as "no token"
            return None, True
        try:
            if wellformed.bad_form_fields(form.multi_items()):
                return None, False
            value = form.get(csrf.FIELD)
            return (value if isinstance(value, str) else None), True
        finally:
            await form.close()

    def _limited(self, receive: Receive) -> Receive:
        """Count the body of a safe request too (a chunked GET body is still a body)."""
        seen = 0
        limit = self.settings.max_body_bytes

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.disconnect"}
            return message

        return limited

    @staticmethod
    def _replay(body: bytes | IO[bytes]) -> Receive:
        if not isinstance(body, bytes):
            return RequestGuard._replay_spooled(body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        return replay

    @staticmethod
    def _replay_spooled(spool: IO[bytes]) -> Receive:
        """A spooled body, read again from its start in chunks (each reader its own pass)."""
        position = 0
        done = False

        async def replay() -> Message:
            nonlocal position, done
            if done:
                return {"type": "http.disconnect"}
            spool.seek(position)
            chunk = spool.read(CHUNK)
            position += len(chunk)
            more = len(chunk) == CHUNK
            done = not more
            return {"type": "http.request", "body": chunk, "more_body": more}

        return replay

    def _with_cookies(self, send: Send, new_csrf: str | None, state: dict[str, object]) -> Send:
        """Set a new CSRF cookie, and drop a session cookie whose session has ended."""
        secure = "; Secure" if self.settings.https else ""
        csrf_cookie = (
            f"{csrf.csrf_cookie_name(self.settings)}={new_csrf}; Path=/; HttpOnly; "
            f"SameSite=Lax{secure}"
        )
        expired_session = (
            f"{csrf.session_cookie_name(self.settings)}=; Path=/; Max-Age=0; HttpOnly; "
            f"SameSite=Lax{secure}"
        )

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_csrf:
                    headers.append("set-cookie", csrf_cookie)
                if state.get("clear_session_cookie"):
                    headers.append("set-cookie", expired_session)
            await send(message)

        return send_with_cookies

    async def _refuse(
        self, scope: Scope, send: Send, status_code: int, detail: str | None = None
    ) -> None:
        # The page shows (and links back to) the address without what made it malformed.
        shown = {key: value for key, value in scope.items() if key != "raw_path"}
        shown.update(path=wellformed.printable(scope["path"]), query_string=b"")
        request = Request(shown)
        response = error_response(request, status_code, detail)
        if status_code == 413:
            response.headers["Connection"] = "close"
        await response(scope, self._noop_receive, send)

    @staticmethod
    async def _noop_receive() -> Message:
        return {"type": "http.disconnect"}
