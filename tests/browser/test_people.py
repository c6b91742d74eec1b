"""In Chromium (issue 19, parts 4 and 6): a member asks to move to another municipality, a
moderator approves; a contact person confirms an application from their municipality; axe
finds no WCAG 2.1 A/AA violation on the pages involved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.accounts.models import Account, AccountState, Role
from app.demo import DEMO_REGISTRY
from app.membership.models import Application, ApplicationEvent, ApplicationEventKind
from app.membership.personas import seed_personas
from app.municipalities import gv100ad
from app.municipalities import service as municipalities
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context

KIEL = "01002000"


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> LiveServer:
    with live_server.session() as db:
        municipalities.import_registry(
            db, gv100ad.read_file(DEMO_REGISTRY), deactivate_missing=False
        )
        seed_personas(db)
        db.commit()
    return live_server


def _ids(live: LiveServer) -> tuple[int, int]:
    """A plain member (not of Kiel) and a moderator among the personas."""
    with live.session() as db:
        people = seed_personas(db)
        kiel = municipalities.get_by_ags(db, KIEL)
        assert kiel is not None
        member = next(
            person
            for person in people
            if person.role is Role.MEMBER
            and person.state is AccountState.APPROVED
            and person.municipality_id not in (None, kiel.id)
        )
        moderator = next(person for person in people if person.role is Role.MODERATOR)
        db.commit()
        return member.id, moderator.id


def test_a_member_moves_to_kiel_and_a_moderator_approves(
    browser: Browser, seeded: LiveServer
) -> None:
    member_id, moderator_id = _ids(seeded)
    context = signed_in_context(browser, seeded, member_id, provider="sso")
    page = context.new_page()
    page.goto(seeded.url + "/konto")
    page.get_by_role("link", name="Kommune oder Funktion ändern").click()
    expect(page.locator("h1")).to_contain_text("Kommune oder Funktion ändern")
    assert_accessible(page, "change request form")
    page.locator("#municipality-q").fill("Kiel")  # htmx fetches the results as you type
    kiel = page.locator(f"input[name=municipality_ags][value='{KIEL}']")
    expect(kiel).to_be_visible()
    kiel.check()
    page.locator("#field-reason").fill("Neue Stelle als CDO")
    page.locator("#field-position").fill("Chief Digital Officer")
    page.locator("#field-position").press("Enter")  # the form's main action
    expect(page.locator(".notice")).to_contain_text("Ihre Änderung ist bei der Moderation")
    context.close()

    moderator_context = signed_in_context(browser, seeded, moderator_id, provider="sso")
    moderator = moderator_context.new_page()
    moderator.goto(seeded.url + "/moderation/wechsel")
    assert_accessible(moderator, "change queue")
    moderator.locator("table a").first.click()
    expect(moderator.locator("h1")).to_contain_text("Wechsel von")
    assert_accessible(moderator, "change decision")
    moderator.get_by_role("button", name="Annehmen").click()
    expect(moderator.locator(".notice")).to_contain_text("Entscheidung gespeichert")
    moderator.goto(seeded.url + "/moderation/ansprechpersonen")
    assert_accessible(moderator, "contact persons overview")
    moderator_context.close()
    with seeded.session() as db:
        moved = db.get(Account, member_id)
        assert moved is not None and moved.position == "Chief Digital Officer"
        assert moved.municipality_id == municipalities.get_by_ags(db, KIEL).id  # type: ignore[union-attr]


def test_a_contact_confirms_an_application_from_their_municipality(
    browser: Browser, seeded: LiveServer
) -> None:
    with seeded.session() as db:
        kiel = municipalities.get_by_ags(db, KIEL)
        assert kiel is not None
        contact = Account(
            display_name="Carla Contact",
            email="carla@kiel.de",
            email_verified=True,
            state=AccountState.APPROVED,
            municipality_id=kiel.id,
            local_contact=True,
        )
        applicant = Account(
            display_name="Anna Antrag",
            email="anna@kiel.de",
            state=AccountState.PENDING,
            municipality_id=kiel.id,
        )
        db.add_all([contact, applicant])
        db.flush()
        application = Application(
            account_id=applicant.id, municipality_id=kiel.id, position="Amtsleitung"
        )
        db.add(application)
        db.flush()
        db.add(
            ApplicationEvent(
                application_id=application.id,
                actor_id=applicant.id,
                kind=ApplicationEventKind.SUBMITTED,
            )
        )
        db.commit()
        contact_id, application_id = contact.id, application.id
    context = signed_in_context(browser, seeded, contact_id, provider="sso")
    page = context.new_page()
    page.goto(seeded.url + "/")
    page.get_by_role("link", name="Anträge meiner Kommune").click()
    assert_accessible(page, "contact queue")
    page.get_by_role("link", name="Anna Antrag").click()
    assert_accessible(page, "contact decision")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.locator(".notice")).to_contain_text("Entscheidung gespeichert")
    context.close()
    with seeded.session() as db:
        decided = db.scalars(select(Application).where(Application.id == application_id)).one()
        assert decided.decided_by_id == contact_id
