"""A long discussion comes in pages of threads: the Vorhaben page shows the newest
PAGE_THREADS, the older ones load in place of a control (htmx) or as a page of their own (without
JavaScript), a reply stays with the comment it answers, and every link to a single comment
opens the page that holds it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.comments.threads import PAGE_THREADS as P
from app.config import Settings
from app.core import markdown
from app.core.clock import utcnow
from app.moderation import reports
from app.outbox.models import OutboxMessage
from tests import factories

HTMX = {"HX-Request": "true"}
N = 120  # top-level comments: six pages of twenty
OLD = 12  # the thread the links lead to: far below the newest page
REPLIED = N - P - 10  # the thread the newest comment answers: on the second page
WORD = "Quittenbaumschnitt"  # only in the old comment, for search


@dataclass
class Scene:
    vorhaben: int
    tops: list[Comment]  # N top-level comments, oldest first
    reply: Comment  # the newest comment of all, a reply to tops[REPLIED]
    talkers: list[factories.Account]
    replier: factories.Account

    def older(self, until: Comment) -> str:
        return f"/vorhaben/{self.vorhaben}/kommentare?bis={until.id}"


@pytest.fixture
def scene(db: Session) -> Scene:
    owner = factories.account(db, "Olga Owner")
    vorhaben = factories.vorhaben(db, owner, "Lange Diskussion")
    talkers = [factories.account(db, f"Talker {number}") for number in range(3)]
    start = utcnow() - dt.timedelta(days=2)
    tops = []
    for number in range(N):
        at = start + dt.timedelta(minutes=number)
        if number == OLD:  # through the service: indexed for search, its author follows
            body = f"Beitrag {number} zum {WORD}"
            top = factories.comment(db, talkers[number % 3], vorhaben, body)
            top.created_at = at
        else:  # the rest of the long discussion as rows (posting each took seconds)
            body = f"Beitrag {number}"
            top = Comment(
                vorhaben_id=vorhaben.id,
                author_id=talkers[number % 3].id,
                body=body,
                body_html=markdown.render(body),
                created_at=at,
            )
            db.add(top)
        tops.append(top)
    db.flush()
    replier = factories.account(db, "Rita Replier")
    # The newest comment of all answers an older thread (its author hears of it by mail).
    reply = factories.comment(db, replier, vorhaben, "Späte Antwort", parent=tops[REPLIED])
    return Scene(vorhaben.id, tops, reply, talkers, replier)


def _anchor(comment: Comment | int) -> str:
    return f'id="kommentar-{comment if isinstance(comment, int) else comment.id}"'


def _lands(client: TestClient, url: str, comment_id: int) -> None:
    """The link opens (through redirects) a page with the comment's anchor, and names it."""
    response = client.get(url, follow_redirects=False)
    address = url
    while response.status_code in (302, 303):
        address = response.headers["location"]
        response = client.get(address, follow_redirects=False)
    assert response.status_code == 200, address
    assert address.endswith(f"#kommentar-{comment_id}"), address
    assert _anchor(comment_id) in response.text, address


