"""Two people acting on one application at the same moment, on real, committing
connections: the second one waits for the first and is refused by the state machine,
instead of both passing the state check (two contradictory decisions, two mails)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Account, AccountState, Role
from app.audit.models import AuditEvent
from app.config import Settings, load_settings
from app.core.errors import InvalidTransition
from app.db import make_engine, make_session_factory, unit_of_work
from app.membership import service
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationState,
)
from app.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import TEST_SECRET

# How long the first transaction holds its locks after its step: long enough for the
# second to reach the point where it would read the application.
HOLD_SECONDS = 0.5

Step = Callable[[Session], object]


@dataclass
class World:
    engine: Engine
    factory: sessionmaker[Session]
    settings: Settings


@pytest.fixture
def world(fresh_database_url: str) -> Iterator[World]:
    engine = make_engine(fresh_database_url)
    settings = load_settings(env="test", database_url=fresh_database_url, secret_key=TEST_SECRET)
    yield World(engine, make_session_factory(engine), settings)
    engine.dispose()


def _race(world: World, first: Step, second: Step) -> tuple[str, str]:
    """Run `first` and keep its transaction open; start `second` meanwhile; then commit both.

    Returns what each did: "done", or "refused" for an InvalidTransition.
    """
    first_done = threading.Event()
    release = threading.Event()
    outcome: dict[str, str] = {}

    def run(name: str, step: Step, *, hold: bool) -> None:
        if not hold:
            first_done.wait(10)
        with world.factory() as db:
            try:
                step(db)
                if hold:
                    first_done.set()
                    release.wait(10)
                db.commit()
                outcome[name] = "done"
            except InvalidTransition:
                db.rollback()
                outcome[name] = "refused"
            except Exception as error:  # reported, so a failure names its cause
                db.rollback()
                outcome[name] = f"error {type(error).__name__}: {error}"
            finally:
                first_done.set()

    threads = [
        threading.Thread(target=run, args=("first", first), kwargs={"hold": True}),
        threading.Thread(target=run, args=("second", second), kwargs={"hold": False}),
    ]
    for thread in threads:
        thread.start()
    first_done.wait(10)
    time.sleep(HOLD_SECONDS)
    release.set()
    for thread in threads:
        thread.join(30)
    return outcome["first"], outcome["second"]


def _setup(world: World, *, state: ApplicationState = ApplicationState.SUBMITTED) -> dict[str, int]:
    with unit_of_work(world.factory) as db:
        mara = factories.account(db, "Mara", role=Role.MODERATOR, email="mara@verband.example")
        moritz = factories.account(db, "Moritz", role=Role.MODERATOR, email="mo@verband.example")
        applicant = factories.account(
            db, "Alice", state=AccountState.PENDING, email="alice@kiel.example"
        )
        application = factories.application(db, applicant)
        if state is ApplicationState.NEEDS_INFO:
            application.state = state
            applicant.state = AccountState.NEEDS_INFO
        return {
            "mara": mara.id,
            "moritz": moritz.id,
            "applicant": applicant.id,
            "application": application.id,
        }


def _count(world: World, statement: object) -> int:
    with world.factory() as db:
        return int(db.scalar(statement) or 0)  # type: ignore[call-overload]


def _mails_to(world: World, address: str) -> int:
    with world.factory() as db:
        rows = db.scalars(select(OutboxMessage)).all()
        return sum(1 for row in rows if row.payload.get("to") == address)


def test_two_moderators_deciding_at_once_make_one_decision(world: World) -> None:
    ids = _setup(world)

    def decide(moderator: str, decision: str, reason: str) -> Step:
        def step(db: Session) -> object:
            actor = db.get(Account, ids[moderator])
            assert actor is not None
            return service.decide(db, world.settings, actor, ids["application"], decision, reason)

        return step

    first, second = _race(
        world, decide("mara", "approve", ""), decide("moritz", "decline", "Keine Kommune")
    )
    assert (first, second) == ("done", "refused")
    decisions = _count(
        world,
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(("application_approved", "application_declined"))),
    )
    assert decisions == 1
    assert _mails_to(world, "alice@kiel.example") == 1
    with world.factory() as db:
        applicant = db.get(Account, ids["applicant"])
        application = db.get(Application, ids["application"])
        assert applicant is not None and application is not None
        assert applicant.state is AccountState.APPROVED
        assert application.state is ApplicationState.APPROVED
        assert application.decided_by_id == ids["mara"]


def test_a_double_submit_files_one_application(world: World) -> None:
    with unit_of_work(world.factory) as db:
        factories.account(db, "Mara", role=Role.MODERATOR, email="mara@verband.example")
        applicant_id = factories.account(db, "Neu", state=AccountState.PENDING).id
        ags = factories.municipality(db, "Kiel").ags

    def submit(db: Session) -> object:
        applicant = db.get(Account, applicant_id)
        assert applicant is not None
        return service.submit_application(
            db, world.settings, applicant, service.ApplicationForm(ags, "CDO", "Darum")
        )

    assert _race(world, submit, submit) == ("done", "refused")
    applications = _count(
        world,
        select(func.count()).select_from(Application).where(Application.account_id == applicant_id),
    )
    assert applications == 1
    assert _mails_to(world, "mara@verband.example") == 1


def test_an_answer_given_twice_at_once_reopens_the_application_once(world: World) -> None:
    ids = _setup(world, state=ApplicationState.NEEDS_INFO)

    def answer(db: Session) -> object:
        applicant = db.get(Account, ids["applicant"])
        assert applicant is not None
        service.answer_info_request(db, world.settings, applicant, "Hauptamt")
        return None

    assert _race(world, answer, answer) == ("done", "refused")
    answers = _count(
        world,
        select(func.count())
        .select_from(ApplicationEvent)
        .where(ApplicationEvent.kind == ApplicationEventKind.INFO_PROVIDED),
    )
    assert answers == 1


def test_a_decline_racing_the_answer_wins_or_waits(world: World) -> None:
    """The moderator declines while the applicant answers: the answer then finds a decided
    application, instead of reopening it behind the moderator's back."""
    ids = _setup(world, state=ApplicationState.NEEDS_INFO)

    def decline(db: Session) -> object:
        actor = db.get(Account, ids["mara"])
        assert actor is not None
        return service.decide(db, world.settings, actor, ids["application"], "decline", "Nein")

    def answer(db: Session) -> object:
        applicant = db.get(Account, ids["applicant"])
        assert applicant is not None
        service.answer_info_request(db, world.settings, applicant, "Hauptamt")
        return None

    assert _race(world, decline, answer) == ("done", "refused")
    with world.factory() as db:
        application = db.get(Application, ids["application"])
        applicant = db.get(Account, ids["applicant"])
        assert application is not None and applicant is not None
        assert application.state is ApplicationState.DECLINED
        assert applicant.state is AccountState.DECLINED
