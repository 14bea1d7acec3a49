"""The life of an incident: which step may follow which."""

from __future__ import annotations

from enum import StrEnum

from watchhouse.domain.errors import Conflict
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