def test_the_vorhaben_page_shows_the_newest_threads_and_loads_older_ones(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, factories.account(db, "Lea Leserin"))
    page = client.get(f"/vorhaben/{scene.vorhaben}").text
    assert _anchor(scene.tops[N - 1]) in page and _anchor(scene.tops[N - P]) in page
    assert _anchor(scene.tops[N - P - 1]) not in page
    # Twenty threads, a few screens: the discussion was most of the most read page's time.
    assert sum(_anchor(top) in page for top in scene.tops) == 20
    # The newest comment of all answers an old thread: it stays there, not on top.
    assert _anchor(scene.reply) not in page
    older = scene.older(scene.tops[N - P - 1])
    assert f'hx-get="{older}"' in page and f'href="{older}#kommentare"' in page
    assert "Ältere Kommentare anzeigen" in page

    fragment = client.get(older, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    text = fragment.text
    shown = [top for top in scene.tops if _anchor(top) in text]
    assert shown == scene.tops[N - 2 * P : N - P]
    assert (
        text.index(_anchor(scene.tops[REPLIED]))
        < text.index(_anchor(scene.reply))
        < text.index(_anchor(scene.tops[REPLIED + 1]))
    )
    # The thread nearest to where the control was takes the focus.
    assert f'{_anchor(scene.tops[N - P - 1])} tabindex="-1" data-focus-after-swap' in text
    assert f'hx-get="{scene.older(scene.tops[N - 2 * P - 1])}"' in text
    oldest = client.get(scene.older(scene.tops[P - 1]), headers=HTMX).text
    assert [top for top in scene.tops if _anchor(top) in oldest] == scene.tops[:P]
    assert "Ältere Kommentare anzeigen" not in oldest


def test_without_javascript_older_comments_are_a_page_of_their_own(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, factories.account(db, "Lea Leserin"))
    page = client.get(scene.older(scene.tops[N - P - 1]))
    assert page.status_code == 200 and "<html" in page.text
    assert "<h1>Diskussion: Lange Diskussion</h1>" in page.text
    shown = [top for top in scene.tops if _anchor(top) in page.text]
    assert shown == scene.tops[N - 2 * P : N - P]
    # The P newer threads are the Vorhaben page's own; 2 P newer ones: the page between.
    assert f'href="/vorhaben/{scene.vorhaben}#kommentare">Neuere Kommentare' in page.text
    deeper = client.get(scene.older(scene.tops[N - 2 * P - 1])).text
    assert f'href="{scene.older(scene.tops[N - P - 1])}#kommentare">Neuere Kommentare' in deeper
    # One can answer there, as on the Vorhaben page.
    assert f'action="/vorhaben/{scene.vorhaben}/comments"' in page.text
    assert 'name="csrf_token"' in page.text

    bare = client.get(f"/vorhaben/{scene.vorhaben}/kommentare", follow_redirects=False)
    assert bare.status_code == 303
    assert bare.headers["location"] == f"/vorhaben/{scene.vorhaben}#kommentare"
    # Only a top-level comment of this Vorhaben names a page.
    other = factories.vorhaben(db, factories.account(db), "Anderes Vorhaben")
    foreign = factories.comment(db, scene.replier, other, "Anderswo")
    for until in (scene.reply, foreign):
        for headers in (HTMX, {}):
            assert client.get(scene.older(until), headers=headers).status_code == 404


def test_redirects_after_writing_lead_to_the_page_that_holds_the_comment(
    client: TestClient, db: Session, scene: Scene
) -> None:
    author = scene.talkers[OLD % 3]
    old = scene.tops[OLD]
    factories.login(client, db, author)
    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben}")
    posted = client.post(
        f"/vorhaben/{scene.vorhaben}/comments",
        data={"csrf_token": token, "body": "Nachtrag", "parent_id": str(old.id)},
        follow_redirects=False,
    )
    new_id = int(posted.headers["location"].rsplit("-", 1)[1])
    assert f"bis={old.id}#" in posted.headers["location"]
    _lands(client, posted.headers["location"], new_id)
    edited = client.post(
        f"/kommentare/{old.id}/bearbeiten",
        data={"csrf_token": token, "body": "Beitrag 12, neu gefasst"},
        follow_redirects=False,
    )
    _lands(client, edited.headers["location"], old.id)
    _lands(client, f"/kommentare/{old.id}", old.id)
    edit_page = client.get(f"/kommentare/{old.id}/bearbeiten").text
    history = client.get(f"/kommentare/{old.id}/verlauf").text
    for text in (edit_page, history):
        assert f'href="{scene.older(old)}#kommentar-{old.id}"' in text
    deleted = client.post(
        f"/kommentare/{old.id}/loeschen", data={"csrf_token": token}, follow_redirects=False
    )
    _lands(client, deleted.headers["location"], old.id)


def test_an_answer_with_htmx_in_an_old_thread_stays_in_sight(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.replier)
    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben}")
    response = client.post(
        f"/vorhaben/{scene.vorhaben}/comments",
        data={"csrf_token": token, "body": "Noch eine Antwort", "parent_id": str(scene.tops[5].id)},
        headers=HTMX,
    )
    assert response.status_code == 200
    answer = db.scalars(select(Comment).where(Comment.body == "Noch eine Antwort")).one()
    assert f'{_anchor(answer)} tabindex="-1" data-focus-after-swap' in response.text
    assert _anchor(scene.tops[5]) in response.text


def test_notifications_dashboard_and_mails_lead_to_an_old_comment(
    client: TestClient, db: Session, scene: Scene
) -> None:
    """The reply to an old thread notifies its author (and the followers)."""
    factories.login(client, db, scene.talkers[REPLIED % 3])
    listing = client.get("/benachrichtigungen").text
    href = f"{scene.older(scene.tops[REPLIED])}#kommentar-{scene.reply.id}"
    assert f'href="{href}"' in listing
    _lands(client, href, scene.reply.id)
    dashboard = client.get("/").text
    assert f'href="{href}"' in dashboard
    mails = [
        payload
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload["to"] == scene.talkers[REPLIED % 3].email and "Späte Antwort" in payload["text"]
    ]
    assert mails
    link = re.search(r"http://[^/\s]+(/kommentare/\d+)", mails[0]["text"])
    assert link is not None and link.group(1) == f"/kommentare/{scene.reply.id}"
    _lands(client, link.group(1), scene.reply.id)


