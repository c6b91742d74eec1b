"""What the Vorhaben page shows, read as plain rows in two statements: the Vorhaben with its
municipality, Land, author, AI record, circle, whether the reader follows and co-edits it,
and its attachments and dates (JSON columns the domains above hand in: provided.PagePart);
then its fields of action, tags, partner municipalities, contact persons and stage changes
(a union). Building
ORM objects with their loader paths was most of the page's time; writing code still loads
the ORM Vorhaben (service.get)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    String,
    bindparam,
    literal_column,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Account, AccountState
from app.circles.models import Circle
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.municipalities.models import Level, Municipality
from app.vorhaben import co_editors, provided
from app.vorhaben.models import (
    AI_RECORD_TEXTS,
    AI_RISK_LABELS,
    STAGE_LABELS,
    AIRecord,
    AIRiskClass,
    AIUse,
    FieldOfAction,
    Follow,
    ShownVorhaben,
    Stage,
    StageChange,
    Visibility,
    Vorhaben,
    VorhabenContact,
    VorhabenField,
    VorhabenPartner,
    VorhabenTag,
)
from app.vorhaben.repository import CardField, CardPlace, CardTag
from app.vorhaben.visibility import Reader, ReaderColumns, visible_clause


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    display_name: str
    state: AccountState
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A stage change on the timeline."""

    to_stage: Stage
    created_at: dt.datetime

    @property
    def to_label(self) -> str:
        return STAGE_LABELS[self.to_stage]


@dataclass(frozen=True, slots=True)
class Record:
    """The AI record (app.vorhaben.models.AIRecord) as read."""

    purpose: str
    responsible_body: str
    data_used: str
    data_origin: str
    human_oversight: str
    risk_class: AIRiskClass | None
    risk_explanation: str
    quality_fairness: str
    energy_footprint: str
    reuse_potential: str

    @property
    def risk_label(self) -> str:
        return AI_RISK_LABELS[self.risk_class] if self.risk_class else ""

    @property
    def is_empty(self) -> bool:
        return self.risk_class is None and not any(getattr(self, name) for name in AI_RECORD_TEXTS)


@dataclass(frozen=True, slots=True)
class VorhabenPage(ShownVorhaben):
    """The attributes of Vorhaben the page reads, with its related rows."""

    id: int
    title: str
    summary: str
    description_html: str
    lessons_learned_html: str
    stage: Stage
    visibility: Visibility
    municipality_id: int
    author_id: int | None
    looking_for_partners: bool
    uses_ai: AIUse
    open_source: bool
    license: str | None
    repository_url: str | None
    website_url: str | None
    funding_programme: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    version: int
    created_at: dt.datetime
    hidden_at: dt.datetime | None
    hidden_reason: str | None
    review_requested_at: dt.datetime | None
    locked_at: dt.datetime | None
    circle_id: int | None
    municipality: CardPlace
    author: Person | None
    ai_record: Record | None
    following: bool
    co_editor: bool  # named a co-editor (app.vorhaben.co_editors), in a partner municipality
    circle_name: str | None  # its circle's, if shared with one (the reader may see it)
    fields: tuple[CardField, ...] = ()
    tags: tuple[CardTag, ...] = ()
    partners: tuple[CardPlace, ...] = ()
    contacts: tuple[Person, ...] = ()
    timeline: tuple[Step, ...] = ()
    # What the domains above Vorhaben read with it (provided.PagePart), by template names.
    parts: Mapping[str, object] = field(default_factory=dict)


_PLACE = aliased(Municipality, name="page_place")
_LAND = aliased(Municipality, name="page_land")
_AUTHOR = aliased(Account, name="page_author")
_COLUMNS = (
    Vorhaben.id,
    Vorhaben.title,
    Vorhaben.summary,
    Vorhaben.description_html,
    Vorhaben.lessons_learned_html,
    Vorhaben.stage,
    Vorhaben.visibility,
    Vorhaben.municipality_id,
    Vorhaben.author_id,
    Vorhaben.looking_for_partners,
    Vorhaben.uses_ai,
    Vorhaben.open_source,
    Vorhaben.license,
    Vorhaben.repository_url,
    Vorhaben.website_url,
    Vorhaben.funding_programme,
    Vorhaben.start_date,
    Vorhaben.end_date,
    Vorhaben.version,
    Vorhaben.created_at,
    Vorhaben.hidden_at,
    Vorhaben.hidden_reason,
    Vorhaben.review_requested_at,
    Vorhaben.locked_at,
    Vorhaben.circle_id,
)
_RECORD_COLUMNS = tuple(
    getattr(AIRecord, name).label(f"ai_{name}")
    for name in (*AI_RECORD_TEXTS, "risk_class", "vorhaben_id")
)
_RELATED_COLUMNS = (
    _PLACE.ags.label("place_ags"),
    _PLACE.name.label("place_name"),
    _PLACE.land_id.label("place_land_id"),
    _PLACE.level.label("place_level"),
    _PLACE.kind_code.label("place_kind_code"),
    _PLACE.country.label("place_country"),
    _LAND.ags.label("land_ags"),
    _LAND.name.label("land_name"),
    _AUTHOR.display_name.label("author_name"),
    _AUTHOR.state.label("author_state"),
    *_RECORD_COLUMNS,
)


