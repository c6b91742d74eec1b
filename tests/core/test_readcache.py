"""The read cache is exact: a committed change reaches the next read in every process, what
one audience reads never reaches another, and uncommitted rows never reach anyone.

These tests commit for real (a fresh database each), and use two engines on one database
where they need two app processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, select, text, update

from app.auth import sessions
from app.config import Settings
from app.core import readcache
from app.core.clock import utcnow
from app.core.readcache import ReadGeneration, writes_shared_data
from app.dashboard import service as dashboard
from app.db import read_only, unit_of_work
from app.membership.models import Account, Role
from app.vorhaben import cooperation, listing, visibility
from app.vorhaben.models import Follow, Vorhaben
from app.web import templating
from tests import factories
from tests.conftest import Process


@pytest.mark.parametrize(
    ("statement", "shared"),
    [
        ("INSERT INTO vorhaben (title) VALUES (?)", True),
        ('UPDATE "comments" SET body = ?', True),
        ("DELETE FROM vorhaben_tags WHERE vorhaben_id = ?", True),
        ("INSERT OR REPLACE INTO rate_counters VALUES (?)", False),
        ("INSERT INTO sessions (token_hash, account_id) VALUES (?, ?)", False),
        ("UPDATE sessions SET last_seen_at=%(last_seen_at)s WHERE sessions.id = 1", False),
        ("UPDATE sessions SET last_seen_at = ? WHERE sessions.id = ?", False),
        ("UPDATE sessions SET last_seen_at=?, expires_at=? WHERE sessions.id = ?", True),
        ("UPDATE sessions SET last_seen_at=?", True),  # no WHERE: not how a touch looks
        ("DELETE FROM sessions WHERE sessions.id = ?", True),
        ("UPDATE notifications SET mailed_at=? WHERE notifications.id = ?", False),
        (  # as PostgreSQL's dialect renders a touch and a mail marked sent
            "UPDATE sessions SET last_seen_at=%(last_seen_at)s::TIMESTAMP WITH TIME ZONE "
            "WHERE sessions.id = %(id_1)s::INTEGER",
            False,
        ),
        (
            "UPDATE notifications SET mailed_at=%(mailed_at)s::TIMESTAMP WITH TIME ZONE "
            "WHERE notifications.account_id = %(account_id_1)s::INTEGER",
            False,
        ),
        ("UPDATE notifications SET read_at=? WHERE notifications.account_id = ?", True),
        ("UPDATE notifications SET mailed_at=?, read_at=? WHERE notifications.id = ?", True),
        ("insert into notifications (id) values (1)", True),
        ("INSERT INTO outbox (id) VALUES (1)", False),
        ("SELECT * FROM vorhaben", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("CREATE TABLE x (id int)", True),  # anything unknown counts as a change
        ("WITH moved AS (DELETE FROM outbox RETURNING *) SELECT 1", True),
    ],
)
def test_which_statements_change_shared_data(statement: str, shared: bool) -> None:
    assert writes_shared_data(statement) is shared


def _token(process: Process) -> str:
    with process.sessions() as db:
        token = db.scalar(select(ReadGeneration.token))
    assert token
    return str(token)


def _titles(process: Process, reader_id: int) -> list[str]:
    with unit_of_work(process.sessions) as db:
        reader = db.get(Account, reader_id)
        assert reader is not None
        page = listing.list_vorhaben(db, reader, listing.VorhabenFilter())
        return [card.title for card in page.items]


def _page_as(process: Process, who: Account, path: str) -> tuple[str, str]:
    """A page as `who` in a session of its own, and that session's CSRF token."""
    client = TestClient(process.app, follow_redirects=False)
    with unit_of_work(process.sessions) as db:
        factories.login(client, db, db.get(Account, who.id) or who)
    body = client.get(path).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', body)
    assert token
    return body, token.group(1)


@contextmanager
def _checkouts(process: Process) -> Iterator[list[object]]:
    """The connections taken from the process's pool while the block runs."""
    taken: list[object] = []

    def count(*args: object) -> None:
        taken.append(args)

    event.listen(process.engine, "checkout", count)
    try:
        yield taken
    finally:
        event.remove(process.engine, "checkout", count)


def _count_renders(monkeypatch: pytest.MonkeyPatch, template: str) -> list[str]:
    """Every rendering of `template` by templating.render_string from now on."""
    seen: list[str] = []
    original = templating.render_string

    def counting(name: str, context: dict[str, Any]) -> str:
        if name == template:
            seen.append(name)
        return original(name, context)

    monkeypatch.setattr(templating, "render_string", counting)
    return seen