def test_reports_search_and_the_audit_log_lead_to_an_old_comment(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    old = scene.tops[OLD]
    factories.login(client, db, scene.replier)
    form = client.get(f"/kommentare/{old.id}/melden").text
    assert f'href="{scene.older(old)}#kommentar-{old.id}"' in form
    token = factories.csrf_token(client, f"/kommentare/{old.id}/melden")
    reported = client.post(
        f"/kommentare/{old.id}/melden",
        data={"csrf_token": token, "category": "spam", "text": "Werbung"},
        follow_redirects=False,
    )
    assert reported.status_code == 303
    _lands(client, reported.headers["location"], old.id)

    hits = client.get("/suche", params={"q": WORD}).text
    assert "Treffer in einem Kommentar" in hits
    assert f'href="/kommentare/{old.id}"' in hits
    _lands(client, f"/kommentare/{old.id}", old.id)

    moderator = factories.account(db, "Moritz Moderator", role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    # The decision page shows the discussion around it: the page that holds it.
    decide = client.get(f"/moderation/reports/comment/{old.id}").text
    assert "<p>Beitrag 3</p>" in decide and "<p>Beitrag 119</p>" not in decide
    reports.decide(db, settings, moderator, "comment", old.id, "hide", "Werbung")
    audit = client.get("/moderation/audit").text
    assert f'href="/kommentare/{old.id}"' in audit
    # Hidden: only its author follows the link to it.
    assert client.get(f"/kommentare/{old.id}").status_code == 404
    factories.login(client, db, scene.talkers[OLD % 3])
    _lands(client, f"/kommentare/{old.id}", old.id)


def test_hidden_comments_on_an_older_page_are_their_authors_alone(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    moderator = factories.account(db, "Moritz Moderator", role=factories.Role.MODERATOR)
    number = N - P - 5  # on the second page
    hidden = scene.tops[number]
    reports.decide(db, settings, moderator, "comment", hidden.id, "hide", "Beleidigend")
    path = scene.older(scene.tops[N - P - 1])
    factories.login(client, db, scene.replier)
    for headers in (HTMX, {}):
        text = client.get(path, headers=headers).text
        assert _anchor(hidden) in text and f"Beitrag {number}<" not in text
        assert "Dieser Kommentar wurde von der Moderation ausgeblendet." in text
    factories.login(client, db, scene.talkers[number % 3])
    for headers in (HTMX, {}):
        text = client.get(path, headers=headers).text
        assert f"Beitrag {number}<" in text and "Ausgeblendet – nur Sie sehen" in text


def test_older_comments_of_a_restricted_vorhaben_stay_in_its_municipality(
    client: TestClient, db: Session
) -> None:
    home = factories.municipality(db, "Heimstadt")
    owner = factories.account(db, "Olga Owner", municipality=home)
    colleague = factories.account(db, "Carla Kollegin", municipality=home)
    vorhaben = factories.vorhaben(db, owner, "Internes Vorhaben", visibility="municipality")
    tops = [factories.comment(db, colleague, vorhaben, "Intern 0")]
    for number in range(1, 60):
        body = f"Intern {number}"
        tops.append(
            Comment(
                vorhaben_id=vorhaben.id,
                author_id=colleague.id,
                body=body,
                body_html=markdown.render(body),
                created_at=utcnow() + dt.timedelta(seconds=number),
            )
        )
    db.add_all(tops)
    db.flush()
    path = f"/vorhaben/{vorhaben.id}/kommentare?bis={tops[9].id}"
    factories.login(client, db, colleague)
    assert "Intern 9" in client.get(path, headers=HTMX).text  # the control
    assert "Intern 9" in client.get(path).text
    factories.login(client, db, factories.account(db, "Otto Outsider"))
    for headers in (HTMX, {}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and "Intern" not in response.text
    for state in (factories.AccountState.PENDING, factories.AccountState.SUSPENDED):
        factories.login(client, db, factories.account(db, state=state))
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 403) and "Intern" not in response.text
    client.cookies.clear()
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
