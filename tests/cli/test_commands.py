"""Every command of CONTRACT.md's CLI table, run as an operator runs it: the installed
`allmende` script in a process of its own, on SQLite and PostgreSQL. What it prints is
checked as the contract states it; what it did is checked in the database."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from app.accounts.models import Account, AccountState, Role
from app.config import Settings
from app.db import make_engine
from app.export import partners
from app.export.models import WebhookEndpoint
from app.municipalities.models import Level, Municipality, OrganisationType
from app.outbox import service as outbox
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.vorhaben.models import Vorhaben
from tests import factories
from tests.cli.conftest import EXCERPT, Run
from tests.publishing import make_scene, publish

pytestmark = [pytest.mark.commits(only=True), pytest.mark.cli]

EXCERPT_RECORDS = 41
TOTALS = re.compile(r"created=\d+ updated=\d+ unchanged=\d+ deactivated=\d+")


def _count(engine: Engine, model: type[Any]) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


# -- db upgrade, db check, a fresh install ---------------------------------------------------


def test_a_fresh_install_migrates_checks_and_registers_a_partner(
    allmende: Run, empty_database_url: str
) -> None:
    """What the README tells an operator to do first, in a new database: nothing may need
    a model the command did not load (partners create failed here on every fresh install)."""
    first = allmende("db", "upgrade", database_url=empty_database_url)
    assert first.code == 0, first.err
    assert first.last_line.startswith("database at ")
    again = allmende("db", "upgrade", database_url=empty_database_url)
    assert again.code == 0 and again.last_line == first.last_line
    check = allmende("db", "check", database_url=empty_database_url)
    assert check.code == 0, check.err
    assert check.last_line == "models and migrations agree"
    created = allmende("partners", "create", "Civic Data", database_url=empty_database_url)
    assert created.code == 0, created.err
    assert re.fullmatch(r"alm_[\w-]{40,}", created.last_line)
    hook = allmende(
        "partners", "add-webhook", "Civic Data", "http://127.0.0.1:9/hook",
        database_url=empty_database_url, webhooks_allow_private="true",
    )  # fmt: skip
    assert hook.code == 0, hook.err
    revoked = allmende("partners", "revoke", "Civic Data", database_url=empty_database_url)
    assert revoked.code == 0, revoked.err


def test_db_check_fails_when_the_database_and_the_models_differ(
    allmende: Run, empty_database_url: str
) -> None:
    assert allmende("db", "upgrade", database_url=empty_database_url).code == 0
    # A change made by hand, outside the migrations: an index the models do not know.
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_by_hand ON accounts (display_name)")
    engine.dispose()
    check = allmende("db", "check", database_url=empty_database_url)
    check.assert_refused("models and migrations differ")
    assert "ix_by_hand" in check.err
    assert "agree" not in check.out


UNMIGRATED = [
    ("serve",),
    ("municipalities", "import", str(EXCERPT)),
    ("partners", "create", "Civic Data"),
    ("worker", "--once"),
]


def test_commands_refuse_a_database_that_is_not_migrated(
    allmende: Run, empty_database_url: str
) -> None:
    for argv in UNMIGRATED:
        result = allmende(*argv, database_url=empty_database_url)
        result.assert_refused("run `allmende db upgrade`")
        assert result.out == "", argv


def test_an_unreachable_database_is_one_clear_line(allmende: Run) -> None:
    result = allmende("partners", "list", database_url="postgresql+psycopg://u@127.0.0.1:1/none")
    result.assert_refused("cannot use the database:")


def test_unsafe_production_settings_stop_before_anything_runs(allmende: Run) -> None:
    result = allmende("db", "upgrade", env="production")
    assert result.code == 2
    result.assert_refused("ALLMENDE_SECRET_KEY must be set")


# -- municipalities import -------------------------------------------------------------------


def test_import_prints_the_totals_last_and_changes_nothing_the_second_time(
    allmende: Run, engine: Engine
) -> None:
    first = allmende("municipalities", "import", str(EXCERPT))
    assert first.code == 0, first.err
    assert first.last_line == f"created={EXCERPT_RECORDS} updated=0 unchanged=0 deactivated=0"
    assert "Gebietsstand 2025-11-30" in first.out
    second = allmende("municipalities", "import", str(EXCERPT))
    assert second.code == 0, second.err
    assert second.last_line == f"created=0 updated=0 unchanged={EXCERPT_RECORDS} deactivated=0"
    assert "nothing changed" in second.out
    with engine.connect() as connection:
        names = set(connection.scalars(select(Municipality.name)))
        gemeinden = connection.scalar(
            select(func.count()).where(Municipality.level == Level.GEMEINDE)
        )
    assert {"Oberschleißheim", "Dörnberg", "München", "München, Landeshauptstadt"} <= names
    assert gemeinden == 14


def test_import_leaves_the_organisations_alone(allmende: Run, db: Session, engine: Engine) -> None:
    """Organisations are no part of the file: an import never deactivates or changes them,
    and its totals count only the registry."""
    kgst = factories.organisation(db, "KGSt")
    wien = factories.organisation(db, "Wien", kind=OrganisationType.KOMMUNE_AUSLAND, country="AT")
    db.commit()
    for _round in range(2):
        done = allmende("municipalities", "import", str(EXCERPT))
        assert done.code == 0, done.err
        assert done.last_line.endswith("deactivated=0")
    with engine.connect() as connection:
        rows = connection.execute(
            select(Municipality.ags, Municipality.name, Municipality.active, Municipality.country)
            .where(Municipality.level == Level.ORGANISATION)
            .order_by(Municipality.name)
        ).all()
    assert [tuple(row) for row in rows] == [
        (kgst.ags, "KGSt", True, "DE"),
        (wien.ags, "Wien", True, "AT"),
    ]


def test_a_malformed_line_aborts_and_leaves_the_database_as_it_was(
    allmende: Run, engine: Engine, tmp_path: Path
) -> None:
    lines = EXCERPT.read_text(encoding="utf-8").split("\n")
    lines.insert(20, "60XXXX")
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    result = allmende("municipalities", "import", str(broken))
    result.assert_refused("line 21:")
    assert not TOTALS.search(result.out)
    assert _count(engine, Municipality) == 0


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.txt", "file not found"), (".", "is a directory"), ("latin1.txt", "not UTF-8")],
)
def test_a_file_that_cannot_be_read_is_one_line(
    allmende: Run, tmp_path: Path, name: str, reason: str
) -> None:
    (tmp_path / "latin1.txt").write_bytes("402025113001001       Lübeck".encode("latin-1"))
    allmende("municipalities", "import", str(tmp_path / name)).assert_refused(reason)


# -- members promote ---------------------------------------------------------------------------


def _pending(db: Session, email: str, name: str) -> int:
    account = factories.account(db, name, email=email, state=AccountState.PENDING)
    db.commit()
    return account.id


def _account(engine: Engine, account_id: int) -> tuple[AccountState, Role]:
    with engine.connect() as connection:
        row = connection.execute(
            select(Account.state, Account.role).where(Account.id == account_id)
        ).one()
    return row.state, row.role


def test_promote_by_mail_and_by_id_approves_with_each_role(
    allmende: Run, db: Session, engine: Engine
) -> None:
    chefin = _pending(db, "chefin@verband.example", "Erste Chefin")
    moderator = _pending(db, "mod@verband.example", "Mo Derator")
    member = _pending(db, "mitglied@verband.example", "Mia Mitglied")
    for who, role, expected in [
        ("CHEFIN@Verband.example", "admin", chefin),  # the address as a person types it
        (str(moderator), "moderator", moderator),
        ("mitglied@verband.example", "member", member),
        (str(member), "moderator", member),  # an approved member gets another role
    ]:
        done = allmende("members", "promote", who, "--role", role)
        assert done.code == 0, done.err
        name = {chefin: "Erste Chefin", moderator: "Mo Derator", member: "Mia Mitglied"}
        assert done.last_line == f"account {expected} ({name[expected]}) is now an approved {role}"
    assert _account(engine, chefin) == (AccountState.APPROVED, Role.ADMIN)
    assert _account(engine, moderator) == (AccountState.APPROVED, Role.MODERATOR)
    assert _account(engine, member) == (AccountState.APPROVED, Role.MODERATOR)


@pytest.mark.parametrize("who", ["nobody@example.org", "999999"])
def test_promote_an_unknown_account_names_the_way_out(allmende: Run, who: str) -> None:
    allmende("members", "promote", who, "--role", "admin").assert_refused("sign in once first")


def test_promote_to_an_unknown_role_is_refused_by_the_parser(allmende: Run, db: Session) -> None:
    account_id = _pending(db, "chefin@verband.example", "Erste Chefin")
    result = allmende("members", "promote", str(account_id), "--role", "king")
    assert result.code == 2 and result.out == ""
    assert "argument --role: invalid choice: 'king'" in result.err
    assert "Traceback" not in result.err


# -- partners ----------------------------------------------------------------------------------


def test_partners_create_list_add_webhook_and_revoke(
    allmende: Run, db: Session, engine: Engine
) -> None:
    assert allmende("partners", "list").last_line == "(no partners)"
    created = allmende("partners", "create", "Civic Data", "--contact-email", "ops@civic.example")
    assert created.code == 0, created.err
    key = created.last_line
    assert key.startswith("alm_") and " " not in key
    assert partners.authenticate(db, key) is not None
    db.rollback()  # its read transaction ends before the next command writes

    hook = allmende(
        "partners", "add-webhook", "Civic Data", "http://127.0.0.1:9/hook",
        webhooks_allow_private="true",
    )  # fmt: skip
    assert hook.code == 0, hook.err
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", hook.last_line)
    assert "http://127.0.0.1:9/hook" in hook.out
    listed = allmende("partners", "list")
    assert listed.last_line == "Civic Data\tkeys=1\twebhooks=1\tops@civic.example"

    revoked = allmende("partners", "revoke", "Civic Data")
    assert revoked.code == 0, revoked.err
    assert revoked.last_line == "revoked 1 key(s) of 'Civic Data'"
    assert partners.authenticate(db, key) is None
    # Its webhooks stop with its keys (the README's way to cut off a leaked key).
    assert [hook.active for hook in db.scalars(select(WebhookEndpoint))] == [False]
    db.rollback()
    assert allmende("partners", "list").last_line.startswith("Civic Data\tkeys=0\t")


PARTNER_MISTAKES = [
    (("partners", "revoke", "Niemand"), "Einen Partner „Niemand“ gibt es nicht."),
    (("partners", "add-webhook", "Niemand", "https://x.example/h"), "„Niemand“ gibt es nicht"),
    (("partners", "add-webhook", "Civic Data", "ftp://x.example/h"), "mit https:// beginnen"),
    (("partners", "add-webhook", "Civic Data", "https://[x/hook"), "mit https:// beginnen"),
    (("partners", "add-webhook", "Civic Data", "http://127.0.0.1/h"), "interne Adresse"),
    (("partners", "add-webhook", "Civic Data", "https://nie.invalid/h"), "nicht auflösen"),
    (("partners", "create", "Civic Data"), "Einen Partner „Civic Data“ gibt es schon."),
    (("partners", "create", "   "), "Bitte einen Namen"),
    (("partners", "create", "Civic\x07Data"), "Steuerzeichen"),  # not "höchstens 100 Zeichen"
    (("partners", "create", "Neu", "--contact-email", "kein-mail"), "gültige E-Mail"),
]


def test_partner_mistakes_are_one_line_and_change_nothing(allmende: Run) -> None:
    assert allmende("partners", "create", "Civic Data").code == 0
    for argv, reason in PARTNER_MISTAKES:
        allmende(*argv).assert_refused(reason)
    assert allmende("partners", "list").out == "Civic Data\tkeys=1\twebhooks=0\t-\n"


# -- worker ------------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A partner's webhook endpoint on loopback: answers `status`, keeps what arrived."""

    status: int = 204
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            found.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(found.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}/allmende"
    yield found
    server.shutdown()
    server.server_close()