@functools.cache
def _page_statement(parts: tuple[provided.PagePart, ...]) -> Select[Any]:
    """The Vorhaben `:vorhaben_id` with its to-one rows, whether the reader follows it and
    co-edits it, and the columns of the page parts, if the reader (`:reader_id`, a member
    of `:reader_municipality_id`) may see it. Built once, the reader's values bound: the
    same visibility rule, composed per page it cost a good part of the page."""
    reader = ReaderColumns(
        bindparam("reader_id", type_=Integer),
        bindparam("reader_municipality_id", type_=Integer),
    )
    following = (
        select(Follow.account_id)
        .where(Follow.account_id == reader.id, Follow.vorhaben_id == Vorhaben.id)
        .exists()
    )
    columns: list[Any] = [
        *_COLUMNS,
        *_RELATED_COLUMNS,
        following.label("following"),
        co_editors.co_editing_clause(reader, Vorhaben.id).label("co_editor"),
        Circle.name.label("circle_name"),
        *(
            part.column(Vorhaben.id.expression).label(f"part_{number}")
            for number, part in enumerate(parts)
        ),
    ]
    return (
        select(*columns)
        .join(_PLACE, _PLACE.id == Vorhaben.municipality_id)
        .outerjoin(_LAND, _LAND.id == _PLACE.land_id)
        .outerjoin(_AUTHOR, _AUTHOR.id == Vorhaben.author_id)
        .outerjoin(AIRecord, AIRecord.vorhaben_id == Vorhaben.id)
        .outerjoin(Circle, Circle.id == Vorhaben.circle_id)
        .where(Vorhaben.id == bindparam("vorhaben_id", type_=Integer), visible_clause(reader))
    )


def load(db: Session, reader: Reader, vorhaben_id: int) -> VorhabenPage:
    """The page of a Vorhaben the reader may see (404 if not: the visibility rule is part
    of the statement), with the page parts of the domains above (attachments, dates)."""
    parts = provided.page_parts()
    row = None
    if reader.is_member:  # (for anyone else the rule admits nothing)
        bound = {
            "vorhaben_id": vorhaben_id,
            "reader_id": reader.id,
            "reader_municipality_id": reader.municipality_id,
        }
        row = db.execute(_page_statement(parts), bound).one_or_none()
    if row is None:
        raise NotFound(_("Dieses Vorhaben gibt es nicht oder Sie können es nicht sehen."))
    values = {column.key: getattr(row, column.key) for column in _COLUMNS}
    land = None
    if row.place_land_id is not None:
        land = CardPlace(row.place_land_id, row.land_ags or "", row.land_name or "")
    place = CardPlace(
        row.municipality_id,
        row.place_ags,
        row.place_name,
        land,
        row.place_level,
        row.place_kind_code,
        row.place_country,
    )
    author = None
    if row.author_id is not None and row.author_name is not None:
        author = Person(row.author_id, row.author_name, row.author_state)
    record = None
    if row.ai_vorhaben_id is not None:
        names = (*AI_RECORD_TEXTS, "risk_class")
        record = Record(**{name: getattr(row, f"ai_{name}") for name in names})
    shown: dict[str, object] = {}
    vorhaben = VorhabenPage(
        **values,
        municipality=place,
        author=author,
        ai_record=record,
        following=bool(row.following),
        co_editor=bool(row.co_editor),
        circle_name=row.circle_name,
        parts=shown,
        **_related(db, vorhaben_id),
    )
    for number, part in enumerate(parts):
        shown.update(part.values(getattr(row, f"part_{number}"), vorhaben))
    return vorhaben


# The kinds of rows of _related's union, in the order they come.
_STEP, _FIELD, _TAG, _PARTNER, _CONTACT = range(5)


def _kind(number: int) -> Any:
    return literal_column(str(number), Integer)


def _none(kind: Any = String) -> Any:
    return literal_column("NULL", kind)


