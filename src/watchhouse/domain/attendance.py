"""Attendance targets by grade and settlement, and whether an incident breached them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchhouse.domain.clock import require_aware
from watchhouse.domain.values import Grade, Settlement


@dataclass(frozen=True)
class GradeTarget:
    """The attendance target of one grade; None means the grade has no attendance."""

    urban: timedelta | None
    rural: timedelta | None


AttendanceTargets = Mapping[Grade, GradeTarget]


def attendance_target(
    grade: Grade,
    settlement: Settlement,
    targets: AttendanceTargets,
    *,
    domestic_abuse: bool = False,
    domestic_abuse_targets: Mapping[Grade, timedelta] | None = None,
) -> timedelta | None:
    """Return how long the grade allows from creation to first arrival, or None; domestic
    abuse may have a tighter target of its own for the grade (never a looser one)."""
    target = targets[grade]
    chosen = target.urban if settlement == Settlement.URBAN else target.rural
    tighter = (domestic_abuse_targets or {}).get(grade) if domestic_abuse else None
    if tighter is None or chosen is None:
        return chosen
    return min(chosen, tighter)


@dataclass(frozen=True)
class AttendanceStatus:
    """Where an incident stands against its attendance target at a moment."""

    target: timedelta | None
    deadline: datetime | None
    elapsed: timedelta
    time_left: timedelta | None
    breached: bool
    attended: bool
    # An open incident timed after now (clock skew, a future-dated import): by how much. Its
    # time left is then its whole target, which is no countdown; screens say so instead.
    future_by: timedelta | None = None


def attendance_status(
    *,
    created_at: datetime,
    arrived_at: datetime | None,
    now: datetime,
    target: timedelta | None,
) -> AttendanceStatus:
    """Judge an incident against its target; arriving exactly on the target meets it."""
    created = require_aware(created_at, "created_at")
    moment = require_aware(now, "now")
    if arrived_at is not None:
        end = require_aware(arrived_at, "arrived_at")
        if end < created:
            raise ValueError("arrival is before the incident was created")
    else:
        # An incident timed after now (clock skew, a future-dated import) has used no time yet.
        end = max(moment, created)
    elapsed = end - created
    if target is None:
        return AttendanceStatus(None, None, elapsed, None, False, arrived_at is not None)
    deadline = created + target
    return AttendanceStatus(
        target=target,
        deadline=deadline,
        elapsed=elapsed,
        time_left=target - elapsed,
        breached=elapsed > target,
        attended=arrived_at is not None,
        future_by=created - moment if arrived_at is None and created > moment else None,
    )


@dataclass(frozen=True)
class QueueItem:
    """What the dispatcher's queue needs to order one open incident."""

    incident_id: int
    grade: Grade
    created_at: datetime
    target: timedelta | None


def order_queue(items: Iterable[QueueItem], now: datetime) -> Sequence[QueueItem]:
    """Order open incidents by grade, then by least time left to target, then oldest first."""
    moment = require_aware(now, "now")

    def key(item: QueueItem) -> tuple[int, float, datetime, int]:
        created = require_aware(item.created_at, "created_at")
        if item.target is None:
            left = float("inf")
        else:
            left = (created + item.target - moment).total_seconds()
        return (int(item.grade), left, created, item.incident_id)

    return sorted(items, key=key)
