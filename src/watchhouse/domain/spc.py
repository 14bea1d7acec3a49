"""Statistical process control: XmR (individuals and moving range) charts and the rules UK
police analysts use to tell a real change (special cause) from the month-to-month noise
(common cause). Pure: the values, the baseline and the rules are passed in.

Natural process limits are the mean of the baseline points plus or minus 2.66 times their
mean moving range (2.66 = 3 / d2, d2 = 1.128 for ranges of two points). The rules:

- a point outside the natural process limits;
- a run of `run_length` (8 by default) or more consecutive points on one side of the centre
  line (a point exactly on the centre line ends a run);
- `trend_length` (6 by default) consecutive points each higher (or each lower) than the one
  before: a steady rise or fall (an equal pair ends the trend);
- optionally, two of three consecutive points beyond two sigma on the same side (sigma =
  mean moving range / 1.128, so two sigma is two thirds of the way to the limit).

Missing values (an empty month) are gaps: they take no part in the limits, and runs and
trends are read across them over the points that are present.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

LIMIT_FACTOR = 2.66
RANGE_LIMIT_FACTOR = 3.268
D2 = 1.128


class Signal(StrEnum):
    """A special-cause rule a point breaks."""

    OUTSIDE_LIMITS = "outside_limits"
    RUN = "run"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"

    @property
    def label(self) -> str:
        """Plain words for the rule, e.g. 'a run on one side of the centre line'."""
        return _SIGNAL_LABELS[self]


_SIGNAL_LABELS = {
    Signal.OUTSIDE_LIMITS: "a point outside the natural process limits",
    Signal.RUN: "a run on one side of the centre line",
    Signal.TREND: "a steady rise or fall",
    Signal.TWO_OF_THREE: "two of three points near a limit",
}


class Variation(StrEnum):
    """How to read the latest point of a chart."""

    IMPROVEMENT = "special-cause improvement"
    CONCERN = "special-cause concern"
    SPECIAL = "special-cause variation"  # for a measure that is neither better up nor down
    COMMON = "common-cause variation"
    TOO_FEW = "too few points"


@dataclass(frozen=True)
class SpcRules:
    """Which special-cause rules apply, and how long runs and trends must be."""

    run_length: int = 8
    trend_length: int = 6
    two_of_three: bool = True
    min_points: int = 6

    def __post_init__(self) -> None:
        """Refuse rules that cannot be read."""
        if self.run_length < 2:
            raise ValueError(f"run_length must be at least 2, got {self.run_length}")
        if self.trend_length < 3:
            raise ValueError(f"trend_length must be at least 3, got {self.trend_length}")
        if self.min_points < 2:
            raise ValueError(f"min_points must be at least 2, got {self.min_points}")


@dataclass(frozen=True)
class XmRPoint:
    """One point on the chart: its value, moving range from the previous present point, and
    the rules it breaks with the direction of each (+1 high, -1 low)."""

    label: str
    value: float | None
    moving_range: float | None
    signals: frozenset[Signal]
    direction: int  # +1 if the special cause is high, -1 if low, 0 if none

    @property
    def special(self) -> bool:
        """True if any rule flags this point."""
        return bool(self.signals)


@dataclass(frozen=True)
class XmRChart:
    """Centre line, natural process limits and the points; limits are None with too few
    points in the baseline."""

    points: tuple[XmRPoint, ...]
    centre: float | None
    upper: float | None
    lower: float | None
    mean_moving_range: float | None
    upper_range_limit: float | None
    baseline_labels: tuple[str, ...]
    rules: SpcRules

    @property
    def has_limits(self) -> bool:
        """True when there were enough baseline points to draw limits."""
        return self.centre is not None

    @property
    def sigma(self) -> float | None:
        """The estimated standard deviation: mean moving range / 1.128."""
        return None if self.mean_moving_range is None else self.mean_moving_range / D2


def _moving_ranges(values: Sequence[float | None]) -> list[float | None]:
    ranges: list[float | None] = []
    previous: float | None = None
    for value in values:
        if value is None:
            ranges.append(None)
            continue
        ranges.append(None if previous is None else abs(value - previous))
        previous = value
    return ranges


def _mark(flags: list[dict[Signal, int]], indexes: Sequence[int], signal: Signal, way: int) -> None:
    for index in indexes:
        flags[index].setdefault(signal, way)


def _runs(
    present: list[int], values: Sequence[float | None], centre: float, length: int
) -> list[tuple[list[int], int]]:
    found: list[tuple[list[int], int]] = []
    run: list[int] = []
    side = 0
    for index in [*present, -1]:
        value = values[index] if index >= 0 else None
        here = 0 if value is None else (1 if value > centre else -1 if value < centre else 0)
        if here != 0 and here == side:
            run.append(index)
            continue
        if side != 0 and len(run) >= length:
            found.append((run, side))
        run, side = ([index], here) if here != 0 else ([], 0)
    return found


def _trends(
    present: list[int], values: Sequence[float | None], length: int
) -> list[tuple[list[int], int]]:
    found: list[tuple[list[int], int]] = []
    run: list[int] = present[:1]
    way = 0
    for previous, index in pairwise(present):
        before, now = values[previous], values[index]
        assert before is not None and now is not None
        step = 1 if now > before else -1 if now < before else 0
        if step != 0 and step == way:
            run.append(index)
            continue
        if way != 0 and len(run) >= length:
            found.append((run, way))
        run, way = ([previous, index], step) if step != 0 else ([index], 0)
    if way != 0 and len(run) >= length:
        found.append((run, way))
    return found


def xmr_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    rules: SpcRules,
    baseline: tuple[int, int] | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> XmRChart:
    """An XmR chart of the values (in time order), with limits from the baseline points
    (`baseline` = (first, end) indexes, end exclusive; None for every point). Limits beyond
    what the measure can take (`floor`, `ceiling`: 0 for a time, 0 and 1 for a share) are
    drawn at that bound."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels")
    first, end = baseline if baseline is not None else (0, len(values))
    if not 0 <= first < end <= len(values):
        raise ValueError(f"baseline {first}..{end} is not within the {len(values)} points")
    ranges = _moving_ranges(values)
    base_values = [v for v in values[first:end] if v is not None]
    # a moving range belongs to the baseline when both its points do
    base_present = [i for i in range(first, end) if values[i] is not None]
    base_ranges = [ranges[i] for i in base_present[1:]]
    flags: list[dict[Signal, int]] = [{} for _ in values]
    centre = upper = lower = mean_range = range_limit = None
    if len(base_values) >= rules.min_points:
        centre = sum(base_values) / len(base_values)
        usable = [r for r in base_ranges if r is not None]
        mean_range = sum(usable) / len(usable)
        upper = centre + LIMIT_FACTOR * mean_range
        lower = centre - LIMIT_FACTOR * mean_range
        if ceiling is not None:
            upper = min(upper, ceiling)
        if floor is not None:
            lower = max(lower, floor)
        range_limit = RANGE_LIMIT_FACTOR * mean_range
        _apply_rules(values, flags, rules, centre, upper, lower, mean_range)
    points = tuple(
        XmRPoint(
            label=labels[i],
            value=values[i],
            moving_range=ranges[i],
            signals=frozenset(flags[i]),
            direction=_direction(flags[i]),
        )
        for i in range(len(values))
    )
    return XmRChart(
        points=points,
        centre=centre,
        upper=upper,
        lower=lower,
        mean_moving_range=mean_range,
        upper_range_limit=range_limit,
        baseline_labels=tuple(labels[i] for i in base_present),
        rules=rules,
    )