def test_a_committed_write_changes_the_token_a_quiet_or_undone_one_does_not(
    processes: tuple[Process, Process], committed_settings: Settings
) -> None:
    settings = committed_settings
    one, _other = processes
    before = _token(one)
    with unit_of_work(one.sessions) as db:
        db.execute(text("SELECT count(*) FROM vorhaben"))
    assert _token(one) == before  # reading changes nothing
    with unit_of_work(one.sessions) as db:
        member = factories.account(db, "Ada Quiet")
    after_write = _token(one)
    assert after_write != before
    with unit_of_work(one.sessions) as db:
        account = db.get(Account, member.id)
        assert account is not None
        created = sessions.create(db, settings, account, provider="sso")
    assert _token(one) == after_write  # a new session row is not shared data
    with unit_of_work(one.sessions) as db:
        sessions.touch(db, created.session.id)
    assert _token(one) == after_write  # nor is a session's activity
    with one.sessions() as db:
        factories.vorhaben(db, db.get(Account, member.id) or member, "Nie gespeichert")
        db.rollback()
    assert _token(one) == after_write


def test_a_change_committed_in_one_process_reaches_the_next_read_in_another(
    processes: tuple[Process, Process],
) -> None:
    one, other = processes
    with unit_of_work(one.sessions) as db:
        reader = factories.account(db, "Lea Leser")
        author = factories.account(db, "Olaf Autor")
        factories.vorhaben(db, author, "Erstes Vorhaben")
    assert _titles(one, reader.id) == ["Erstes Vorhaben"]
    assert _titles(one, reader.id) == ["Erstes Vorhaben"]  # now from the cache
    cache = readcache.cache_of(one.engine)
    assert cache is not None and len(cache) > 0

    with unit_of_work(other.sessions) as db:
        factories.vorhaben(db, db.get(Account, author.id) or author, "Zweites Vorhaben")
    assert _titles(one, reader.id) == ["Zweites Vorhaben", "Erstes Vorhaben"]

    with unit_of_work(other.sessions) as db:  # a change without the ORM, in plain SQL
        db.execute(
            update(Vorhaben).values(title="Umbenannt").where(Vorhaben.title == "Erstes Vorhaben")
        )
    assert _titles(one, reader.id) == ["Zweites Vorhaben", "Umbenannt"]


def test_one_municipality_never_reads_what_was_cached_for_another(
    processes: tuple[Process, Process],
) -> None:
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        town = factories.municipality(db, "Innenstadt")
        insider = factories.account(db, "Ina Innen", municipality=town)
        colleague = factories.account(db, "Carl Kollege", municipality=town)
        outsider = factories.account(db, "Otto Außen")
        factories.vorhaben(db, insider, "Nur für uns", visibility="municipality")
        factories.vorhaben(db, outsider, "Für alle")
    # The insider fills the cache first; the colleague shares it, the outsider does not.
    assert _titles(one, insider.id) == ["Für alle", "Nur für uns"]
    assert _titles(one, colleague.id) == ["Für alle", "Nur für uns"]
    assert _titles(one, outsider.id) == ["Für alle"]
    assert _titles(one, insider.id) == ["Für alle", "Nur für uns"]


def test_a_hidden_vorhaben_stays_with_its_author_alone(
    processes: tuple[Process, Process],
) -> None:
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        town = factories.municipality(db, "Verborgenstadt")
        author = factories.account(db, "Hanna Versteckt", municipality=town)
        colleague = factories.account(db, "Kai Kollege", municipality=town)
        hidden = factories.vorhaben(db, author, "Ausgeblendet")
        factories.vorhaben(db, colleague, "Sichtbar")
    assert _titles(one, colleague.id) == ["Sichtbar", "Ausgeblendet"]
    with unit_of_work(one.sessions) as db:
        db.execute(update(Vorhaben).values(hidden_at=utcnow()).where(Vorhaben.id == hidden.id))
    # Both orders: the author's view must not fill the colleague's, nor the other way round.
    assert _titles(one, author.id) == ["Sichtbar", "Ausgeblendet"]
    assert _titles(one, colleague.id) == ["Sichtbar"]
    assert _titles(one, author.id) == ["Sichtbar", "Ausgeblendet"]


