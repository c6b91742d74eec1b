"""Co-editors (issue 19, part 3): the owners of a Vorhaben let members of its partner
municipalities edit it; co-editors change the content, never who reads it, and lose the
right with the partnership."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState
from app.audit.models import AuditEvent
from app.config import Settings
from app.vorhaben import co_editors
from app.vorhaben.co_editors import VorhabenCoEditor
from app.vorhaben.models import Visibility, Vorhaben, VorhabenVersion
from tests import factories

pytestmark = pytest.mark.commits

SECRET = "Gemeinsame Leitstelle"


@dataclass
class Cast:
    owner: Account
    colleague: Account
    partner: Account  # named co-editor in the tests that need one
    partner_other: Account
    third: Account
    applicant: Account
    vorhaben: Vorhaben
    luebeck_ags: str


def _cast(db: Session) -> Cast:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    hamburg = factories.municipality(db, "Hamburg")
    owner = factories.account(db, "Olga Owner", municipality=kiel)
    colleague = factories.account(db, "Kai Kollege", municipality=kiel)
    partner = factories.account(db, "Paula Partner", municipality=luebeck)
    partner_other = factories.account(db, "Piet Partner", municipality=luebeck)
    third = factories.account(db, "Hanna Hamburg", municipality=hamburg)
    applicant = factories.account(db, "Ann Antrag", state=AccountState.PENDING)
    factories.application(db, applicant, luebeck)
    factories.account(db, "Lea Wartend", state=AccountState.PENDING, municipality=luebeck)
    vorhaben = factories.vorhaben(db, owner, SECRET, visibility="partners", partners=[luebeck.ags])
    return Cast(owner, colleague, partner, partner_other, third, applicant, vorhaben, luebeck.ags)


def _name(client: TestClient, db: Session, cast: Cast, who: Account) -> None:
    factories.login(client, db, cast.owner)
    token = factories.csrf_token(client, "/konto")
    named = client.post(
        f"/vorhaben/{cast.vorhaben.id}/mitbearbeitung",
        data={"csrf_token": token, "account": str(who.id)},
    )
    assert named.status_code == 303


def _current(db: Session, vorhaben: Vorhaben) -> Vorhaben:
    db.expire_all()
    found = db.get(Vorhaben, vorhaben.id)
    assert found is not None
    return found


def test_the_owner_names_a_co_editor_from_the_partner_municipalities(
    client: TestClient, db: Session
) -> None:
    cast = _cast(db)
    factories.login(client, db, cast.owner)
    detail = client.get(f"/vorhaben/{cast.vorhaben.id}").text
    path = f"/vorhaben/{cast.vorhaben.id}/mitbearbeitung"
    assert f'href="{path}"' in detail
    page = client.get(path).text
    assert "Paula Partner" in page and "Piet Partner" in page
    # Not the owners' own colleagues, not a third municipality, not applicants.
    for name in ("Kai Kollege", "Hanna Hamburg", "Ann Antrag", "Lea Wartend"):
        assert name not in page
    token = factories.csrf_token(client, "/konto")
    assert client.post(path, data={"account": str(cast.partner.id)}).status_code == 403  # CSRF
    for wrong in (str(cast.third.id), str(cast.colleague.id), str(cast.applicant.id), "", "x"):
        refused = client.post(path, data={"csrf_token": token, "account": wrong})
        assert refused.status_code == 422, wrong
        assert "Bitte wählen Sie ein Mitglied einer Partnerkommune" in refused.text
    assert co_editors.co_editors(db, cast.vorhaben.id) == []
    named = client.post(path, data={"csrf_token": token, "account": str(cast.partner.id)})
    assert named.status_code == 303
    assert co_editors.co_editors(db, cast.vorhaben.id) == [cast.partner]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "vorhaben_co_editor_added")
    ).one()
    assert event.actor_id == cast.owner.id and event.subject_id == cast.partner.id
    assert event.object_id == str(cast.vorhaben.id)
    # Named once: no longer among the candidates, and a second naming is refused.
    again = client.post(path, data={"csrf_token": token, "account": str(cast.partner.id)})
    assert again.status_code == 422
    # Withdrawn: audited, and gone.
    removal = f"{path}/entfernen"
    assert client.post(removal, data={"account": str(cast.partner.id)}).status_code == 403
    assert client.post(removal, data={"csrf_token": token, "account": "7"}).status_code == 404
    removed = client.post(removal, data={"csrf_token": token, "account": str(cast.partner.id)})
    assert removed.status_code == 303
    assert co_editors.co_editors(db, cast.vorhaben.id) == []
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "vorhaben_co_editor_removed"))
        .one()
        .subject_id
        == cast.partner.id
    )


def test_who_may_edit_and_who_names_co_editors(client: TestClient, db: Session) -> None:
    cast = _cast(db)
    _name(client, db, cast, cast.partner)
    edit = f"/vorhaben/{cast.vorhaben.id}/bearbeiten"
    manage = f"/vorhaben/{cast.vorhaben.id}/mitbearbeitung"
    delete = f"/vorhaben/{cast.vorhaben.id}/loeschen"
    # owner, colleague of the owning municipality: edit and manage
    for owner in (cast.owner, cast.colleague):
        factories.login(client, db, owner)
        form = client.get(edit)
        assert form.status_code == 200 and 'name="visibility"' in form.text
        assert 'name="partner_municipalities"' in form.text
        assert client.get(manage).status_code == 200
    # co-editor: edits, but neither manages, nor deletes, nor changes who reads it
    factories.login(client, db, cast.partner)
    detail = client.get(f"/vorhaben/{cast.vorhaben.id}").text
    assert f'href="{edit}"' in detail
    assert f'href="{manage}"' not in detail and f'href="{delete}"' not in detail
    form = client.get(edit)
    assert form.status_code == 200 and f'value="{SECRET}"' in form.text
    assert 'name="visibility"' not in form.text
    assert 'name="partner_municipalities"' not in form.text
    assert 'name="contacts"' not in form.text
    assert "als Mitglied einer Partnerkommune mit" in form.text
    assert client.get(manage).status_code == 403
    assert client.get(delete).status_code == 403
    # partner member who is not a co-editor: reads, does not edit
    factories.login(client, db, cast.partner_other)
    assert client.get(f"/vorhaben/{cast.vorhaben.id}").status_code == 200
    assert f'href="{edit}"' not in client.get(f"/vorhaben/{cast.vorhaben.id}").text
    token = factories.csrf_token(client, "/konto")
    assert client.get(edit).status_code == 403
    assert client.get(manage).status_code == 403
    posted = client.post(edit, data={"csrf_token": token, "title": "Fremd", "stage": "idee"})
    assert posted.status_code == 403
    naming = client.post(manage, data={"csrf_token": token, "account": str(cast.partner_other.id)})
    assert naming.status_code == 403
    # a third municipality: the Vorhaben does not exist for it
    factories.login(client, db, cast.third)
    token = factories.csrf_token(client, "/konto")
    for path in (edit, manage):
        answer = client.get(path)
        assert answer.status_code == 404 and SECRET not in answer.text
    assert client.post(manage, data={"csrf_token": token, "account": "1"}).status_code == 404
    # an applicant: no member pages at all
    factories.login(client, db, cast.applicant)
    for path in (edit, manage):
        assert client.get(path).status_code == 403
    # anonymous: to the login
    client.cookies.clear()
    for path in (edit, manage):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert co_editors.co_editors(db, cast.vorhaben.id) == [cast.partner]
    assert _current(db, cast.vorhaben).title == SECRET


def test_a_co_editor_changes_the_content_not_who_reads_it(client: TestClient, db: Session) -> None:
    cast = _cast(db)
    _name(client, db, cast, cast.partner)
    factories.login(client, db, cast.partner)
    token = factories.csrf_token(client, "/konto")
    saved = client.post(
        f"/vorhaben/{cast.vorhaben.id}/bearbeiten",
        data={
            "csrf_token": token,
            "title": "Gemeinsame Leitstelle Nord",
            "stage": "konzept",
            "version": "1",
            # Posted anyway (a crafted form): ignored for a co-editor.
            "visibility": "members",
            "partner_municipalities": [],
            "contacts": [str(cast.partner.id)],
        },
    )
    assert saved.status_code == 303
    found = _current(db, cast.vorhaben)
    assert found.title == "Gemeinsame Leitstelle Nord" and found.stage.value == "konzept"
    assert found.visibility is Visibility.PARTNERS
    assert [entry.ags for entry in found.partners] == [cast.luebeck_ags]
    assert found.contacts == []
    version = db.scalars(
        select(VorhabenVersion).where(
            VorhabenVersion.vorhaben_id == found.id, VorhabenVersion.version == 2
        )
    ).one()
    assert version.editor_id == cast.partner.id
    # A refused edit keeps what was typed.
    refused = client.post(
        f"/vorhaben/{cast.vorhaben.id}/bearbeiten",
        data={"csrf_token": token, "title": "", "summary": "Behalten", "stage": "konzept"},
    )
    assert refused.status_code == 422 and "Behalten" in refused.text
    assert 'name="visibility"' not in refused.text
    assert co_editors.co_editors(db, found.id) == [cast.partner]  # a co-editor prunes nobody


def test_removing_the_partner_municipality_removes_its_co_editors(
    client: TestClient, db: Session
) -> None:
    cast = _cast(db)
    _name(client, db, cast, cast.partner)
    token = factories.csrf_token(client, "/konto")  # still the owner
    saved = client.post(
        f"/vorhaben/{cast.vorhaben.id}/bearbeiten",
        data={
            "csrf_token": token,
            "title": SECRET,
            "stage": "idee",
            "visibility": "members",
            "partner_municipalities": [],
        },
    )
    assert saved.status_code == 303
    assert co_editors.co_editors(db, cast.vorhaben.id) == []
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "vorhaben_co_editor_removed")
    ).one()
    assert event.actor_id == cast.owner.id and event.subject_id == cast.partner.id
    # Still visible to all members, no longer editable by the former co-editor.
    factories.login(client, db, cast.partner)
    assert client.get(f"/vorhaben/{cast.vorhaben.id}").status_code == 200
    assert client.get(f"/vorhaben/{cast.vorhaben.id}/bearbeiten").status_code == 403


def test_a_co_editor_who_moves_or_is_erased_edits_no_more(
    client: TestClient, db: Session, settings: Settings
) -> None:
    cast = _cast(db)
    _name(client, db, cast, cast.partner)
    _name(client, db, cast, cast.partner_other)
    assert co_editors.is_co_editor(db, cast.partner, cast.vorhaben.id)
    # Moved to a municipality that is no partner: the right ends with the move.
    partner = db.get(Account, cast.partner.id)
    assert partner is not None
    partner.municipality_id = cast.third.municipality_id
    db.flush()
    assert not co_editors.is_co_editor(db, partner, cast.vorhaben.id)
    factories.login(client, db, partner)
    assert client.get(f"/vorhaben/{cast.vorhaben.id}/bearbeiten").status_code == 404
    # Erased: the row goes with the account's other links.
    other = db.get(Account, cast.partner_other.id)
    assert other is not None
    privacy.erase(db, settings, other, actor=other)
    db.flush()
    rows = db.scalars(
        select(VorhabenCoEditor.account_id).where(VorhabenCoEditor.vorhaben_id == cast.vorhaben.id)
    ).all()
    assert rows == [cast.partner.id]
