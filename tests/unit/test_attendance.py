"""Attendance targets by grade and settlement, the breach boundary, and the dispatch queue order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchhouse.domain.attendance import (
    QueueItem,
    attendance_status,
    attendance_target,
    order_queue,
)
from watchhouse.domain.values import Grade, Settlement
from watchhouse.policy import load_policy

pytestmark = pytest.mark.unit

TARGETS = load_policy().attendance_targets()
CREATED = datetime(2026, 5, 14, 21, 30, tzinfo=UTC)
FIFTEEN_MINUTES = timedelta(minutes=15)
TWENTY_MINUTES = timedelta(minutes=20)
ONE_SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("grade", "settlement", "expected"),
    [
        (Grade.EMERGENCY, Settlement.URBAN, timedelta(minutes=15)),
        (Grade.EMERGENCY, Settlement.RURAL, timedelta(minutes=20)),
        (Grade.PRIORITY, Settlement.URBAN, timedelta(minutes=60)),
        (Grade.PRIORITY, Settlement.RURAL, timedelta(minutes=60)),
        (Grade.SCHEDULED, Settlement.URBAN, timedelta(hours=48)),
        (Grade.SCHEDULED, Settlement.RURAL, timedelta(hours=48)),
        (Grade.RESOLUTION_WITHOUT_DEPLOYMENT, Settlement.URBAN, None),
        (Grade.RESOLUTION_WITHOUT_DEPLOYMENT, Settlement.RURAL, None),
    ],
)
def test_default_policy_attendance_target_by_grade_and_settlement(
    grade: Grade, settlement: Settlement, expected: timedelta | None
) -> None:
    assert attendance_target(grade, settlement, TARGETS) == expected


def test_default_policy_has_a_target_entry_for_every_grade() -> None:
    assert set(TARGETS) == set(Grade)


# --- the breach boundary -------------------------------------------------------


@pytest.mark.parametrize(
    ("settlement", "arrival_after", "breached"),
    [
        pytest.param(Settlement.URBAN, FIFTEEN_MINUTES - ONE_SECOND, False, id="urban-14:59"),
        pytest.param(Settlement.URBAN, FIFTEEN_MINUTES, False, id="urban-15:00"),
        pytest.param(Settlement.URBAN, FIFTEEN_MINUTES + ONE_SECOND, True, id="urban-15:01"),
        pytest.param(Settlement.RURAL, FIFTEEN_MINUTES + ONE_SECOND, False, id="rural-15:01"),
        pytest.param(Settlement.RURAL, TWENTY_MINUTES - ONE_SECOND, False, id="rural-19:59"),
        pytest.param(Settlement.RURAL, TWENTY_MINUTES, False, id="rural-20:00"),
        pytest.param(Settlement.RURAL, TWENTY_MINUTES + ONE_SECOND, True, id="rural-20:01"),
    ],
)
def test_grade_one_arrival_breaches_only_after_the_target(
    settlement: Settlement, arrival_after: timedelta, breached: bool
) -> None:
    target = attendance_target(Grade.EMERGENCY, settlement, TARGETS)
    arrived = CREATED + arrival_after
    status = attendance_status(
        created_at=CREATED, arrived_at=arrived, now=arrived + timedelta(hours=1), target=target
    )
    assert status.breached is breached
    assert status.attended is True
    assert status.elapsed == arrival_after


def test_arriving_exactly_on_fifteen_minutes_meets_grade_one_urban_target() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=CREATED + FIFTEEN_MINUTES,
        now=CREATED + timedelta(hours=2),
        target=FIFTEEN_MINUTES,
    )
    assert status.breached is False
    assert status.time_left == timedelta(0)
    assert status.deadline == CREATED + FIFTEEN_MINUTES


def test_arriving_fifteen_minutes_and_one_second_breaches_grade_one_urban_target() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=CREATED + FIFTEEN_MINUTES + ONE_SECOND,
        now=CREATED + timedelta(hours=2),
        target=FIFTEEN_MINUTES,
    )
    assert status.breached is True
    assert status.time_left == -ONE_SECOND


def test_arriving_exactly_on_twenty_minutes_meets_grade_one_rural_target() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=CREATED + TWENTY_MINUTES,
        now=CREATED + TWENTY_MINUTES,
        target=TWENTY_MINUTES,
    )
    assert status.breached is False


def test_not_yet_arrived_and_now_past_the_deadline_is_breached() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=None,
        now=CREATED + FIFTEEN_MINUTES + ONE_SECOND,
        target=FIFTEEN_MINUTES,
    )
    assert status.breached is True
    assert status.attended is False
    assert status.elapsed == FIFTEEN_MINUTES + ONE_SECOND
    assert status.time_left == -ONE_SECOND


def test_not_yet_arrived_and_now_exactly_on_the_deadline_is_not_yet_breached() -> None:
    status = attendance_status(
        created_at=CREATED, arrived_at=None, now=CREATED + FIFTEEN_MINUTES, target=FIFTEEN_MINUTES
    )
    assert status.breached is False
    assert status.time_left == timedelta(0)


def test_not_yet_arrived_and_within_the_target_shows_the_time_left() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=None,
        now=CREATED + timedelta(minutes=6, seconds=30),
        target=FIFTEEN_MINUTES,
    )
    assert status.breached is False
    assert status.attended is False
    assert status.time_left == timedelta(minutes=8, seconds=30)
    assert status.deadline == CREATED + FIFTEEN_MINUTES


def test_an_arrival_is_judged_at_arrival_not_at_now() -> None:
    status = attendance_status(
        created_at=CREATED,
        arrived_at=CREATED + timedelta(minutes=10),
        now=CREATED + timedelta(days=3),
        target=FIFTEEN_MINUTES,
    )
    assert status.breached is False
    assert status.elapsed == timedelta(minutes=10)
    assert status.time_left == timedelta(minutes=5)


def test_grade_four_has_no_target_so_never_breaches() -> None:
    status = attendance_status(
        created_at=CREATED, arrived_at=None, now=CREATED + timedelta(days=30), target=None
    )
    assert status.breached is False
    assert status.deadline is None
    assert status.time_left is None
    assert status.target is None
    assert status.elapsed == timedelta(days=30)
    assert status.attended is False


def test_grade_three_forty_eight_hours_boundary() -> None:
    target = attendance_target(Grade.SCHEDULED, Settlement.URBAN, TARGETS)
    assert target is not None
    on_time = attendance_status(
        created_at=CREATED, arrived_at=CREATED + timedelta(hours=48), now=CREATED, target=target
    )
    late = attendance_status(
        created_at=CREATED,
        arrived_at=CREATED + timedelta(hours=48, seconds=1),
        now=CREATED,
        target=target,
    )
    assert (on_time.breached, late.breached) == (False, True)


def test_times_in_london_summer_time_are_judged_in_utc() -> None:
    london = ZoneInfo("Europe/London")
    created = datetime(2026, 7, 1, 23, 50, tzinfo=london)  # 22:50 UTC
    arrived = datetime(2026, 7, 1, 23, 5, tzinfo=UTC)  # 00:05 BST on 2 July
    status = attendance_status(
        created_at=created, arrived_at=arrived, now=arrived, target=FIFTEEN_MINUTES
    )
    assert status.elapsed == FIFTEEN_MINUTES
    assert status.breached is False
    assert status.deadline == arrived


def test_arrival_before_creation_is_refused() -> None:
    with pytest.raises(ValueError, match="before the incident was created"):
        attendance_status(
            created_at=CREATED,
            arrived_at=CREATED - ONE_SECOND,
            now=CREATED,
            target=FIFTEEN_MINUTES,
        )


@pytest.mark.parametrize("naive", ["created_at", "arrived_at", "now"])
def test_naive_datetimes_are_refused_by_attendance_status(naive: str) -> None:
    times: dict[str, datetime] = {
        "created_at": CREATED,
        "arrived_at": CREATED + timedelta(minutes=5),
        "now": CREATED + timedelta(minutes=6),
    }
    times[naive] = times[naive].replace(tzinfo=None)
    with pytest.raises(ValueError, match=f"{naive} must carry a time zone"):
        attendance_status(**times, target=FIFTEEN_MINUTES)


# --- the dispatch queue ----------------------------------------------------------


NOW = datetime(2026, 5, 14, 22, 0, tzinfo=UTC)


def item(incident_id: int, grade: Grade, minutes_ago: float, target: timedelta | None) -> QueueItem:
    """A queue item created the given number of minutes before NOW."""
    return QueueItem(incident_id, grade, NOW - timedelta(minutes=minutes_ago), target)


def ids(items: list[QueueItem]) -> list[int]:
    """The incident ids in the order given."""
    return [i.incident_id for i in order_queue(items, NOW)]


def test_queue_puts_every_grade_one_before_any_grade_two() -> None:
    fresh_grade_one = item(1, Grade.EMERGENCY, 0, FIFTEEN_MINUTES)
    overdue_grade_two = item(2, Grade.PRIORITY, 300, timedelta(minutes=60))
    grade_three = item(3, Grade.SCHEDULED, 1, timedelta(hours=48))
    grade_four = item(4, Grade.RESOLUTION_WITHOUT_DEPLOYMENT, 500, None)
    assert ids([grade_four, grade_three, overdue_grade_two, fresh_grade_one]) == [1, 2, 3, 4]


def test_queue_orders_within_a_grade_by_least_time_left() -> None:
    # rural, 14 min ago: 6 min left; urban, 12 min ago: 3 min left; urban, 2 min ago: 13 min left
    rural = item(10, Grade.EMERGENCY, 14, TWENTY_MINUTES)
    urban_nearly_due = item(11, Grade.EMERGENCY, 12, FIFTEEN_MINUTES)
    urban_fresh = item(12, Grade.EMERGENCY, 2, FIFTEEN_MINUTES)
    assert ids([urban_fresh, rural, urban_nearly_due]) == [11, 10, 12]


def test_queue_puts_an_overdue_incident_before_one_still_in_time() -> None:
    overdue = item(20, Grade.PRIORITY, 75, timedelta(minutes=60))
    in_time = item(21, Grade.PRIORITY, 30, timedelta(minutes=60))
    assert ids([in_time, overdue]) == [20, 21]


def test_queue_breaks_a_tie_in_time_left_by_oldest_first() -> None:
    # Both are due at 22:05: the rural one was created first.
    rural_older = item(30, Grade.EMERGENCY, 15, TWENTY_MINUTES)
    urban_newer = item(31, Grade.EMERGENCY, 10, FIFTEEN_MINUTES)
    assert ids([urban_newer, rural_older]) == [30, 31]


def test_queue_orders_grade_four_without_targets_oldest_first() -> None:
    newer = item(40, Grade.RESOLUTION_WITHOUT_DEPLOYMENT, 5, None)
    older = item(41, Grade.RESOLUTION_WITHOUT_DEPLOYMENT, 50, None)
    assert ids([newer, older]) == [41, 40]


def test_queue_breaks_a_complete_tie_by_incident_id() -> None:
    a = item(51, Grade.PRIORITY, 5, timedelta(minutes=60))
    b = item(50, Grade.PRIORITY, 5, timedelta(minutes=60))
    assert ids([a, b]) == [50, 51]


def test_queue_of_nothing_is_empty() -> None:
    assert list(order_queue([], NOW)) == []


def test_queue_compares_created_times_in_different_zones_as_instants() -> None:
    london = ZoneInfo("Europe/London")
    # 21:50 UTC written as 22:50 BST, versus 21:55 UTC: the London one is older.
    older_in_london = QueueItem(
        60, Grade.PRIORITY, datetime(2026, 5, 14, 22, 50, tzinfo=london), None
    )
    newer_in_utc = QueueItem(61, Grade.PRIORITY, datetime(2026, 5, 14, 21, 55, tzinfo=UTC), None)
    assert [i.incident_id for i in order_queue([newer_in_utc, older_in_london], NOW)] == [60, 61]


def test_queue_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="now must carry a time zone"):
        order_queue([item(1, Grade.EMERGENCY, 1, FIFTEEN_MINUTES)], NOW.replace(tzinfo=None))


def test_queue_refuses_a_naive_created_time() -> None:
    naive = QueueItem(1, Grade.EMERGENCY, datetime(2026, 5, 14, 21, 55), FIFTEEN_MINUTES)
    with pytest.raises(ValueError, match="created_at must carry a time zone"):
        order_queue([naive], NOW)


def test_an_open_incident_timed_after_now_has_its_whole_target_left() -> None:
    status = attendance_status(
        created_at=CREATED, arrived_at=None, now=CREATED - ONE_SECOND, target=FIFTEEN_MINUTES
    )
    assert status.elapsed == timedelta(0)
    assert status.time_left == FIFTEEN_MINUTES
    assert status.breached is False
