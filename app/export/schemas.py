"""The public API's shapes (CONTRACT.md): the only fields that ever leave Allmende.

Items are built through these models with extra="forbid", so a field that is not in the
contract cannot slip into the feed; the OpenAPI description is generated from them too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["idee", "konzept", "pilot", "umsetzung", "betrieb", "abgeschlossen", "eingestellt"]
AIUse = Literal["none", "rule_based", "weak_ai", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MunicipalityRef(Strict):
    name: str
    ags: str = Field(description="Amtlicher Gemeindeschlüssel or Regionalschlüssel")
    state: str = Field(description="The name of the Land")


class Contact(Strict):
    name: str
    position: str | None
    email: str | None


class Links(Strict):
    website: str | None
    repository: str | None


class OpenSource(Strict):
    license: str | None = Field(description="SPDX identifier")
    repository: str | None


class ProjectItem(Strict):
    id: str = Field(description="UUID, stable forever")
    type: Literal["project"] = "project"
    url: str
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
    created: str = Field(description="RFC 3339, first publication")
    modified: str = Field(description="RFC 3339, last change")
    published: str = Field(description="RFC 3339, release of this version")
    version: int = Field(ge=1, description="Increases with every change")
    deleted: Literal[False] = False


class Tombstone(Strict):
    id: str
    type: Literal["project"] = "project"
    created: str
    modified: str
    deleted: Literal[True] = True


FeedItem = Annotated[ProjectItem | Tombstone, Field(discriminator="deleted")]


class FeedLinks(Strict):
    next: str


class FeedPage(Strict):
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