def _apply_rules(
    values: Sequence[float | None],
    flags: list[dict[Signal, int]],
    rules: SpcRules,
    centre: float,
    upper: float,
    lower: float,
    mean_range: float,
) -> None:
    present = [i for i, v in enumerate(values) if v is not None]
    for i in present:
        value = values[i]
        assert value is not None
        if value > upper:
            _mark(flags, [i], Signal.OUTSIDE_LIMITS, 1)
        elif value < lower:
            _mark(flags, [i], Signal.OUTSIDE_LIMITS, -1)
    for run, side in _runs(present, values, centre, rules.run_length):
        _mark(flags, run, Signal.RUN, side)
    for run, way in _trends(present, values, rules.trend_length):
        _mark(flags, run, Signal.TREND, way)
    if rules.two_of_three and mean_range > 0:
        two_sigma = 2 * mean_range / D2
        for window in zip(present, present[1:], present[2:], strict=False):
            for side in (1, -1):
                beyond = [
                    i
                    for i in window
                    if (v := values[i]) is not None and side * (v - centre) > two_sigma
                ]
                if len(beyond) >= 2:
                    _mark(flags, beyond, Signal.TWO_OF_THREE, side)


def _direction(flags: dict[Signal, int]) -> int:
    if not flags:
        return 0
    # the strongest rule decides when rules disagree (a fall inside a high run, say)
    for signal in (Signal.OUTSIDE_LIMITS, Signal.TWO_OF_THREE, Signal.RUN, Signal.TREND):
        if signal in flags:
            return flags[signal]
    return 0  # pragma: no cover - every Signal is listed above


def baseline_of(count: int, points: int) -> tuple[int, int] | None:
    """The baseline (first, end) made of the first `points` of `count` (0: every point)."""
    if points <= 0 or points >= count:
        return None
    return (0, points)


def latest_variation(chart: XmRChart, *, higher_is_better: bool | None) -> Variation:
    """How to read the last present point: a special-cause improvement or concern (or just
    special cause for a measure that is neither), common cause, or too few points."""
    if not chart.has_limits:
        return Variation.TOO_FEW
    present = [p for p in chart.points if p.value is not None]
    if not present:
        return Variation.TOO_FEW
    return point_variation(present[-1], higher_is_better=higher_is_better)


def point_variation(point: XmRPoint, *, higher_is_better: bool | None) -> Variation:
    """How to read one point: special-cause improvement or concern (or just special cause for
    a measure that is neither better up nor down), or common cause."""
    if not point.special:
        return Variation.COMMON
    if higher_is_better is None:
        return Variation.SPECIAL
    good = point.direction > 0 if higher_is_better else point.direction < 0
    return Variation.IMPROVEMENT if good else Variation.CONCERN


def earlier_special(
    chart: XmRChart, *, higher_is_better: bool | None
) -> tuple[tuple[Variation, int], ...]:
    """The special-cause points before the latest present one, counted by reading (the chart
    colours them all; the latest alone is what `latest_variation` reads)."""
    if not chart.has_limits:
        return ()
    present = [p for p in chart.points if p.value is not None][:-1]
    counted: dict[Variation, int] = {}
    for point in present:
        reading = point_variation(point, higher_is_better=higher_is_better)
        if reading is not Variation.COMMON:
            counted[reading] = counted.get(reading, 0) + 1
    order = (Variation.CONCERN, Variation.IMPROVEMENT, Variation.SPECIAL)
    return tuple((v, counted[v]) for v in order if v in counted)
