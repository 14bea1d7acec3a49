"""The life of an incident: which step may follow which."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Grade


class IncidentStatus(StrEnum):
    """Where an incident is in its life."""

    OPEN = "open"
    DEPLOYED = "deployed"
    ATTENDED = "attended"
    AWAITING_RESOLUTION = "awaiting_resolution"
    CLOSED = "closed"


class Closure(StrEnum):
    """How an incident ended."""

    RESOLVED_AT_SCENE = "resolved_at_scene"
    CRIME_RECORDED = "crime_recorded"
    NO_FURTHER_ACTION = "no_further_action"
    CANCELLED = "cancelled"
    RESOLVED_WITHOUT_DEPLOYMENT = "resolved_without_deployment"
    REFERRED_TO_PARTNER = "referred_to_partner"

    @property
    def label(self) -> str:
        """Human label."""
        return self.value.replace("_", " ").capitalize()


DISPATCH_CLOSURES = (
    Closure.RESOLVED_AT_SCENE,
    Closure.CRIME_RECORDED,
    Closure.NO_FURTHER_ACTION,
    Closure.CANCELLED,
)


def initial_status(grade: Grade) -> IncidentStatus:
    """Grades 1-3 go to the dispatch queue; grade 4 waits for the handler to resolve it."""
    return IncidentStatus.OPEN if grade.needs_deployment else IncidentStatus.AWAITING_RESOLUTION


def check_deploy(status: IncidentStatus) -> IncidentStatus:
    """Deploying needs an open incident (re-deploying a deployed one changes the unit)."""
    if status not in (IncidentStatus.OPEN, IncidentStatus.DEPLOYED):
        raise Conflict(f"cannot deploy to an incident that is {status.value.replace('_', ' ')}")
    return IncidentStatus.DEPLOYED


def check_arrival(status: IncidentStatus) -> IncidentStatus:
    """Recording arrival needs a deployed incident."""
    if status != IncidentStatus.DEPLOYED:
        raise Conflict(
            f"cannot record arrival at an incident that is {status.value.replace('_', ' ')}; "
            "deploy a unit first"
        )
    return IncidentStatus.ATTENDED


def check_close(status: IncidentStatus, closure: Closure) -> IncidentStatus:
    """Check a closure fits: only grade 4 resolution uses the no-deployment closures."""
    if status == IncidentStatus.CLOSED:
        raise Conflict("the incident is already closed")
    resolution = closure in (Closure.RESOLVED_WITHOUT_DEPLOYMENT, Closure.REFERRED_TO_PARTNER)
    if resolution != (status == IncidentStatus.AWAITING_RESOLUTION):
        raise Conflict(f"closure {closure.value!r} does not fit an incident that is {status.value}")
    return IncidentStatus.CLOSED


@dataclass(frozen=True)
class ClosureReason:
    """A reason code from the policy and the closures it may explain."""

    code: str
    label: str
    closures: frozenset[Closure]


class ClosureAuthority(StrEnum):
    """On whose authority an urgent incident was cancelled."""

    SUPERVISOR = "supervisor"
    RATIONALE = "rationale"


_CRIME_REFERENCE = re.compile(r"^\s*(?:CR)?0*(\d{1,12})\s*$", re.IGNORECASE)


def parse_crime_reference(text: str) -> int:
    """The crime id in a reference such as CR0000042 (or 42)."""
    found = _CRIME_REFERENCE.match(text)
    if not found or int(found.group(1)) == 0:
        raise ValidationFailed.one(
            "crime_reference", "give the reference of the crime recorded, e.g. CR0000042"
        )
    return int(found.group(1))


def check_closure_decision(
    *,
    grade: Grade,
    closure: Closure,
    reason: ClosureReason | None,
    rationale: str,
    by_supervisor: bool,
    grades_needing_authority: frozenset[Grade],
) -> ClosureAuthority | None:
    """Check a closure has a reason that fits it, and that cancelling an urgent incident has a
    supervisor's authority or a recorded rationale; return that authority (None when not
    needed)."""
    if reason is None:
        raise ValidationFailed.one("reason", "choose the reason for closing the incident")
    if closure not in reason.closures:
        raise ValidationFailed.one(
            "reason", f"{reason.label!r} is not a reason for closing as {closure.label.lower()}"
        )
    if closure != Closure.CANCELLED or grade not in grades_needing_authority:
        return None
    if by_supervisor:
        return ClosureAuthority.SUPERVISOR
    if not rationale.strip():
        raise ValidationFailed.one(
            "rationale",
            f"cancelling a grade {int(grade)} needs a supervisor, or record why it is safe to",
        )
    return ClosureAuthority.RATIONALE


ATTENDING_ROLES = frozenset({Role.OFFICER, Role.NEIGHBOURHOOD_OFFICER, Role.SUPERVISOR})
# Roles whose own arrival is the attendance: the queue and incident page record them without
# asking who attended. A supervisor may attend too, but often works the queue from the control
# room, so their forms ask who attended (themselves among the choices).
SELF_ATTENDING_ROLES = frozenset({Role.OFFICER, Role.NEIGHBOURHOOD_OFFICER})


def check_attending_officer(role: Role | None, *, active: bool) -> None:
    """The person recorded as attending must be an active officer (or supervisor)."""
    if role is None or not active or role not in ATTENDING_ROLES:
        raise ValidationFailed.one(
            "attending_officer", "choose the officer who attended (an active officer's account)"
        )