def test_uncommitted_rows_never_reach_the_cache(processes: tuple[Process, Process]) -> None:
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        reader = factories.account(db, "Rita Rückgängig")
    assert _titles(one, reader.id) == []
    with one.sessions() as db:
        writer = db.get(Account, reader.id)
        assert writer is not None
        factories.vorhaben(db, writer, "Gleich wieder weg")
        page = listing.list_vorhaben(db, writer, listing.VorhabenFilter())
        assert [card.title for card in page.items] == ["Gleich wieder weg"]  # its own write
        db.rollback()
    assert _titles(one, reader.id) == []


def test_the_shared_thread_carries_each_readers_own_token_and_buttons(
    processes: tuple[Process, Process],
) -> None:
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        writer = factories.account(db, "Wanda Schreiberin")
        reader = factories.account(db, "Rolf Leser")
        moderator = factories.account(db, "Mona Moderation", role=Role.MODERATOR)
        vorhaben = factories.vorhaben(db, writer, "Diskutiert")
        factories.comment(db, writer, vorhaben, "Mein Beitrag")

    def page_of(who: Account) -> tuple[str, str]:
        return _page_as(one, who, f"/vorhaben/{vorhaben.id}")

    for _round in range(2):  # the second round is served from the cache
        writer_page, writer_token = page_of(writer)
        reader_page, reader_token = page_of(reader)
        moderator_page, _ = page_of(moderator)
        assert "Mein Beitrag" in reader_page and "Mein Beitrag" in writer_page
        assert "/bearbeiten" in writer_page.split('id="comments"')[1]
        assert "/bearbeiten" not in reader_page.split('id="comments"')[1]
        assert "/loeschen" not in reader_page.split('id="comments"')[1]
        assert "/loeschen" in moderator_page.split('id="comments"')[1]
        comments_part = reader_page.split('id="comments"')[1]
        assert writer_token not in comments_part
        assert comments_part.count(reader_token) >= 2  # reply form and new-comment form


def test_a_result_read_across_a_commit_is_not_shared(processes: tuple[Process, Process]) -> None:
    """PostgreSQL's READ COMMITTED lets a request read its token, then data committed after
    it: the author of a Vorhaben hidden in between would store it, under the key of their
    municipality, for colleagues whose requests are under way. Each must see what its own
    transaction sees (on SQLite a snapshot from before the change, on PostgreSQL after it)."""
    one, other = processes
    with unit_of_work(one.sessions) as db:
        town = factories.municipality(db, "Wettlaufstadt")
        author = factories.account(db, "Xaver Autor", municipality=town)
        colleague = factories.account(db, "Yvonne Kollegin", municipality=town)
        hidden = factories.vorhaben(db, author, "Bald ausgeblendet")
    with read_only(one.sessions()) as author_db, read_only(one.sessions()) as colleague_db:
        writer = author_db.get(Account, author.id)
        reader = colleague_db.get(Account, colleague.id)
        assert writer is not None and reader is not None
        # Both requests under way: token read, audiences worked out.
        assert visibility.audience(colleague_db, reader) == ("municipality", town.id)
        assert visibility.audience(author_db, writer) == ("municipality", town.id)
        with unit_of_work(other.sessions) as db:  # a moderator hides it
            db.execute(update(Vorhaben).values(hidden_at=utcnow()).where(Vorhaben.id == hidden.id))
        listing.list_vorhaben(author_db, writer, listing.VorhabenFilter())
        page = listing.list_vorhaben(colleague_db, reader, listing.VorhabenFilter())
        own_view = colleague_db.scalars(
            select(Vorhaben.title).where(visibility.visible_clause(reader))
        ).all()
        assert [card.title for card in page.items] == list(own_view)


def _on_postgresql(process: Process) -> None:
    if process.engine.dialect.name != "postgresql":
        pytest.skip("a server that drops connections: PostgreSQL only")


def test_a_value_from_the_cache_takes_no_connection_from_the_pool(
    processes: tuple[Process, Process],
) -> None:
    """A request served from the cache reads the token on the token reader's autocommit
    connection: no checkout, BEGIN or COMMIT on the engine's pool."""
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        assert readcache.cached(db, ("probe",), lambda: "geladen") == "geladen"
    with _checkouts(one) as checkouts, unit_of_work(one.sessions) as db:
        assert readcache.cached(db, ("probe",), lambda: "neu geladen") == "geladen"
    assert checkouts == []
    with _checkouts(one) as checkouts, unit_of_work(one.sessions) as db:
        assert readcache.cached(db, ("other",), lambda: "geladen") == "geladen"
    assert len(checkouts) == 1  # a miss opens the transaction as before


