"""The public API's shapes: the only fields that ever leave Allmende.

Items are built through these models with extra="forbid", so a field that is not in the
contract cannot slip into the feed; the OpenAPI description is generated from them too.
Partners get the same shapes as JSON Schema in docs/schema/ (a test keeps both in step).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

Stage = Literal["idee", "konzept", "pilot", "umsetzung", "betrieb", "abgeschlossen", "eingestellt"]
AIUse = Literal["none", "rule_based", "weak_ai", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sent(Strict):
    """A shape the feed always sends whole, defaults too: the OpenAPI description
    (generated for responses) calls every field required, as docs/schema/ does."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


def _format(name: str) -> JsonDict:
    return {"format": name}


URI = _format("uri")
TIMESTAMP = _format("date-time")


class MunicipalityRef(Sent):
    name: str
    ags: str = Field(description="Amtlicher Gemeindeschlüssel or Regionalschlüssel")
    state: str = Field(description="The name of the Land")


class Contact(Sent):
    name: str
    position: str | None
    email: str | None


class Links(Sent):
    website: Annotated[str, Field(json_schema_extra=URI)] | None
    repository: Annotated[str, Field(json_schema_extra=URI)] | None


class OpenSource(Sent):
    license: str | None = Field(description="SPDX identifier")
    repository: Annotated[str, Field(json_schema_extra=URI)] | None


VocabularyName = Literal[
    "fields_of_action",
    "stages",
    "ozg_themenfelder",
    "publiccode_categories",
    "development_status",
    "phases",
    "licenses",
    "uses_ai",
    "ai_risk_classes",
]
DevelopmentStatus = Literal["concept", "development", "beta", "stable", "obsolete"]
Phase = Literal["idea", "concept", "implementation", "transfer"]


class Label(Sent):
    de: str
    en: str


class TermRef(Sent):
    id: str = Field(description="Stable identifier in its vocabulary (survives renaming)")
    label: Label


class Classification(Sent):
    """Our identifiers with their labels, and what they map to (GET /api/v1/vocabularies)."""

    fields_of_action: list[TermRef]
    stage: TermRef
    ozg_themenfelder: list[str] = Field(description="Ids in the vocabulary ozg_themenfelder")
    publiccode_categories: list[str] = Field(description="publiccode.yml `categories`")
    development_status: DevelopmentStatus = Field(description="publiccode.yml developmentStatus")
    phase: Phase | None


class Term(Sent):
    id: str = Field(description="Stable identifier (survives renaming)")
    label: Label
    active: bool = Field(description="False: kept for projects that carry it, not chosen anew")
    mappings: dict[VocabularyName, list[str]] = Field(
        description="Ids of the terms this one maps to, by the name of their vocabulary"
    )


class Vocabulary(Sent):
    name: VocabularyName
    title: Label
    url: str = Field(json_schema_extra=URI)
    source: Annotated[str, Field(json_schema_extra=URI)] | None = Field(
        description="Where an external code list is published (null for our own)"
    )
    terms: list[Term]


class VocabularyList(Sent):
    vocabularies: list[Vocabulary]


class ProjectItem(Sent):
    id: str = Field(description="UUID, stable forever", json_schema_extra=_format("uuid"))
    type: Literal["project"] = "project"
    url: str = Field(json_schema_extra=URI)
    title: str
    summary: str
    description_html: str = Field(description="Sanitized HTML")
    stage: Stage
    fields_of_action: list[str]
    tags: list[str]
    municipality: MunicipalityRef
    partner_municipalities: list[MunicipalityRef]
    contact: Contact | None
    links: Links
    open_source: OpenSource | None
    uses_ai: AIUse
    created: str = Field(description="RFC 3339, first publication", json_schema_extra=TIMESTAMP)
    modified: str = Field(description="RFC 3339, last change", json_schema_extra=TIMESTAMP)
    published: str = Field(
        description="RFC 3339, release of this version", json_schema_extra=TIMESTAMP
    )
    version: int = Field(ge=1, description="Increases with every change")
    deleted: Literal[False] = False
    # Additions of issue 21 (after the contract's fields, which stay as they are).
    classification: Classification
    keyword: list[str] = Field(
        description="OParl-style keywords: the tags and the German labels of the fields of action"
    )


class Tombstone(Sent):
    id: str = Field(json_schema_extra=_format("uuid"))
    type: Literal["project"] = "project"
    created: str = Field(description="RFC 3339, first publication", json_schema_extra=TIMESTAMP)
    modified: str = Field(description="RFC 3339, the withdrawal", json_schema_extra=TIMESTAMP)
    deleted: Literal[True] = True


FeedItem = Annotated[ProjectItem | Tombstone, Field(discriminator="deleted")]


class FeedLinks(Sent):
    next: str = Field(json_schema_extra=URI)


class FeedPage(Sent):
    items: list[FeedItem]
    next_cursor: str = Field(description="Opaque; pass it as `since` to get what changed")
    has_more: bool
    links: FeedLinks


class ValidationIssue(Strict):
    loc: list[str | int] = Field(description='Where: e.g. ["query", "limit"]')
    msg: str


class ErrorBody(Strict):
    status: int
    title: str
    detail: str
    errors: list[ValidationIssue] | None = Field(
        default=None, description="With 400 for invalid parameters: one entry per problem"
    )


class Error(Strict):
    error: ErrorBody
