"""Turning a row's local times into UTC: formats, the clock changes, fallbacks and order.

A wall time in the hour the clocks go back happened twice. It is resolved, in this order: by
the row's UTC-offset column when the export has one; by the mapping's `ambiguous_times` when it
says `earlier` or `later` (or `reject`); otherwise (`infer`) by every other time in the row,
before and after it: of the readings that keep the row's times in order, the one that keeps
them closest together (the smallest span from first to last) is taken, the earlier reading
when two are equally close. A time that is impossible (before the time it must follow) is
replaced by the field's next fallback column, or dropped with a warning when the mapping
allows, or the row is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

# Each time, and the earlier times (nearest first) it must not precede. The incident's creation
# is not checked against the contact (systems round differently) but is ordered after it when
# an ambiguous time is inferred.
TIME_CHAIN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("presented_at", ()),
    ("answered_at", ("presented_at",)),
    ("ended_at", ("answered_at", "presented_at")),
    ("incident_created_at", ("presented_at",)),
    ("incident_deployed_at", ("incident_created_at",)),
    ("incident_arrived_at", ("incident_deployed_at", "incident_created_at")),
    ("incident_closed_at", ("incident_arrived_at", "incident_deployed_at", "incident_created_at")),
)
UNCHECKED_ORDER = frozenset({"incident_created_at"})
MOMENTS = {
    "presented_at": "the contact was presented",
    "answered_at": "answered",
    "ended_at": "ended",
    "incident_created_at": "the incident was created",
    "incident_deployed_at": "deployed",
    "incident_arrived_at": "arrived",
    "incident_closed_at": "closed",
}
MAX_AMBIGUOUS = 8
ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$")


@dataclass(frozen=True)
class TimeProblem:
    """A time refused (or dropped, when `dropped`): the field, its column, value and why."""

    field_name: str
    column: str
    value: str
    reason: str
    dropped: bool = False


@dataclass(frozen=True)
class _Reading:
    column: str
    value: str
    choices: tuple[datetime, ...]  # one, or two (earlier, later) in the repeated hour


@dataclass(frozen=True)
class TimeRules:
    """How one file's times are read."""

    zone: ZoneInfo
    formats: tuple[str, ...]
    ambiguous: str
    drop_when_bad: frozenset[str]


def parse_offset(value: str) -> timedelta | None:
    """A UTC offset such as +01:00, -0400, -4, UTC+1; None when it is not one."""
    match = _OFFSET.match(value.strip())
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -delta if sign == "-" else delta


