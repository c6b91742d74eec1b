"""OpenID Connect relying party: discovery, authorization code flow with PKCE, ID token
and back-channel logout token validation (Authlib for the protocol, joserfc for JOSE)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.config import OIDCProviderSettings, Settings
from app.core.clock import utcnow

# Asymmetric algorithms only: never "none", never an HMAC keyed with the client secret.
ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
METADATA_TTL = 3600.0
CLOCK_LEEWAY = 60
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
HTTP_TIMEOUT = 10.0
# Claims we store and look sessions up by: text without control characters (PostgreSQL
# refuses NUL in text, so one there would fail the sign-in with a 500, not a clear error).
IDENTIFIER_CLAIMS = ("sub", "sid", "jti")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class OIDCError(Exception):
    """A failed sign-in step. `reason` is a short code for the audit log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def _now() -> int:
    return int(utcnow().timestamp())


class Provider:
    """One configured OpenID provider, with its discovered metadata and keys cached."""

    def __init__(
        self,
        config: OIDCProviderSettings,
        settings: Settings,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.name = config.name
        self.label = config.display_label
        self.issuer = config.issuer
        self.redirect_uri = f"{settings.base_url}/auth/callback/{config.name}"
        self.post_logout_redirect_uri = f"{settings.base_url}/login"
        self._transport = transport
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None

    # -- discovery ----------------------------------------------------------------------

    def _http(self) -> httpx2.Client:
        return httpx2.Client(
            timeout=HTTP_TIMEOUT, follow_redirects=False, transport=self._transport
        )

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document; its issuer must equal the configured one."""
        with self._lock:
            fresh = time.monotonic() - self._metadata_at < METADATA_TTL
            if self._metadata is not None and fresh:
                return self._metadata
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            with self._http() as client:
                response = client.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx2.HTTPError, ValueError) as error:
            raise OIDCError("discovery_failed", type(error).__name__) from None
        if not isinstance(document, dict):
            raise OIDCError("discovery_failed", "not a JSON object")
        if document.get("issuer") != self.config.issuer:
            raise OIDCError(
                "issuer_mismatch",
                f"discovered {document.get('issuer')!r}, configured {self.config.issuer!r}",
            )
        for required in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(required), str):
                raise OIDCError("discovery_failed", f"{required} missing")
        with self._lock:
            self._metadata = document
            self._metadata_at = time.monotonic()
            self._jwks = None
        return document

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._jwks is None or refresh:
            try:
                with self._http() as client:
                    response = client.get(self.metadata()["jwks_uri"])
                response.raise_for_status()
                self._jwks = response.json()
            except (httpx2.HTTPError, ValueError) as error:
                raise OIDCError("jwks_failed", type(error).__name__) from None
        try:
            return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise OIDCError("jwks_failed", type(error).__name__) from None

    def _algorithms(self) -> list[str]:
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        allowed = [alg for alg in ALLOWED_ALGORITHMS if alg in offered]
        if not allowed:
            raise OIDCError("no_acceptable_algorithm", ",".join(map(str, offered)))
        return allowed

    # -- the code flow --------------------------------------------------------------------

    def _client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret.get_secret_value(),
            token_endpoint_auth_method=self.config.auth_method,
            redirect_uri=self.redirect_uri,
            scope=" ".join(self.config.scopes),
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
            follow_redirects=False,
            transport=self._transport,
        )

    def authorization_url(
        self, *, state: str, nonce: str, code_verifier: str, max_age: int | None = None
    ) -> str:
        """Where to send the browser: code flow with PKCE (S256), state and nonce.

        With `max_age` (a re-authentication), the provider is also told `prompt=login`, so
        it asks the person again even while its own session is alive.
        """
        endpoint = self.metadata()["authorization_endpoint"]
        extra = {} if max_age is None else {"max_age": str(max_age), "prompt": "login"}
        with self._client() as client:
            url, _state = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier, **extra
            )
        return str(url)

    def exchange_code(self, code: str, code_verifier: str) -> dict[str, Any]:
        """Trade the authorization code for tokens at the token endpoint."""
        endpoint = self.metadata()["token_endpoint"]
        try:
            with self._client() as client:
                token = client.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    redirect_uri=self.redirect_uri,
                )
        except httpx2.HTTPError as error:
            raise OIDCError("token_endpoint_unreachable", type(error).__name__) from None
        except Exception as error:  # Authlib raises OAuthError and friends for error answers
            detail = getattr(error, "error", None) or type(error).__name__
            raise OIDCError("token_endpoint_error", str(detail)[:200]) from None
        if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
            raise OIDCError("no_id_token")
        return dict(token)

    def _decode(self, value: str) -> jwt.Token:
        algorithms = self._algorithms()
        try:
            try:
                return jwt.decode(value, self._key_set(), algorithms=algorithms)
            except JoseError as error:
                if "key" not in type(error).__name__.lower():
                    raise
                # The provider may have rotated its keys since we fetched them.
                return jwt.decode(value, self._key_set(refresh=True), algorithms=algorithms)
        except JoseError as error:
            raise OIDCError("invalid_token", type(error).__name__) from None
        except (ValueError, TypeError) as error:
            raise OIDCError("invalid_token", type(error).__name__) from None

    def _check_claims(self, claims: dict[str, Any], **extra: Any) -> None:
        registry = jwt.JWTClaimsRegistry(
            now=_now,
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": self.config.client_id},
            iat={"essential": True},
            **extra,
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise OIDCError("invalid_claims", f"{type(error).__name__}: {error}"[:200]) from None
        for name in IDENTIFIER_CLAIMS:
            value = claims.get(name)
            if isinstance(value, str) and _CONTROL.search(value):
                raise OIDCError("invalid_claims", f"{name} holds a control character")
        audience = claims.get("aud")
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.config.client_id:
            raise OIDCError("invalid_claims", "azp does not name this client")

    def validate_id_token(
        self,
        id_token: str,
        *,
        nonce: str,
        max_age: int | None = None,
        requested_at: float | None = None,
    ) -> dict[str, Any]:
        """Signature (JWKS, allowed algorithms), iss, aud, exp, iat and nonce; after a
        request with `max_age`, also an `auth_time` no older than the request allows."""
        token = self._decode(id_token)
        claims = dict(token.claims)
        self._check_claims(claims, exp={"essential": True}, sub={"essential": True})
        if claims.get("nonce") != nonce:
            raise OIDCError("nonce_mismatch")
        if max_age is not None:
            _check_reauthentication(claims, max_age, requested_at or _now())
        return claims

    def validate_logout_token(self, logout_token: str) -> dict[str, Any]:
        """A back-channel logout token: like an ID token (exp included), plus typ, events,
        jti, and no nonce."""
        token = self._decode(logout_token)
        typ = token.header.get("typ")
        if typ is not None and str(typ).lower() not in {"logout+jwt", "jwt"}:
            raise OIDCError("invalid_logout_token", f"typ {typ!r}")
        claims = dict(token.claims)
        # Back-Channel Logout 1.0 (final) requires exp; a token that never expires would
        # stay replayable once its jti has left our memory of used ids.
        self._check_claims(claims, jti={"essential": True}, exp={"essential": True})
        events = claims.get("events")
        if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
            raise OIDCError("invalid_logout_token", "events claim missing")
        if "nonce" in claims:
            raise OIDCError("invalid_logout_token", "a logout token must not carry a nonce")
        if not claims.get("sub") and not claims.get("sid"):
            raise OIDCError("invalid_logout_token", "neither sub nor sid")
        return claims

    def end_session_url(self, id_token_hint: str | None) -> str | None:
        """RP-initiated logout at the provider, where it offers an end_session_endpoint."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except OIDCError:
            return None
        if not isinstance(endpoint, str):
            return None
        params = {
            "post_logout_redirect_uri": self.post_logout_redirect_uri,
            "client_id": self.config.client_id,
        }
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        separator = "&" if urlsplit(endpoint).query else "?"
        return endpoint + separator + urlencode(params)

    def origins(self) -> set[str]:
        """Hosts the browser is sent to (for the CSP form-action of the logout form)."""
        found = {_origin(self.config.issuer)}
        if self._metadata and isinstance(self._metadata.get("end_session_endpoint"), str):
            found.add(_origin(self._metadata["end_session_endpoint"]))
        return found


def _check_reauthentication(claims: dict[str, Any], max_age: int, requested_at: float) -> None:
    # OIDC Core 3.1.2.1: after max_age, auth_time is required. A provider that leaves it
    # out, or reports an authentication from before we asked, has not proven that the
    # person just signed in again (the data export relies on exactly that).
    auth_time = claims.get("auth_time")
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        raise OIDCError("reauthentication_unconfirmed", "no auth_time")
    if auth_time + max_age + CLOCK_LEEWAY < requested_at:
        raise OIDCError("reauthentication_unconfirmed", "auth_time before the request")
    if auth_time > _now() + CLOCK_LEEWAY:
        raise OIDCError("reauthentication_unconfirmed", "auth_time in the future")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ProviderRegistry:
    """The configured providers by name."""

    def __init__(self, settings: Settings, transport: httpx2.BaseTransport | None = None) -> None:
        self.providers = {
            config.name: Provider(config, settings, transport) for config in settings.providers()
        }

    def get(self, name: str) -> Provider | None:
        return self.providers.get(name)

    def all(self) -> list[Provider]:
        return list(self.providers.values())

    def form_action_origins(self) -> tuple[str, ...]:
        origins: set[str] = set()
        for provider in self.providers.values():
            origins |= provider.origins()
        return tuple(sorted(origins))
