"""Nothing leaves by accident: with generated content, the feed only ever carries the
contract's fields, and never member names, mail addresses, comments, internal texts or
Vorhaben restricted to their municipality."""

from __future__ import annotations

import json
import re
import uuid

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import feed, service
from tests import factories
from tests.publishing import Scene, form_of

ITEM_KEYS = {
    "id",
    "type",
    "url",
    "title",
    "summary",
    "description_html",
    "stage",
    "fields_of_action",
    "tags",
    "municipality",
    "partner_municipalities",
    "contact",
    "links",
    "open_source",
    "uses_ai",
    "created",
    "modified",
    "published",
    "version",
    "deleted",
}
MUNICIPALITY_KEYS = {"name", "ags", "state"}

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40
)


def _marker() -> str:
    return "SECRET" + uuid.uuid4().hex[:12]


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    public_title=words,
    public_text=words,
    consent=st.booleans(),
    tags=st.lists(st.from_regex(r"[a-zäöü]{3,12}", fullmatch=True), max_size=4),
)
def test_only_whitelisted_fields_leave(
    db: Session,
    settings: Settings,
    public_title: str,
    public_text: str,
    consent: bool,
    tags: list[str],
) -> None:
    secret_name, secret_mail_user = _marker(), _marker().lower()
    internal, comment_text, private_title = _marker(), _marker(), _marker()
    owner = factories.account(db, secret_name, email=f"{secret_mail_user}@town.example")
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    commenter = factories.account(db, _marker())
    vorhaben = factories.vorhaben(
        db,
        owner,
        "Öffentlich geteilt",
        description=internal,
        summary=internal,
        tags=", ".join(tags),
    )
    factories.comment(db, commenter, vorhaben, comment_text)
    factories.vorhaben(db, owner, private_title, visibility="municipality", description=internal)
    scene = Scene(owner, moderator, vorhaben)
    form = form_of(db, scene)
    form.title = re.sub(r"\s+", " ", public_title).strip() or "Titel"
    form.summary = "Öffentlich"
    form.description = public_text
    form.contact_consent = consent
    publication = service.submit(db, settings, owner, vorhaben.id, form)
    service.decide(db, settings, moderator, publication.id, "release", "")

    everything = json.dumps(
        [entry.item for entry in feed.after(db, 0, 500).entries], ensure_ascii=False
    )
    for forbidden in (internal, comment_text, private_title, commenter.display_name):
        assert forbidden not in everything
    assert (secret_name in everything) is consent
    assert (secret_mail_user in everything) is consent
    for entry in feed.after(db, 0, 500).entries:
        assert set(entry.item) == ITEM_KEYS
        assert set(entry.item["municipality"]) == MUNICIPALITY_KEYS
        if entry.item["contact"] is not None:
            assert set(entry.item["contact"]) == {"name", "position", "email"}
    db.rollback()
