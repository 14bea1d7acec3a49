"""Which step of an incident's life may follow which."""

from __future__ import annotations

import pytest

from watchhouse.domain.errors import Conflict
from watchhouse.domain.incident_flow import (
    Closure,
    IncidentStatus,
    check_arrival,
    check_close,
    check_deploy,
    initial_status,
)
from watchhouse.domain.values import Grade

pytestmark = pytest.mark.unit
S = IncidentStatus


@pytest.mark.parametrize(
    ("grade", "status"),
    [
        (Grade.EMERGENCY, S.OPEN),
        (Grade.PRIORITY, S.OPEN),
        (Grade.SCHEDULED, S.OPEN),
        (Grade.RESOLUTION_WITHOUT_DEPLOYMENT, S.AWAITING_RESOLUTION),
    ],
)
def test_grades_one_to_three_go_to_the_queue_and_four_awaits_resolution(grade, status) -> None:
    assert initial_status(grade) == status


@pytest.mark.parametrize("status", [S.OPEN, S.DEPLOYED])
def test_open_or_deployed_incident_can_be_deployed(status) -> None:
    assert check_deploy(status) == S.DEPLOYED


@pytest.mark.parametrize("status", [S.ATTENDED, S.CLOSED, S.AWAITING_RESOLUTION])
def test_attended_closed_or_grade_four_incident_cannot_be_deployed(status) -> None:
    with pytest.raises(Conflict):
        check_deploy(status)


def test_arrival_needs_a_deployed_unit() -> None:
    assert check_arrival(S.DEPLOYED) == S.ATTENDED
    for status in (S.OPEN, S.ATTENDED, S.CLOSED, S.AWAITING_RESOLUTION):
        with pytest.raises(Conflict):
            check_arrival(status)


@pytest.mark.parametrize("closure", [Closure.RESOLVED_AT_SCENE, Closure.CANCELLED])
def test_queue_incident_closes_with_a_dispatch_closure(closure) -> None:
    assert check_close(S.ATTENDED, closure) == S.CLOSED


def test_grade_four_closes_only_by_resolution_or_referral() -> None:
    assert check_close(S.AWAITING_RESOLUTION, Closure.REFERRED_TO_PARTNER) == S.CLOSED
    assert check_close(S.AWAITING_RESOLUTION, Closure.RESOLVED_WITHOUT_DEPLOYMENT) == S.CLOSED
    with pytest.raises(Conflict):
        check_close(S.AWAITING_RESOLUTION, Closure.RESOLVED_AT_SCENE)
    with pytest.raises(Conflict):
        check_close(S.OPEN, Closure.REFERRED_TO_PARTNER)


def test_closed_incident_cannot_close_again() -> None:
    with pytest.raises(Conflict):
        check_close(S.CLOSED, Closure.CANCELLED)
