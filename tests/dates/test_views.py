"""Where dates show: the Vorhaben page (upcoming first, the past folded away) and the
dashboard's "Nächste Termine" of the Vorhaben a member follows or wrote, only as far as
the member may see them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.dates import service as dates
from app.dates.forms import TerminForm
from app.vorhaben import cooperation
from app.vorhaben.models import Visibility, Vorhaben
from tests import factories


def _date(db: Session, who: factories.Account, vorhaben: Vorhaben, title: str, day: str) -> None:
    dates.add(db, who, vorhaben.id, TerminForm(title=title, start_date=day))


def test_the_vorhaben_page_shows_upcoming_dates_first_and_folds_the_past(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner)
    _date(db, owner, vorhaben, "Später", "2027-09-01")
    _date(db, owner, vorhaben, "Bald", "2027-01-20")
    _date(db, owner, vorhaben, "Vorbei", "2026-10-01")
    factories.login(client, db, factories.account(db))
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    section = page.split('id="termine"')[1].split("</section>")[0]
    upcoming, past = section.split("<details>")
    assert upcoming.index("Bald") < upcoming.index("Später")
    assert "Vorbei" not in upcoming
    assert "Vergangene Termine (1)" in past and "Vorbei" in past


def test_the_dashboard_lists_the_next_dates_the_member_may_see(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db)
    own = factories.vorhaben(db, member, "Eigenes Vorhaben")
    _date(db, member, own, "Eigener Workshop", "2027-02-01")
    _date(db, member, own, "Längst vorbei", "2026-01-01")
    other = factories.account(db)
    followed = factories.vorhaben(db, other, "Gefolgtes Vorhaben")
    _date(db, other, followed, "Gefolgtes Treffen", "2027-01-15")
    _date(db, other, factories.vorhaben(db, other, "Fremd"), "Fremdes Treffen", "2027-01-10")
    cooperation.set_follow(db, member, followed.id, on=True)
    factories.login(client, db, member)
    board = client.get("/").text
    section = board.split('id="termine"')[1].split("</section>")[0]
    assert "Nächste Termine" in board
    assert section.index("Gefolgtes Treffen") < section.index("Eigener Workshop")
    assert "Fremdes Treffen" not in section and "Längst vorbei" not in section
    followed.visibility = Visibility.MUNICIPALITY  # restricted: gone for other municipalities
    db.flush()
    section = client.get("/").text.split('id="termine"')[1].split("</section>")[0]
    assert "Gefolgtes Treffen" not in section and "Eigener Workshop" in section
