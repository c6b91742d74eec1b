"""Settings from the environment (prefix ALLMENDE_) and an optional TOML file."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Environment = Literal["development", "test", "production"]
AuthMethod = Literal["client_secret_basic", "client_secret_post"]


class ConfigurationError(Exception):
    """The configuration cannot be used; the message is one line for the operator."""


_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off"})


def smtp_starttls(url: str) -> bool:
    """Whether an smtp:// URL asks for STARTTLS (`?starttls=true`); ValueError for an option
    that is not understood, so a typo cannot quietly mean "send in plain text"."""
    parts = urlsplit(url)
    starttls = False
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name != "starttls":
            raise ValueError(f"unknown option {name!r}; the only option is starttls=true")
        if value.lower() not in _YES | _NO:
            raise ValueError("starttls must be true or false")
        starttls = value.lower() in _YES
    if starttls and parts.scheme == "smtps":
        raise ValueError("smtps:// is TLS already; starttls=true belongs to smtp://")
    return starttls


def _allows_any_address(entry: str) -> bool:
    if entry == "*":
        return True
    try:
        return ipaddress.ip_network(entry, strict=False).prefixlen == 0
    except ValueError:  # a host name or a Unix socket path: names one peer
        return False


class OIDCProviderSettings(BaseModel):
    """One OpenID Connect provider members sign in with."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    label: str = ""
    issuer: str
    client_id: str
    client_secret: SecretStr
    auth_method: AuthMethod = "client_secret_basic"
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    # A claim some state IdPs set with the member's municipality key (AGS); preselects it.
    municipality_claim: str | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.name


