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


Level = Literal["land", "regierungsbezirk", "region", "kreis", "gemeindeverband", "gemeinde"]
LicenseId = Literal["CC-BY-4.0", "CC0-1.0", "all-rights-reserved"]
RiskClass = Literal["minimal", "limited", "high", "prohibited"]


class MunicipalityRef(Sent):
    name: str
    ags: str = Field(description="Amtlicher Gemeindeschlüssel or Regionalschlüssel")
    state: str = Field(description="The name of the Land")
    # Additions of issue 21.
    level: Level = Field(description="The level of the unit in the Destatis registry")
    ars: str = Field(
        description="Amtlicher Regionalschlüssel (12 digits for a Gemeinde; for a Land, "
        "Kreis or Gemeindeverband its key of 2, 5 or 9 digits)"
    )


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


class Translation(Sent):
    title: str
    summary: str


class Translations(Sent):
    en: Translation | None = Field(description="English title and summary, if written")


class ImageRef(Sent):
    url: str = Field(
        json_schema_extra=URI,
        description="Served while this version is public; copy it, the URL changes with the image",
    )
    alt: str = Field(description="Alternative text (German)")
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    media_type: Literal["image/jpeg", "image/png"]


class FileRef(Sent):
    """A file the owners published with the project (issue 20)."""

    name: str = Field(description="The file's name, as offered for download")
    media_type: str = Field(description="Checked by content on upload, e.g. application/pdf")
    size: int = Field(ge=1, description="Bytes")
    license_id: str = Field(description="SPDX identifier of the file's licence, e.g. CC-BY-4.0")
    url: str = Field(
        json_schema_extra=URI,
        description="Served (as a download) while this version is public and lists the file",
    )


class Mailbox(Sent):
    name: str | None = Field(description="What the mailbox is, e.g. the team's name")
    email: str


class AIRecord(Sent):
    """What the owners recorded about the AI the project uses (plain text)."""

    purpose: str
    responsible_body: str = Field(description="A body, never a person")
    data_used: str
    data_origin: str
    human_oversight: str
    risk_class: RiskClass | None = Field(
        description="Under the EU AI Act (vocabulary ai_risk_classes); null: not assessed"
    )
    risk_explanation: str
    quality_fairness: str
    energy_footprint: str
    reuse_potential: str


def _optional_files(schema: JsonDict) -> None:
    """`files` is the one field the item may leave out (issue 20: partners that validate
    against the earlier schema keep working): not required, and a list when present."""
    required = schema.get("required")
    if isinstance(required, list):
        schema["required"] = [name for name in required if name != "files"]
    properties = schema.get("properties")
    files = properties.get("files") if isinstance(properties, dict) else None
    if isinstance(properties, dict) and isinstance(files, dict):
        options = files.get("anyOf")
        array = [
            option
            for option in (options if isinstance(options, list) else [])
            if isinstance(option, dict) and option.get("type") == "array"
        ]
        if array:
            rest = {key: value for key, value in files.items() if key not in {"anyOf", "default"}}
            properties["files"] = {**rest, **array[0]}


class ProjectItem(Sent):
    model_config = ConfigDict(json_schema_extra=_optional_files)

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
    license: Annotated[str, Field(json_schema_extra=URI)] | None = Field(
        description="OParl-style: the URL of the licence of this record's text and image; "
        "null when all rights are reserved"
    )
    license_id: LicenseId = Field(description="The licence (vocabulary licenses)")
    language: Literal["de"] = Field(description="BCP 47 tag of title, summary and description")
    translations: Translations
    seeks_partners: bool = Field(description="The municipality looks for partners")
    lessons_learned_html: str = Field(description="Sanitized HTML; empty when none")
    funding_programme: str | None
    start_date: Annotated[str, Field(json_schema_extra=_format("date"))] | None
    end_date: Annotated[str, Field(json_schema_extra=_format("date"))] | None
    mailbox: Mailbox | None = Field(description="A functional mailbox, not a person")
    image: ImageRef | None
    ai_record: AIRecord | None = Field(description="Only when uses_ai is not none")
    # Issue 20: optional, so items without files stay exactly as before.
    files: list[FileRef] | None = Field(
        default=None,
        description="Files the owners published; absent when none were ever chosen",
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
