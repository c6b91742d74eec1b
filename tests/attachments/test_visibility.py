"""An attachment is served only to whoever may see its parent: another municipality, an
applicant, an anonymous visitor, anyone once the parent is hidden or the comment deleted,
never get the file (a replay of every attachment URL as them)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.attachments import service as attachments
from app.attachments.models import Attachment
from app.comments import service as comments
from app.config import Settings
from app.moderation import reports
from tests import factories
from tests.attachments import samples

pytestmark = pytest.mark.commits


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"attachment_dir": str(tmp_path / "anhaenge")}


def _attach(
    db: Session, settings: Settings, who: factories.Account, vorhaben_id: int, **kwargs: object
) -> Attachment:
    checked = attachments.check(settings, "Plan.png", BytesIO(samples.image("PNG")))
    vorhaben = db.get(factories.Vorhaben, vorhaben_id)
    assert vorhaben is not None
    return attachments.store(db, settings, checked, vorhaben, who, **kwargs)  # type: ignore[arg-type]


def _urls(attachment: Attachment) -> list[str]:
    return [f"/anhaenge/{attachment.id}", f"/anhaenge/{attachment.id}/vorschau"]


def _sees(client: TestClient, attachment: Attachment) -> list[int]:
    return [client.get(url).status_code for url in _urls(attachment)]


def test_a_restricted_vorhaben_keeps_its_files_in_its_municipality(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    attachment = _attach(db, settings, owner, vorhaben.id)
    home = db.get(factories.Municipality, owner.municipality_id)
    colleague = factories.account(db, municipality=home)
    factories.login(client, db, colleague)
    assert _sees(client, attachment) == [200, 200]
    factories.login(client, db, factories.account(db))  # another municipality
    assert _sees(client, attachment) == [404, 404]
    # The delete form answers the same way.
    token = factories.csrf_token(client, "/")
    assert (
        client.post(f"/anhaenge/{attachment.id}/loeschen", data={"csrf_token": token}).status_code
        == 404
    )


def test_applicants_and_anonymous_visitors_never_get_a_file(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Offen für alle Mitglieder")
    attachment = _attach(db, settings, owner, vorhaben.id)
    for url in _urls(attachment):
        anonymous = client.get(url)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    applicant = factories.account(db, state=factories.AccountState.PENDING)
    factories.application(db, applicant)
    factories.login(client, db, applicant)
    for url in _urls(attachment):
        response = client.get(url)
        assert response.status_code == 403
        assert samples.image("PNG")[:8] not in response.content


def test_hiding_the_vorhaben_hides_its_files_from_all_but_its_author(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Wird ausgeblendet")
    attachment = _attach(db, settings, owner, vorhaben.id)
    member = factories.account(db)
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, member)
    assert _sees(client, attachment) == [200, 200]
    reports.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Unzulässig")
    assert _sees(client, attachment) == [404, 404]
    factories.login(client, db, owner)
    assert _sees(client, attachment) == [200, 200]


def test_a_hidden_or_deleted_comment_takes_its_files_along(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Mit Diskussion")
    author = factories.account(db, "Carla Commenter")
    comment = factories.comment(db, author, vorhaben, "Hier der Plan")
    attachment = _attach(db, settings, author, vorhaben.id, comment_id=comment.id)
    member = factories.account(db)
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, member)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert f'href="/anhaenge/{attachment.id}"' in page
    reports.decide(db, settings, moderator, "comment", comment.id, "hide", "Beleidigend")
    assert _sees(client, attachment) == [404, 404]
    assert f"/anhaenge/{attachment.id}" not in client.get(f"/vorhaben/{vorhaben.id}").text
    factories.login(client, db, author)
    assert _sees(client, attachment) == [200, 200]
    comments.delete(db, author, comment.id, settings=settings)
    assert _sees(client, attachment) == [404, 404]
    assert db.scalars(select(Attachment)).all() == []


def test_an_erased_uploader_is_a_former_member_and_the_file_stays(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Erika Erased")
    vorhaben = factories.vorhaben(db, owner, "Bleibt")
    attachment = _attach(db, settings, owner, vorhaben.id)
    mine = privacy.export(db, owner)["attachments"]
    assert [(a["id"], a["name"], a["kind"]) for a in mine] == [(attachment.id, "Plan.png", "png")]
    privacy.erase(db, settings, owner, actor=owner)
    factories.login(client, db, factories.account(db))
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    section = page.split('id="anhaenge"')[1].split("</section>")[0]
    assert "Plan.png" in section and "Ehemaliges Mitglied" in section
    assert "Erika Erased" not in page
    assert _sees(client, attachment) == [200, 200]