class Settings(BaseSettings):
    """Everything an operator can set. See the README for each value."""

    model_config = SettingsConfigDict(
        env_prefix="ALLMENDE_", extra="ignore", validate_default=True, frozen=True
    )

    env: Environment = "development"
    database_url: str = "sqlite:///var/allmende.db"
    secret_key: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"

    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_auth_method: AuthMethod = "client_secret_basic"
    oidc_label: str = "Single Sign-on"
    oidc_municipality_claim: str | None = None
    oidc: list[OIDCProviderSettings] = Field(default_factory=list)

    dev_login: bool = False
    smtp_url: str | None = None
    mail_from: str = "Allmende <noreply@allmende.invalid>"

    publication_review: bool = True
    auto_approve_verified_domains: bool = False
    feed_require_key: bool = False
    webhooks_allow_private: bool = False
    webhook_concurrency: int = Field(default=8, ge=1, le=64)
    request_threads: int = Field(default=4, ge=1, le=200)
    max_body_bytes: int = Field(default=2_097_152, ge=1024)
    # Attachments (app.attachments): limits per file and per Vorhaben (its own files and
    # those of its comments), and where they are kept: a directory, or an S3 bucket.
    attachment_max_file_bytes: int = Field(default=20_000_000, ge=1024)
    attachment_max_vorhaben_bytes: int = Field(default=100_000_000, ge=1024)
    attachment_storage: Literal["local", "s3"] = "local"
    attachment_dir: str = "var/attachments"
    attachment_s3_bucket: str | None = None
    attachment_s3_prefix: str = "attachments/"
    attachment_s3_endpoint_url: str | None = None
    attachment_s3_region: str | None = None
    # ClamAV's daemon: a Unix socket path or tcp://host:port; unset, nothing is scanned.
    clamd_socket: str | None = None
    feed_rate_limit_per_key: int = Field(default=600, ge=1)
    feed_rate_limit_per_address: int = Field(default=120, ge=1)
    login_rate_limit_per_address: int = Field(default=60, ge=1)

    report_hide_threshold: int = Field(default=3, ge=1)
    retention_sessions_days: int = Field(default=30, ge=1)
    retention_outbox_days: int = Field(default=30, ge=1)
    retention_notifications_days: int = Field(default=90, ge=1)
    retention_security_log_days: int = Field(default=90, ge=1)

    session_idle_timeout_seconds: int = Field(default=8 * 3600, ge=60)
    session_max_age_seconds: int = Field(default=7 * 24 * 3600, ge=300)

    impressum_file: str | None = None
    datenschutz_file: str | None = None
    forwarded_allow_ips: str = "127.0.0.1"

    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("base_url")
    @classmethod
    def _base_url_is_absolute(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL such as https://allmende.example")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query or fragment")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split(":", 1)[0]
        if scheme not in {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"}:
            raise ValueError(
                f"unsupported scheme {scheme!r}: use sqlite:///PATH or postgresql+psycopg://…"
            )
        if scheme == "postgresql":
            value = "postgresql+psycopg" + value[len("postgresql") :]
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_is_usable(cls, value: str | None) -> str | None:
        # Checked here, not when the worker first builds its mailer: a typo should stop
        # the start with one line, not fail later inside the worker.
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("must look like smtp://host:port or smtps://user:password@host:port")
        try:
            parts.port  # noqa: B018 - parsing the port is the check
        except ValueError:
            raise ValueError("the port must be a number from 1 to 65535") from None
        if parts.port == 0:
            raise ValueError("the port must be a number from 1 to 65535")
        smtp_starttls(value.strip())
        return value.strip()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("ALLMENDE_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    # -- derived values -------------------------------------------------------------------

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def secret(self) -> bytes:
        """The key that signs CSRF tokens and feed cursors."""
        if self.secret_key is None:  # pragma: no cover - load_settings always fills it
            raise ConfigurationError("ALLMENDE_SECRET_KEY is not set")
        return self.secret_key.get_secret_value().encode()

    def providers(self) -> list[OIDCProviderSettings]:
        """All configured OpenID providers: `sso` from the environment, then the TOML ones."""
        found: list[OIDCProviderSettings] = []
        if self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret:
            found.append(
                OIDCProviderSettings(
                    name="sso",
                    label=self.oidc_label,
                    issuer=self.oidc_issuer,
                    client_id=self.oidc_client_id,
                    client_secret=self.oidc_client_secret,
                    auth_method=self.oidc_auth_method,
                    municipality_claim=self.oidc_municipality_claim,
                )
            )
        found.extend(self.oidc)
        return found

    def production_problems(self) -> list[str]:
        """Reasons this configuration must not serve a production installation."""
        problems: list[str] = []
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            problems.append("ALLMENDE_SECRET_KEY must be set to at least 32 random characters")
        if self.dev_login:
            problems.append("ALLMENDE_DEV_LOGIN must be off")
        if not self.https:
            problems.append("ALLMENDE_BASE_URL must start with https://")
        if self.webhooks_allow_private:
            problems.append("ALLMENDE_WEBHOOKS_ALLOW_PRIVATE must be off")
        for provider in self.providers():
            if not provider.issuer.startswith("https://"):
                problems.append(f"the issuer of OIDC provider {provider.name!r} must be https://")
        if any(_allows_any_address(entry.strip()) for entry in self.forwarded_allow_ips.split(",")):
            # Any client could then claim any address (and https) in X-Forwarded-* headers.
            problems.append(
                "ALLMENDE_FORWARDED_ALLOW_IPS must name the reverse proxies, not every address"
            )
        if self.smtp_url and self._smtp_password_in_plain_text():
            problems.append(
                "ALLMENDE_SMTP_URL sends the password unencrypted: use smtps:// or "
                "smtp://…?starttls=true"
            )
        return problems

    def _smtp_password_in_plain_text(self) -> bool:
        assert self.smtp_url is not None  # noqa: S101 - checked by the caller
        parts = urlsplit(self.smtp_url)
        return (
            parts.scheme == "smtp"
            and bool(parts.username or parts.password)
            and not smtp_starttls(self.smtp_url)
        )


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    env_name = f"ALLMENDE_{where.upper()}" if first["loc"] else where
    return f"invalid configuration: {env_name}: {first['msg']}"


def load_settings(**overrides: Any) -> Settings:
    """Read and check the settings; raise ConfigurationError with a one-line reason."""
    config_file = os.environ.get("ALLMENDE_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise ConfigurationError(f"ALLMENDE_CONFIG_FILE {config_file!r} does not exist")
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise ConfigurationError(_one_line(error)) from None
    except ValueError as error:  # a broken TOML file
        raise ConfigurationError(f"invalid configuration file: {error}") from None
    names = [provider.name for provider in settings.providers()]
    if len(names) != len(set(names)):
        raise ConfigurationError("two OIDC providers share a name; every name must be unique")
    if settings.attachment_storage == "s3" and not settings.attachment_s3_bucket:
        raise ConfigurationError(
            "ALLMENDE_ATTACHMENT_S3_BUCKET must name the bucket for ALLMENDE_ATTACHMENT_STORAGE=s3"
        )
    if settings.is_production:
        problems = settings.production_problems()
        if problems:
            raise ConfigurationError("refusing to start in production: " + "; ".join(problems))
    if settings.secret_key is None:
        # Development and tests: a fresh key per start. `allmende serve` exports it so
        # all worker processes of one start share it.
        key = secrets.token_urlsafe(48)
        settings = settings.model_copy(update={"secret_key": SecretStr(key)})
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests pass their own to create_app)."""
    return load_settings()