class _Localiser:
    """Wall times to UTC in one zone, remembering each hour's offsets."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.hours: dict[tuple[int, int, int, int], tuple[timedelta, timedelta, bool]] = {}

    def choices(self, wall: datetime) -> tuple[datetime, ...] | None:
        """The UTC readings of a wall time: one, two (the clocks went back) or None (it does
        not exist: the clocks went forward)."""
        key = (wall.year, wall.month, wall.day, wall.hour)
        known = self.hours.get(key)
        if known is None:
            earlier = wall.replace(minute=30, second=0, microsecond=0, tzinfo=self.zone, fold=0)
            later = earlier.replace(fold=1)
            first, second = earlier.utcoffset(), later.utcoffset()
            assert first is not None and second is not None
            exists = earlier.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) == (
                earlier.replace(tzinfo=None)
            )
            known = (first, second, exists)
            self.hours[key] = known
        first, second, exists = known
        if first == second:
            return ((wall - first).replace(tzinfo=UTC),)
        if not exists:
            return None
        return ((wall - first).replace(tzinfo=UTC), (wall - second).replace(tzinfo=UTC))


class TimeReader:
    """Reads and orders the times of one file's rows."""

    def __init__(self, rules: TimeRules) -> None:
        self.rules = rules
        self.localiser = _Localiser(rules.zone)

    def read(
        self,
        candidates: Mapping[str, Sequence[tuple[str, str]]],
        offset: timedelta | None = None,
    ) -> tuple[dict[str, datetime | None], list[TimeProblem]]:
        """Each field's time in UTC from its (column, value) candidates, first non-empty
        first; with the problems (refusals, and drops when allowed)."""
        problems: list[TimeProblem] = []
        options: dict[str, list[_Reading]] = {}
        for name, _ in TIME_CHAIN:
            readings: list[_Reading] = []
            first_problem: TimeProblem | None = None
            for column, value in candidates.get(name, ()):
                if not value:
                    continue
                reading = self._reading(name, column, value, offset)
                if isinstance(reading, TimeProblem):
                    first_problem = first_problem or reading
                else:
                    readings.append(reading)
            if not readings and first_problem is not None:
                problems.append(self._refuse_or_drop(first_problem))
            options[name] = readings
        if any(not p.dropped for p in problems):
            return {}, problems
        chosen = {name: 0 for name, readings in options.items() if readings}
        while True:
            times = self._resolve({n: options[n][i] for n, i in chosen.items()}, problems)
            if times is None:
                return {}, problems
            violation = _first_violation(times)
            if violation is None:
                return {n: times.get(n) for n, _ in TIME_CHAIN}, problems
            name, before = violation
            reading = options[name][chosen[name]]
            if chosen[name] + 1 < len(options[name]):
                chosen[name] += 1
                continue
            problem = TimeProblem(
                name,
                reading.column,
                reading.value,
                f"{MOMENTS[name]} before {MOMENTS[before]} ({times[before]:%Y-%m-%d %H:%M:%S} UTC)",
            )
            problems.append(self._refuse_or_drop(problem))
            if not problems[-1].dropped:
                return {}, problems
            del chosen[name]

    def choices(
        self, name: str, column: str, value: str, offset: timedelta | None = None
    ) -> tuple[datetime, ...] | TimeProblem:
        """One value's UTC readings: one, or two (earlier, later) when it fell in the hour the
        clocks went back and neither the offset nor `ambiguous_times` settles it."""
        reading = self._reading(name, column, value, offset)
        return reading if isinstance(reading, TimeProblem) else reading.choices

    def _refuse_or_drop(self, problem: TimeProblem) -> TimeProblem:
        if problem.field_name in self.rules.drop_when_bad:
            return TimeProblem(
                problem.field_name,
                problem.column,
                problem.value,
                f"dropped (the row is kept): {problem.reason}",
                dropped=True,
            )
        return problem

    def _reading(
        self, name: str, column: str, value: str, offset: timedelta | None
    ) -> _Reading | TimeProblem:
        parsed = self._parse(value)
        if parsed is None:
            return TimeProblem(
                name, column, value, f"not a time in {' or '.join(self.rules.formats)}"
            )
        if parsed.tzinfo is not None:
            return _Reading(column, value, (parsed.astimezone(UTC),))
        choices = self.localiser.choices(parsed)
        zone = self.rules.zone.key
        if choices is None:
            return TimeProblem(
                name, column, value, f"does not exist in {zone}: the clocks went forward"
            )
        if len(choices) == 2:
            if offset is not None:
                fitting = [c for c in choices if parsed - c.replace(tzinfo=None) == offset]
                if len(fitting) == 1:
                    return _Reading(column, value, (fitting[0],))
            mode = self.rules.ambiguous
            if mode == "reject":
                return TimeProblem(
                    name, column, value, f"happened twice in {zone}: the clocks went back"
                )
            if mode == "earlier":
                choices = choices[:1]
            elif mode == "later":
                choices = choices[1:]
        return _Reading(column, value, choices)

    def _parse(self, value: str) -> datetime | None:
        for pattern in self.rules.formats:
            if pattern == ISO_SECONDS and len(value) == 19 and value[10] == " ":
                try:
                    return datetime.fromisoformat(value)
                except ValueError:
                    continue
            try:
                return datetime.strptime(value, pattern)
            except ValueError:
                continue
        return None

    def _resolve(
        self, readings: Mapping[str, _Reading], problems: list[TimeProblem]
    ) -> dict[str, datetime] | None:
        """Choose a reading for each time in the repeated hour, using every time in the row."""
        fixed = {n: r.choices[0] for n, r in readings.items() if len(r.choices) == 1}
        open_names = [n for n, r in readings.items() if len(r.choices) > 1]
        if not open_names:
            return fixed
        if len(open_names) > MAX_AMBIGUOUS:
            return {**fixed, **{n: readings[n].choices[0] for n in open_names}}
        best: tuple[int, timedelta] | None = None
        best_times = fixed
        for combination in product((0, 1), repeat=len(open_names)):
            times = dict(fixed)
            for name, pick in zip(open_names, combination, strict=True):
                times[name] = readings[name].choices[pick]
            score = (_disorder(times), max(times.values()) - min(times.values()))
            if best is None or score < best:
                best, best_times = score, times
        return best_times


def _first_violation(times: Mapping[str, datetime]) -> tuple[str, str] | None:
    """The first time that precedes the nearest earlier time it must follow, and that time."""
    for name, before_names in TIME_CHAIN:
        moment = times.get(name)
        if moment is None or name in UNCHECKED_ORDER:
            continue
        for before in before_names:
            earlier = times.get(before)
            if earlier is None:
                continue
            if moment < earlier:
                return name, before
            break
    return None


def _disorder(times: Mapping[str, datetime]) -> int:
    """How many times precede the nearest earlier time they should follow (creation included)."""
    count = 0
    for name, before_names in TIME_CHAIN:
        moment = times.get(name)
        if moment is None:
            continue
        for before in before_names:
            earlier = times.get(before)
            if earlier is not None:
                count += moment < earlier
                break
    return count
