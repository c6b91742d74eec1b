"""The export layer's tables: publications and their released versions, the feed state
(one row per project, ordered by a database sequence), partners, keys, webhook endpoints
(the feed's rate-limit counters are app.web.ratelimit's)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.db import Base, str_enum
from app.export import urls
from app.i18n import N_
from app.municipalities.models import Municipality


class PublicationState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


PUBLICATION_STATE_LABELS = {
    PublicationState.DRAFT: N_("Entwurf"),
    PublicationState.SUBMITTED: N_("Zur Prüfung eingereicht"),
    PublicationState.PUBLISHED: N_("Veröffentlicht"),
    PublicationState.WITHDRAWN: N_("Zurückgezogen"),
}


class Publication(Base):
    """The public version of a Vorhaben: a draft the owners edit field by field, and the
    workflow that releases it. Partners only ever see released versions (FeedEntry)."""

    __tablename__ = "publications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, stable forever
    vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="SET NULL"), unique=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    state: Mapped[PublicationState] = mapped_column(
        str_enum(PublicationState, "publication_state"),
        default=PublicationState.DRAFT,
    )
    # Whether the feed currently carries a released version (not a tombstone).
    live: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(20), default="idee")
    fields_of_action: Mapped[list[str]] = mapped_column(JSON, default=list)  # slugs
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    website_url: Mapped[str | None] = mapped_column(String(500))
    repository_url: Mapped[str | None] = mapped_column(String(500))
    license: Mapped[str | None] = mapped_column(String(100))
    uses_ai: Mapped[str] = mapped_column(String(20), default="none")
    partner_ags: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    contact_consent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None]
    released_version: Mapped[int] = mapped_column(Integer, default=0)
    # "release" or "decline": whether decision_reason is a refusal the owners should read.
    last_decision: Mapped[str | None] = mapped_column(String(10))
    # Counts every save of the draft; the moderator's form carries it, so a release never
    # sends out an edit the moderator has not seen.
    draft_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Issue 21: what else the owners choose to publish.
    content_license: Mapped[str] = mapped_column(
        String(30), default="CC-BY-4.0", server_default="CC-BY-4.0"
    )
    seeks_partners: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lessons_learned: Mapped[str] = mapped_column(Text, default="", server_default="")
    funding_programme: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    title_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # A functional mailbox (not a person's): needs no consent, so it stays when people go.
    mailbox_name: Mapped[str | None] = mapped_column(String(200))
    mailbox_email: Mapped[str | None] = mapped_column(String(320))
    # The Vorhaben's AI record as the owners last saved the draft (None: not published).
    ai_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The draft's image (a PublicationImage of this publication) and its alternative text.
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    image_alt: Mapped[str | None] = mapped_column(String(300))
    # Who receives it (app.export.audience): everyone (every partner, also future ones, and
    # the public), or the chosen partners (PublicationDestination) and the public or not.
    destinations_all: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    destination_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    municipality: Mapped[Municipality] = relationship(lazy="raise")

    @property
    def state_label(self) -> str:
        return PUBLICATION_STATE_LABELS[self.state]


class PublicationVersion(Base):
    """A released version: exactly the item partners received."""

    __tablename__ = "publication_versions"
    __table_args__ = (UniqueConstraint("publication_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[str] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    released_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # Whose consent put a contact into `item`: erasing that person scrubs it from every
    # stored version. No foreign key, so the reference outlives any later account change.
    contact_account_id: Mapped[int | None] = mapped_column(Integer, index=True)


class FeedEntry(Base):
    """The current public state of one project: an item or a tombstone.

    `seq` comes from FeedCounter under a row lock, so the order of `seq` is the order of
    commits: a client that stored a cursor never skips a change that commits later.
    """

    __tablename__ = "feed_entries"

    publication_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # Who reads the item now (app.export.audience): every partner and the public, or the
    # public (or not) and the partners in FeedRecipient with `current`. `public_seen`: the
    # public had it once (so it gets a tombstone when it no longer may).
    to_all: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    public_seen: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class FeedCounter(Base):
    """A single row holding the last feed sequence number handed out."""

    __tablename__ = "feed_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Partner(Base):
    """A platform that mirrors published projects."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PartnerKey(Base):
    """An API key: shown once, stored as a SHA-256 hash, revocable."""

    __tablename__ = "partner_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    partner: Mapped[Partner] = relationship(lazy="raise")