def test_a_session_forgets_the_token_when_its_unit_of_work_ends(
    processes: tuple[Process, Process],
) -> None:
    """A session kept across units of work (the worker, the CLI) reads the token anew in
    each: a value cached before another process's write is not handed out after it."""
    one, other = processes
    with unit_of_work(one.sessions) as db:
        reader = factories.account(db, "Paula Dauer")
    with unit_of_work(one.sessions) as db:
        readcache.cached(db, ("probe",), lambda: "vorher")
    db = one.sessions()
    try:
        for end, title in ((db.commit, "Neu"), (db.close, "Neuer")):
            assert readcache.cached(db, ("probe",), lambda: "nicht geladen") == "vorher"
            end()
            with unit_of_work(other.sessions) as writer:
                factories.vorhaben(writer, writer.get(Account, reader.id) or reader, title)
            assert readcache.cached(db, ("probe",), lambda: "nachher") == "nachher"
            db.commit()
            readcache.cached(db, ("probe",), lambda: "vorher", refresh=True)
            db.commit()
    finally:
        db.close()


def test_the_token_reader_recovers_from_a_dropped_connection(
    processes: tuple[Process, Process],
) -> None:
    """A restart of PostgreSQL (here: every other connection terminated) costs the token
    reader one failed attempt on a dead connection, not a failed request."""
    one, other = processes
    _on_postgresql(one)
    with unit_of_work(one.sessions) as db:
        readcache.cached(db, ("probe",), lambda: "vorher")
    with other.engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    with unit_of_work(one.sessions) as db:
        assert readcache.cached(db, ("probe",), lambda: "nicht geladen") == "vorher"
        assert readcache.cached(db, ("other",), lambda: "geladen") == "geladen"


def test_following_is_read_through_the_cache_and_exact_across_processes(
    processes: tuple[Process, Process],
) -> None:
    one, other = processes
    with unit_of_work(one.sessions) as db:
        reader = factories.account(db, "Frida Folgt")
        vorhaben = factories.vorhaben(db, reader, "Gefolgt")
        vorhaben_id = vorhaben.id
    with unit_of_work(one.sessions) as db:
        db.execute(delete(Follow))
    with unit_of_work(one.sessions) as db:
        assert cooperation.is_following(db, reader.id, vorhaben_id) is False
    with _checkouts(one) as checkouts, unit_of_work(one.sessions) as db:
        assert cooperation.is_following(db, reader.id, vorhaben_id) is False
    assert checkouts == []  # from the cache, no query
    with unit_of_work(other.sessions) as db:
        account = db.get(Account, reader.id)
        assert account is not None
        cooperation.set_follow(db, account, vorhaben_id, on=True)
    with unit_of_work(one.sessions) as db:
        assert cooperation.is_following(db, reader.id, vorhaben_id) is True


def test_the_shared_dashboard_is_each_members_own_with_each_sessions_token(
    processes: tuple[Process, Process], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard's sections are cached as HTML per member; the mark-as-seen forms in
    them carry the token of the session that asks, and another member never gets them."""
    one, other = processes
    with unit_of_work(one.sessions) as db:
        town = factories.municipality(db, "Signalstadt")
        owner = factories.account(db, "Sina Eigen", municipality=town)
        stranger = factories.account(db, "Tom Fremd")
        partner = factories.account(
            db, "Pia Partner", municipality=factories.municipality(db, "Partnerhausen")
        )
        vorhaben = factories.vorhaben(db, owner, "Gemeinsam digital")
        cooperation.set_signal(db, one.app.state.settings, partner, vorhaben.id, "reuse", on=True)

    def dashboard_of(who: Account) -> tuple[str, str]:
        return _page_as(one, who, "/")

    renders = _count_renders(monkeypatch, "dashboard/_main.html")
    pages = [dashboard_of(owner) for _session in range(3)]
    assert len(renders) == 1  # the later sessions got the shared HTML
    for body, token in pages:
        forms = body.split('id="signale"')[1]
        assert "Partnerhausen" in forms and f'value="{token}"' in forms
        assert templating.CSRF_SLOT not in body
    assert len({token for _body, token in pages}) == 3
    assert "Partnerhausen" not in dashboard_of(stranger)[0]
    with unit_of_work(other.sessions) as db:  # seen in another process: gone at once
        board = dashboard.build(db, db.get(Account, owner.id) or owner)
        signal_id = board.open_signals[0].signal_id
        cooperation.acknowledge(db, db.get(Account, owner.id) or owner, signal_id, seen=True)
    assert "Keine offenen Signale anderer Kommunen." in dashboard_of(owner)[0]
