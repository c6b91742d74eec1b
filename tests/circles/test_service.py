"""The circle workflow: created by site moderators with their first circle moderators,
joined by request (approved) or invitation (accepted), left at will, and every change an
audit event; the visibility rule follows the membership at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.circles import repository as circle_repository
from app.circles import service as circles
from app.circles.models import CircleMembership, CircleRole, MembershipState
from app.config import Settings
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.vorhaben import service as vorhaben_service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.visibility import can_see, visible_ids
from tests import factories


def _actions(db: Session, circle_id: int) -> list[tuple[str, int | None]]:
    return [
        (event.action, event.subject_id)
        for event in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "circle", AuditEvent.object_id == str(circle_id))
            .order_by(AuditEvent.id)
        )
    ]


def test_a_site_moderator_creates_a_circle_with_its_first_circle_moderators(
    db: Session,
) -> None:
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.MODERATOR)
    cdo = factories.account(db, "Carla CDO")
    form = circles.CircleForm(
        name="  CDO-Netzwerk ",
        description="**Rund 40** CDOs <script>x</script>",
        kind="network",
        listed=False,
        moderators=[str(cdo.id)],
    )
    circle = circles.create(db, staff, form)
    assert circle.name == "CDO-Netzwerk" and not circle.listed
    assert "<strong>Rund 40</strong>" in circle.description_html
    assert "<script>" not in circle.description_html
    row = circle_repository.membership(db, circle.id, cdo.id)
    assert row is not None and row.is_moderator
    assert _actions(db, circle.id) == [
        ("circle_created", None),
        ("circle_moderator_named", cdo.id),
    ]


def test_only_site_moderators_create_and_the_form_is_checked(db: Session) -> None:
    member = factories.account(db)
    staff = factories.account(db, role=factories.Role.MODERATOR)
    with pytest.raises(Forbidden):
        circles.create(db, member, circles.CircleForm(name="X", moderators=[str(member.id)]))
    applicant = factories.account(db, state=factories.AccountState.PENDING)
    with pytest.raises(ValidationFailed) as caught:
        circles.create(
            db,
            staff,
            circles.CircleForm(name=" ", kind="secret", moderators=[str(applicant.id), "x"]),
        )
    assert set(caught.value.errors) == {"name", "kind", "moderators"}
    with pytest.raises(ValidationFailed) as caught:
        circles.create(db, staff, circles.CircleForm(name="Ohne Moderation"))
    assert set(caught.value.errors) == {"moderators"}


def test_request_approve_invite_accept_leave(db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    asker = factories.account(db, "Arne Asker")
    guest = factories.account(db, "Gina Guest")
    circle = factories.circle(db, "AG Open Data", moderators=[lead])
    circles.request_to_join(db, asker, circle)
    with pytest.raises(Conflict):
        circles.request_to_join(db, asker, circle)
    with pytest.raises(Forbidden):  # only the circle's moderation decides
        circles.decide_request(db, guest, circle, asker.id, approve=True)
    circles.decide_request(db, lead, circle, asker.id, approve=True)
    assert circle_repository.active_circle_ids(db, asker.id) == {circle.id}
    with pytest.raises(Forbidden):  # a plain member does not invite
        circles.invite(db, asker, circle, guest.id)
    circles.invite(db, lead, circle, guest.id)
    assert circle_repository.active_circle_ids(db, guest.id) == set()  # not before accepting
    circles.accept_invitation(db, guest, circle)
    assert circle_repository.active_circle_ids(db, guest.id) == {circle.id}
    circles.leave(db, guest, circle)
    assert circle_repository.membership(db, circle.id, guest.id) is None
    assert _actions(db, circle.id) == [
        ("circle_join_requested", asker.id),
        ("circle_request_approved", asker.id),
        ("circle_member_invited", guest.id),
        ("circle_invitation_accepted", guest.id),
        ("circle_left", guest.id),
    ]


def test_declines_remove_the_row_and_are_audited(db: Session) -> None:
    lead = factories.account(db)
    asker = factories.account(db)
    guest = factories.account(db)
    circle = factories.circle(db, moderators=[lead])
    circles.request_to_join(db, asker, circle)
    circles.decide_request(db, lead, circle, asker.id, approve=False)
    circles.invite(db, lead, circle, guest.id)
    circles.decline_invitation(db, guest, circle)
    assert circle_repository.membership(db, circle.id, asker.id) is None
    assert circle_repository.membership(db, circle.id, guest.id) is None
    with pytest.raises(Conflict):
        circles.accept_invitation(db, guest, circle)
    assert [a for a, _ in _actions(db, circle.id)][-2:] == [
        "circle_member_invited",
        "circle_invitation_declined",
    ]


def test_an_unlisted_circle_takes_no_requests_and_hides_from_others(db: Session) -> None:
    lead = factories.account(db)
    other = factories.account(db)
    circle = factories.circle(db, "Geheimer Kreis", moderators=[lead], listed=False)
    with pytest.raises(NotFound):
        circle_repository.view(db, other, circle.id)
    with pytest.raises(NotFound):
        circles.request_to_join(db, other, circle)
    assert all(entry.circle.id != circle.id for entry in circle_repository.listing(db, other))
    circles.invite(db, lead, circle, other.id)
    assert circle_repository.view(db, other, circle.id).invited  # the invitee learns its name
    assert any(entry.circle.id == circle.id for entry in circle_repository.listing(db, other))


def test_the_last_circle_moderator_cannot_leave_or_step_down(db: Session) -> None:
    lead = factories.account(db)
    member = factories.account(db)
    circle = factories.circle(db, moderators=[lead], members=[member])
    with pytest.raises(Conflict):
        circles.leave(db, lead, circle)
    with pytest.raises(Conflict):
        circles.set_role(db, lead, circle, lead.id, CircleRole.MEMBER)
    circles.set_role(db, lead, circle, member.id, CircleRole.MODERATOR)
    circles.leave(db, lead, circle)
    row = circle_repository.membership(db, circle.id, member.id)
    assert row is not None and row.is_moderator
    assert ("circle_role_changed", member.id) in _actions(db, circle.id)


def test_a_circle_moderator_removes_a_member(db: Session) -> None:
    lead = factories.account(db)
    member = factories.account(db)
    circle = factories.circle(db, moderators=[lead], members=[member])
    with pytest.raises(Forbidden):
        circles.remove(db, member, circle, lead.id)
    circles.remove(db, lead, circle, member.id)
    assert circle_repository.membership(db, circle.id, member.id) is None
    assert ("circle_member_removed", member.id) in _actions(db, circle.id)


def test_membership_is_unique_per_circle_and_account(db: Session) -> None:
    lead = factories.account(db)
    circle = factories.circle(db, moderators=[lead])
    twice = CircleMembership(circle_id=circle.id, account_id=lead.id, state=MembershipState.ACTIVE)
    with db.begin_nested() as savepoint:
        db.add(twice)
        with pytest.raises(IntegrityError):
            db.flush()
        savepoint.rollback()
    assert circle_repository.active_circle_ids(db, lead.id) == {circle.id}


def test_the_visibility_rule_follows_the_membership_at_once(
    db: Session, settings: Settings
) -> None:
    """A member sees a circle's Vorhaben from the moment they are in, and not after they
    left; a colleague of the author outside the circle never does."""
    author = factories.account(db, "Anna Author")
    town = db.get(factories.Municipality, author.municipality_id)
    colleague = factories.account(db, "Kai Kollege", municipality=town)
    joiner = factories.account(db, "Jo Joiner")
    circle = factories.circle(db, moderators=[author])
    secret = factories.vorhaben(db, author, "Kreisvorhaben", visibility=f"circle:{circle.id}")
    assert secret.circle_id == circle.id
    assert visible_ids(db, author, {secret.id}) == {secret.id}
    assert visible_ids(db, colleague, {secret.id}) == set()
    assert not can_see(colleague, secret)
    assert visible_ids(db, joiner, {secret.id}) == set()
    circles.invite(db, author, circle, joiner.id)
    assert not can_see(joiner, secret)
    circles.accept_invitation(db, joiner, circle)
    assert visible_ids(db, joiner, {secret.id}) == {secret.id}
    assert can_see(joiner, secret)
    circles.leave(db, joiner, circle)
    assert visible_ids(db, joiner, {secret.id}) == set()
    assert not can_see(joiner, secret)
    form = vorhaben_service.form_from(vorhaben_service.get(db, author, secret.id))
    assert form.visibility == f"circle:{circle.id}"


def test_the_form_takes_only_a_circle_the_author_is_in(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    stranger = factories.account(db)
    mine = factories.circle(db, "Meiner", moderators=[author])
    theirs = factories.circle(db, "Fremder", moderators=[stranger])
    refused = (f"circle:{theirs.id}", "circle:999999", "circle:", "circle", "circle:x", "public")
    for value in refused:
        with pytest.raises(ValidationFailed) as caught:
            vorhaben_service.create(
                db, settings, author, VorhabenForm(title="Kreisidee", visibility=value)
            )
        assert "visibility" in caught.value.errors, value
    made = vorhaben_service.create(
        db, settings, author, VorhabenForm(title="Kreisidee", visibility=f"circle:{mine.id}")
    )
    assert made.circle_id == mine.id
    plain = vorhaben_service.create(
        db, settings, author, VorhabenForm(title="Partneridee", visibility="partners")
    )
    assert plain.circle_id is None and plain.visibility.value == "partners"
