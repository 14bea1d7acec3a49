"""Plain-English commentary written from the numbers: what a measure did this period, whether
that is a real change or normal variation, how it compares with the same period last year, and
whether it meets its target. Pure: every number is passed in.

"999 calls answered within 10 seconds rose to 91.0% in May 2024 (from 88.2%), a special-cause
improvement. Same month last year: 86.5%. Target 90.0%: meets."
"""

from __future__ import annotations

from dataclasses import dataclass

from watchhouse.domain.spc import Variation

# Units as the measures catalogue names them (analytics.catalogue.Unit values).
SHARE, SECONDS, MINUTES, COUNT = "share", "seconds", "minutes", "count"
HOURS = "hours"
KNOWN_UNITS = frozenset({SHARE, SECONDS, MINUTES, COUNT, HOURS})


def format_value(value: float | None, unit: str) -> str:
    """A value as people read it: 91.0% for a share, 12.3 s, 45.2 min, 1,234."""
    if value is None:
        return "no data"
    if unit == SHARE:
        return f"{value * 100:.1f}%"
    if unit == SECONDS:
        return f"{value:,.1f} s"
    if unit == MINUTES:
        return f"{value:,.1f} min"
    if unit == HOURS:
        return f"{value:,.1f} h"
    if unit == COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(KNOWN_UNITS)}")


def format_change(current: float, before: float, unit: str) -> str:
    """The difference between two values: +2.8 points for shares, -3.1 s, +120."""
    difference = current - before
    if unit == SHARE:
        return f"{difference * 100:+.1f} points"
    if unit == SECONDS:
        return f"{difference:+,.1f} s"
    if unit == MINUTES:
        return f"{difference:+,.1f} min"
    if unit == HOURS:
        return f"{difference:+,.1f} h"
    return f"{difference:+,.0f}" if float(difference).is_integer() else f"{difference:+,.1f}"


@dataclass(frozen=True)
class MeasureFacts:
    """Everything the commentary on one measure for one period is written from."""

    title: str
    unit: str
    period_name: str  # "May 2024", "the week of 6 May 2024"
    same_period_name: str  # "Same month last year", "Same week last year"
    current: float | None
    previous: float | None
    last_year: float | None
    variation: Variation
    target: float | None = None
    target_status: str | None = None  # "meets" | "approaches" | "misses" | "no data"


def _movement(facts: MeasureFacts) -> str:
    current = format_value(facts.current, facts.unit)
    if facts.previous is None:
        return f"{facts.title} was {current} in {facts.period_name}"
    before = format_value(facts.previous, facts.unit)
    if current == before:
        return f"{facts.title} held at {current} in {facts.period_name}"
    assert facts.current is not None
    verb = "rose" if facts.current > facts.previous else "fell"
    return f"{facts.title} {verb} to {current} in {facts.period_name} (from {before})"


def _reading(variation: Variation) -> str:
    if variation is Variation.COMMON:
        return "within normal variation"
    if variation is Variation.TOO_FEW:
        return "too few points yet to tell real change from normal variation"
    return f"a {variation.value}"


def commentary(facts: MeasureFacts) -> str:
    """The sentences on one measure: movement and its reading, last year, the target."""
    if facts.current is None:
        text = f"{facts.title}: no data for {facts.period_name}."
    else:
        text = f"{_movement(facts)}, {_reading(facts.variation)}."
    if facts.last_year is not None:
        line = f" {facts.same_period_name}: {format_value(facts.last_year, facts.unit)}"
        if facts.current is not None:
            line += f" ({format_change(facts.current, facts.last_year, facts.unit)})"
        text += line + "."
    if facts.target is not None and facts.target_status:
        status = facts.target_status
        text += f" Target {format_value(facts.target, facts.unit)}: {status}."
    return text


def headline(facts: list[MeasureFacts]) -> str:
    """One sentence for the front page: how many measures meet, approach or miss target, and
    how many show special-cause change at their latest point (earlier special-cause points
    are coloured on the charts and counted on each tile, not here)."""
    counted = {"meets": 0, "approaches": 0, "misses": 0}
    for fact in facts:
        if fact.target_status in counted:
            counted[fact.target_status] += 1
    better = sum(1 for f in facts if f.variation is Variation.IMPROVEMENT)
    worse = sum(1 for f in facts if f.variation is Variation.CONCERN)
    parts = [
        f"{counted['meets']} of {len(facts)} headline measures meet their target",
        f"{counted['approaches']} approach it",
        f"{counted['misses']} miss it",
    ]
    return (
        ", ".join(parts[:-1])
        + f" and {parts[-1]}; "
        + f"at the latest point, {_count(better, 'special-cause improvement')} and "
        + f"{_count(worse, 'special-cause concern')}."
    )


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
