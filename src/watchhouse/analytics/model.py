"""The vocabulary of measures: periods, cuts, units, definitions, values and targets (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Period(StrEnum):
    """How time is cut: every period is in the force's local time (Europe/London)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    ROLLING_12 = "rolling_12"


class Cut(StrEnum):
    """What else a measure can be broken down by."""

    FORCE = "force"
    NEIGHBOURHOOD = "neighbourhood"
    CHANNEL = "channel"
    GRADE = "grade"
    CRIME_GROUP = "crime_group"  # investigations and outcomes only (charge rate by crime group)
    TEAM = "team"  # quality audits only: the team whose work it was, as it stood when sampled
    # 999 and 101 answer measures only: the source of the times (per-call telephony records,
    # interval statistics, or the contacts' own times), see analytics/measures/facts.py
    ANSWER_SOURCE = "answer_source"
    # data.police.uk measures only: the force whose published file a row came from
    PUBLISHED_FORCE = "published_force"


class Unit(StrEnum):
    """What a measure's value is."""

    SHARE = "share"  # 0..1, shown as %
    SECONDS = "seconds"
    MINUTES = "minutes"
    COUNT = "count"
    HOURS = "hours"


class Kind(StrEnum):
    """How a measure's records are aggregated into a value."""

    SHARE = "share"  # value = sum(num) / sum(den); records carry 0/1 flags
    MEAN = "mean"  # value = sum(x) / count(x)
    COUNT = "count"  # value = count of records
    QUANTILE = "quantile"  # value = the q-quantile of x (linear interpolation)


@dataclass(frozen=True)
class MeasureDefinition:
    """What a measure is, in words: the catalogue entry shown on the board and in the docs."""

    key: str
    title: str
    group: str
    peel_area: str
    unit: Unit
    higher_is_better: bool | None
    cuts: frozenset[Cut]
    record_type: str
    definition: str


@dataclass(frozen=True)
class MeasureValue:
    """One measure's value for one period and one cut value."""

    measure: str
    period: Period
    period_start: date
    period_label: str
    cut: Cut
    cut_value: str | None
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Target:
    """A measure's target and how close counts as approaching it."""

    measure: str
    value: float
    higher_is_better: bool
    approach_margin: float


def target_status(value: float | None, target: Target) -> str:
    """'meets', 'approaches' (within the margin on the wrong side), 'misses' or 'no data'."""
    if value is None:
        return "no data"
    gap = value - target.value if target.higher_is_better else target.value - value
    if gap >= 0:
        return "meets"
    if -gap <= target.approach_margin:
        return "approaches"
    return "misses"


@dataclass(frozen=True)
class RepeatWindow:
    """A repeat-caller threshold: more than `more_than` contacts within `within_days` days."""

    more_than: int
    within_days: int


@dataclass(frozen=True)
class MeasureParams:
    """Everything from the policy (and the moment of the snapshot) that the SQL needs."""

    as_of_us: int  # the snapshot's moment, microseconds since 1970 UTC
    timezone: str = "Europe/London"  # the reporting zone: local days, weeks and months
    week_start: int = 0  # the first day of the reporting week: 0 Monday ... 6 Sunday
    standard_seconds: float = 10.0
    long_seconds: float = 60.0
    grade_targets_minutes: dict[tuple[int, str], float] = field(
        default_factory=lambda: {
            (1, "urban"): 15.0,
            (1, "rural"): 20.0,
            (2, "urban"): 60.0,
            (2, "rural"): 60.0,
            (3, "urban"): 2880.0,
            (3, "rural"): 2880.0,
        }
    )
    # Tighter attendance targets for incidents flagged as domestic abuse, by grade (minutes).
    domestic_abuse_targets_minutes: dict[int, float] = field(default_factory=dict)
    repeat_windows: tuple[RepeatWindow, ...] = (RepeatWindow(3, 7), RepeatWindow(5, 30))
    repeat_channels: tuple[str, ...] = (
        "999",
        "101",
        "live_chat",
        "online_report",
        "social_media",
        "walk_in",
    )
    repeat_count_abandoned: bool = False
    first_review_days: float = 7
    victim_update_working_days: int = 5
    victim_update_working_days_enhanced: int = 1
    enhanced_crime_groups: tuple[str, ...] = ("Sexual offences",)
    plan_due_hours: float = 72  # for crimes stored without their own plan deadline
    # The data.police.uk measures count only this force's published rows (its data.police.uk
    # id, e.g. "west-yorkshire"; "unknown" for rows whose force was not known); None: all.
    published_force: str | None = None


@dataclass(frozen=True)
class Additive:
    """A measure that is a sum over the rows of one source: the rows `where` picks, each
    adding `value` (SHARE: the 0/1 numerator, its denominator 1; MEAN: x; COUNT: unused).
    Measures on the same source and day can then share one scan (see analytics/engine.py)."""

    source: str  # e.g. "contact_facts f"
    day: str  # e.g. "f.presented_day"
    where: str
    value: str = "1"


SqlBuilder = Callable[[MeasureParams], str]
"""Builds a measure's record-level SQL; it never runs it."""


@dataclass(frozen=True)
class MeasureSpec:
    """A catalogue entry with how it is computed.

    `build` returns SQL (DuckDB dialect, the one place it is translated is analytics/dialect.py)
    selecting one row per record with the columns: `record_id`, `day` (the local date the record
    falls on), one text column per cut the measure supports, named after the cut (never NULL),
    and `num`/`den` (SHARE, integers 0/1), or `x` (MEAN and QUANTILE, an integer in `scale`
    units), or nothing more (COUNT).
    """

    definition: MeasureDefinition
    kind: Kind
    build: SqlBuilder
    scale: float = 1.0  # divide x by this to get the unit (e.g. 1e6 for microseconds->seconds)
    quantile: float | None = None
    # Tables the SQL reads that depend on the policy: (name, SQL) built once per engine and
    # kept until the SQL changes (the repeat-caller windows, which are costly to count).
    derived: Callable[[MeasureParams], tuple[tuple[str, str], ...]] | None = None
    # For measures that are plain sums over one source: its parts, so measures on the same
    # source share one query; `build` must select the same records.
    additive: Callable[[MeasureParams], Additive] | None = None
    cut_columns: tuple[tuple[Cut, str], ...] = ()

    @property
    def key(self) -> str:
        """The measure's key."""
        return self.definition.key