def _related_statement() -> Select[Any]:
    """Stage changes, fields, tags, partners and contacts of the Vorhaben `:vorhaben_id`
    in one statement; each in the order its relationship (or service.timeline) gives.
    Built once: composing it again for every page cost more than running it."""
    vorhaben_id = bindparam("vorhaben_id", type_=Integer)
    # Columns: kind, key (an id), text, extra text, number, level, moment, sort text. The
    # first select gives the union its column types (the stage as plain text).
    steps = select(
        _kind(_STEP).label("kind"),
        StageChange.id.label("key"),
        type_coerce(StageChange.to_stage, String).label("text"),
        _none().label("extra"),
        _none(Integer).label("number"),
        _none().label("level"),
        StageChange.created_at.label("moment"),
        _none().label("sort"),
    ).where(StageChange.vorhaben_id == vorhaben_id)
    fields = (
        select(
            _kind(_FIELD),
            FieldOfAction.id,
            FieldOfAction.label,
            FieldOfAction.slug,
            FieldOfAction.position,
            _none(),
            _none(DateTime),
            _none(),
        )
        .join(VorhabenField, VorhabenField.field_id == FieldOfAction.id)
        .where(VorhabenField.vorhaben_id == vorhaben_id)
    )
    tags = select(
        _kind(_TAG),
        _kind(0),
        VorhabenTag.tag,
        _none(),
        _none(Integer),
        _none(),
        _none(DateTime),
        VorhabenTag.tag,
    ).where(VorhabenTag.vorhaben_id == vorhaben_id)
    partners = (
        select(
            _kind(_PARTNER),
            Municipality.id,
            Municipality.name,
            Municipality.ags,
            Municipality.kind_code,
            type_coerce(Municipality.level, String),
            _none(DateTime),
            Municipality.name,
        )
        .join(VorhabenPartner, VorhabenPartner.municipality_id == Municipality.id)
        .where(VorhabenPartner.vorhaben_id == vorhaben_id)
    )
    contacts = (
        select(
            _kind(_CONTACT),
            Account.id,
            Account.display_name,
            Account.email,
            _none(Integer),
            type_coerce(Account.state, String),
            _none(DateTime),
            Account.display_name,
        )
        .join(VorhabenContact, VorhabenContact.account_id == Account.id)
        .where(VorhabenContact.vorhaben_id == vorhaben_id)
    )
    both = union_all(steps, fields, tags, partners, contacts).subquery("related")
    c = both.c
    return select(c.kind, c.key, c.text, c.extra, c.number, c.level, c.moment).order_by(
        c.kind, c.moment, c.number, c.sort, c.key
    )


_RELATED = _related_statement()


def _related(db: Session, vorhaben_id: int) -> dict[str, Any]:
    """What _RELATED finds for a Vorhaben, by the names of VorhabenPage."""
    rows = db.execute(_RELATED, {"vorhaben_id": vorhaben_id}).all()
    found: dict[str, list[Any]] = {
        "timeline": [],
        "fields": [],
        "tags": [],
        "partners": [],
        "contacts": [],
    }
    for kind, key, text, extra, number, level, moment in rows:
        if kind == _STEP:
            found["timeline"].append(Step(Stage(text), moment))
        elif kind == _FIELD:
            found["fields"].append(CardField(extra, text))
        elif kind == _TAG:
            found["tags"].append(CardTag(text))
        elif kind == _PARTNER:
            found["partners"].append(CardPlace(key, extra, text, None, Level(level), number))
        else:
            found["contacts"].append(Person(key, text, AccountState(level), extra))
    return {name: tuple(values) for name, values in found.items()}


@dataclass(frozen=True, slots=True)
class Discussed:
    """What a page of the discussion shows of its Vorhaben (app.comments)."""

    id: int
    title: str
    hidden_at: dt.datetime | None
    locked_at: dt.datetime | None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


def _discussed_statement() -> Select[Any]:
    reader = ReaderColumns(
        bindparam("reader_id", type_=Integer),
        bindparam("reader_municipality_id", type_=Integer),
    )
    columns: list[Any] = [Vorhaben.id, Vorhaben.title, Vorhaben.hidden_at, Vorhaben.locked_at]
    return select(*columns).where(
        Vorhaben.id == bindparam("vorhaben_id", type_=Integer), visible_clause(reader)
    )


_DISCUSSED = _discussed_statement()


def discussed(db: Session, reader: Reader, vorhaben_id: int) -> Discussed:
    """The Vorhaben of a discussion page, if the reader may see it (404 if not), in one
    statement: an older page of comments needs no more of it."""
    row = None
    if reader.is_member:
        bound = {
            "vorhaben_id": vorhaben_id,
            "reader_id": reader.id,
            "reader_municipality_id": reader.municipality_id,
        }
        row = db.execute(_DISCUSSED, bound).one_or_none()
    if row is None:
        raise NotFound(_("Dieses Vorhaben gibt es nicht oder Sie können es nicht sehen."))
    return Discussed(row.id, row.title, row.hidden_at, row.locked_at)
