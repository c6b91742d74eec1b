"""The stage state machine (ARCHITECTURE.md rule 7): the table STAGE_TRANSITIONS,
one check, and the one verb that takes a step, writing the timeline and the audit log."""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.core.errors import ValidationFailed
from app.i18n import gettext as _
from app.vorhaben.models import Stage, StageChange, Vorhaben


class Transition(enum.StrEnum):
    """The kinds of step on the stage timeline (recorded in the audit log)."""

    ADVANCE = "advance"
    STEP_BACK = "step_back"
    COMPLETE = "complete"
    STOP = "stop"
    REVIVE = "revive"


# The stage state machine: projects move forward (skipping is fine), step back when a pilot
# shows the concept was not ripe, end as finished or stopped, and may be revived. Every
# allowed step is listed with its kind; anything not listed is refused.
STAGE_TRANSITIONS: dict[Stage, dict[Stage, Transition]] = {
    Stage.IDEE: {
        Stage.KONZEPT: Transition.ADVANCE,
        Stage.PILOT: Transition.ADVANCE,
        Stage.UMSETZUNG: Transition.ADVANCE,
        Stage.EINGESTELLT: Transition.STOP,
    },
    Stage.KONZEPT: {
        Stage.IDEE: Transition.STEP_BACK,
        Stage.PILOT: Transition.ADVANCE,
        Stage.UMSETZUNG: Transition.ADVANCE,
        Stage.EINGESTELLT: Transition.STOP,
    },
    Stage.PILOT: {
        Stage.KONZEPT: Transition.STEP_BACK,
        Stage.UMSETZUNG: Transition.ADVANCE,
        Stage.BETRIEB: Transition.ADVANCE,
        Stage.ABGESCHLOSSEN: Transition.COMPLETE,
        Stage.EINGESTELLT: Transition.STOP,
    },
    Stage.UMSETZUNG: {
        Stage.PILOT: Transition.STEP_BACK,
        Stage.BETRIEB: Transition.ADVANCE,
        Stage.ABGESCHLOSSEN: Transition.COMPLETE,
        Stage.EINGESTELLT: Transition.STOP,
    },
    Stage.BETRIEB: {
        Stage.UMSETZUNG: Transition.STEP_BACK,
        Stage.ABGESCHLOSSEN: Transition.COMPLETE,
        Stage.EINGESTELLT: Transition.STOP,
    },
    Stage.ABGESCHLOSSEN: {Stage.BETRIEB: Transition.REVIVE},
    Stage.EINGESTELLT: {Stage.IDEE: Transition.REVIVE, Stage.KONZEPT: Transition.REVIVE},
}


def next_stages(current: Stage) -> list[Stage]:
    """The stages a Vorhaben in this stage may move to, in the order of the stages."""
    order = list(Stage)
    return sorted(STAGE_TRANSITIONS[current], key=order.index)


def transition(current: Stage, target: Stage) -> Transition:
    """The kind of step from one stage to another, or a field error if it is not allowed."""
    kind = STAGE_TRANSITIONS[current].get(target)
    if kind is None:
        raise ValidationFailed(
            {
                "stage": _(
                    "Von „%(current)s“ geht es nicht direkt nach „%(target)s“.",
                    current=_(current.label),
                    target=_(target.label),
                )
            }
        )
    return kind


def begin(db: Session, vorhaben: Vorhaben, actor: Account) -> StageChange:
    """The first entry of a new Vorhaben's timeline (its creation is not a transition)."""
    step = StageChange(
        vorhaben_id=vorhaben.id, from_stage=None, to_stage=vorhaben.stage, actor_id=actor.id
    )
    db.add(step)
    return step


def move(db: Session, vorhaben: Vorhaben, target: Stage, actor: Account) -> StageChange:
    """Take one allowed step: the new stage, a timeline entry and an audit event together."""
    previous = vorhaben.stage
    kind = transition(previous, target)
    vorhaben.stage = target
    step = StageChange(
        vorhaben_id=vorhaben.id, from_stage=previous, to_stage=target, actor_id=actor.id
    )
    db.add(step)
    audit.record(
        db,
        "vorhaben_stage_changed",
        actor_id=actor.id,
        object_type="vorhaben",
        object_id=vorhaben.id,
        from_stage=previous.value,
        to_stage=target.value,
        transition=kind.value,
    )
    return step