def _states(engine: Engine, channel: Channel) -> list[DeliveryState]:
    with engine.connect() as connection:
        query = select(OutboxMessage.state).where(OutboxMessage.channel == channel)
        return list(connection.scalars(query.order_by(OutboxMessage.id)))


def test_worker_once_delivers_mails_and_signed_webhooks(
    allmende: Run, db: Session, engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    assert allmende("partners", "create", "Civic Data").code == 0
    hook = allmende(
        "partners", "add-webhook", "Civic Data", receiver.url, webhooks_allow_private="true"
    )
    secret = hook.last_line
    outbox.enqueue_mail(db, to="a@b.example", subject="Hallo", text="x", html="<p>x</p>")
    publication = publish(db, settings, make_scene(db))  # queues mails of its own
    db.commit()
    mails = len(_states(engine, Channel.MAIL))

    done = allmende("worker", "--once", webhooks_allow_private="true")
    assert done.code == 0, done.err
    assert done.last_line == f"delivered or attempted {mails + 1} message(s)"
    assert _states(engine, Channel.MAIL) == [DeliveryState.DELIVERED] * mails
    assert _states(engine, Channel.WEBHOOK) == [DeliveryState.DELIVERED]
    [(headers, body)] = receiver.received
    event = Webhook(secret).verify(body, headers)  # the secret printed once signs it
    assert event["type"] == "project.published"
    assert json.loads(body)["data"]["id"] == str(publication.id)
    nothing = allmende("worker", "--once", webhooks_allow_private="true")
    assert nothing.last_line == "delivered or attempted 0 message(s)"


def test_retry_now_sends_at_once_what_waits_for_its_retry(
    allmende: Run, db: Session, engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    assert allmende("partners", "create", "Civic Data").code == 0
    allmende("partners", "add-webhook", "Civic Data", receiver.url, webhooks_allow_private="true")
    publish(db, settings, make_scene(db))
    db.commit()
    mails = len(_states(engine, Channel.MAIL))
    receiver.status = 503  # the partner is down
    down = allmende("worker", "--once", webhooks_allow_private="true")
    assert down.last_line == f"delivered or attempted {mails + 1} message(s)"
    assert _states(engine, Channel.WEBHOOK) == [DeliveryState.PENDING]
    receiver.status = 204  # back, but the retry is minutes away
    waiting = allmende("worker", "--once", webhooks_allow_private="true")
    assert waiting.last_line == "delivered or attempted 0 message(s)"
    now = allmende("worker", "--once", "--retry-now", webhooks_allow_private="true")
    assert now.last_line == "delivered or attempted 1 message(s)"
    assert _states(engine, Channel.WEBHOOK) == [DeliveryState.DELIVERED]
    assert len(receiver.received) == 2


# -- seed --------------------------------------------------------------------------------------


def test_seed_fills_a_database_with_small_numbers(allmende: Run, engine: Engine) -> None:
    assert allmende("municipalities", "import", str(EXCERPT)).code == 0
    seeded = allmende(
        "seed", "--members", "4", "--vorhaben", "3", "--comments", "5", "--published", "1"
    )
    assert seeded.code == 0, seeded.err
    assert seeded.last_line == "published 1 projects"
    assert _count(engine, Account) == 4
    assert _count(engine, Vorhaben) == 3
    with engine.connect() as connection:
        assert connection.scalar(select(func.sum(Vorhaben.comment_count))) == 5


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (("--members", "1", "--vorhaben", "1", "--comments", "0"), "import the municipality"),
        (("--members", "-1", "--vorhaben", "1", "--comments", "0"), "must not be negative"),
    ],
)
def test_seed_mistakes_are_one_line(allmende: Run, argv: tuple[str, ...], reason: str) -> None:
    allmende("seed", *argv).assert_refused(reason)
