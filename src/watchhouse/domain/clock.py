"""Time-zone rules: store in UTC, show in the force's local time (Europe/London by default).

The clock itself is never read here; callers pass the current time in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def require_aware(moment: datetime, name: str = "time") -> datetime:
    """Return the moment in UTC, refusing naive datetimes whose zone is unknown."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"{name} must carry a time zone (got naive {moment.isoformat()})")
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    """Convert an aware moment to the wall-clock time of the named zone."""
    return require_aware(moment).astimezone(ZoneInfo(zone))


def local_to_utc(wall_clock: datetime, zone: str) -> datetime:
    """Read a naive wall-clock time in the named zone as UTC.

    At the autumn change the hour 01:00-02:00 happens twice in London; fold=0
    (the first, still in summer time) is taken unless the caller sets fold=1.
    In the spring gap (01:00-02:00 does not exist) the time is moved forward
    by the gap, as zoneinfo does.
    """
    if wall_clock.tzinfo is not None:
        return require_aware(wall_clock)
    return wall_clock.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def format_local(moment: datetime | None, zone: str, fmt: str = "%d %b %Y %H:%M:%S %Z") -> str:
    """Format a stored UTC moment for display in local time; empty text for None."""
    if moment is None:
        return ""
    return to_local(moment, zone).strftime(fmt)