class WebhookEndpoint(Base):
    """Where a partner receives signed pushes; each endpoint has its own secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    # During a rotation both secrets sign, so the partner can switch without a gap.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[dt.datetime | None]
    failing_since: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    partner: Mapped[Partner] = relationship(lazy="raise")

    @property
    def shown_url(self) -> str:
        """The address up to its path: only the admin who typed it sees the rest, once."""
        return urls.shown_url(self.url)


class FieldMapping(Base):
    """What a field of action means to partners: its English label and the OZG Themenfelder
    and publiccode.yml categories it maps to (admins maintain it; app.export.vocabularies).
    The field's slug is its identifier: it never changes, whatever the label becomes."""

    __tablename__ = "field_of_action_mappings"

    field_id: Mapped[int] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="CASCADE"), primary_key=True
    )
    label_en: Mapped[str] = mapped_column(String(120), default="")
    ozg_themenfelder: Mapped[list[str]] = mapped_column(JSON, default=list)
    publiccode_categories: Mapped[list[str]] = mapped_column(JSON, default=list)


class StageMapping(Base):
    """What a stage means to partners: publiccode.yml developmentStatus and the phase of a
    civic innovation project (admins maintain it)."""

    __tablename__ = "stage_mappings"

    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    development_status: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str | None] = mapped_column(String(20))


class ConsentState(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


CONSENT_STATE_LABELS = {
    ConsentState.REQUESTED: N_("Zustimmung erbeten"),
    ConsentState.CONFIRMED: N_("Zugestimmt"),
    ConsentState.REVOKED: N_("Abgelehnt oder zurückgenommen"),
}


class PartnerConsent(Base):
    """Whether a partner municipality agrees to be named in a publication: asked when the
    owners name it, confirmed or revoked by a member of that municipality (audited). Until
    it is confirmed the municipality is not exported."""

    __tablename__ = "publication_partner_consents"
    __table_args__ = (UniqueConstraint("publication_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[str] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    state: Mapped[ConsentState] = mapped_column(
        str_enum(ConsentState, "partner_consent_state"), default=ConsentState.REQUESTED
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None]

    municipality: Mapped[Municipality] = relationship(lazy="raise")

    @property
    def state_label(self) -> str:
        return CONSENT_STATE_LABELS[self.state]


class PublicationImage(Base):
    """An image of a publication as re-encoded on upload (app.export.images), addressed
    by the SHA-256 of its bytes: a version's item names exactly the image it showed."""

    __tablename__ = "publication_images"
    __table_args__ = (UniqueConstraint("publication_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[str] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PublicationDestination(Base):
    """A partner platform the owners chose for their publication (unless it goes to all)."""

    __tablename__ = "publication_destinations"
    __table_args__ = (PrimaryKeyConstraint("publication_id", "partner_id"),)

    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )


class FeedRecipient(Base):
    """A partner that received a project's item (while its entry went to chosen partners
    only): `current` while it still may read it; once not, it reads a tombstone."""

    __tablename__ = "feed_recipients"
    __table_args__ = (PrimaryKeyConstraint("publication_id", "partner_id"),)

    publication_id: Mapped[str] = mapped_column(
        ForeignKey("feed_entries.publication_id", ondelete="CASCADE")
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    current: Mapped[bool] = mapped_column(Boolean, default=True)


class PublicationFile(Base):
    """An attachment of the Vorhaben the owners chose to publish, with its licence. The
    draft's choice: a release writes it into the item (`files`), and the public URL serves
    a file only while the version the reader gets lists it. Deleting the attachment deletes
    the choice (and app.export.files takes it out of the live item)."""

    __tablename__ = "publication_files"
    __table_args__ = (PrimaryKeyConstraint("publication_id", "attachment_id"),)

    publication_id: Mapped[str] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), index=True
    )
    license_id: Mapped[str] = mapped_column(String(64))
