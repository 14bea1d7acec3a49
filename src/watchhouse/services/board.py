"""The performance board: headline measures with targets, trends, XmR charts, the same period
last year, the PEEL view, and drill-down from a measure to its neighbourhoods and records.

Aggregates come from services.measures (no personal data); the records behind a value come
from services.measures.drill_down, which logs the consultation of each record.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from watchhouse.analytics.catalogue import PEEL_AREAS as CATALOGUE_PEEL_AREAS
from watchhouse.analytics.catalogue import (
    Cut,
    MeasureDefinition,
    Period,
    Target,
    Unit,
    target_status,
)
from watchhouse.domain.access import Operation
from watchhouse.domain.clock import to_local
from watchhouse.domain.commentary import MeasureFacts, commentary, headline
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.ranking import rank_value, too_few
from watchhouse.domain.roles import Actor
from watchhouse.domain.spc import (
    Variation,
    XmRChart,
    earlier_special,
    latest_variation,
    xmr_chart,
)
from watchhouse.io.spreadsheet import csv_text
from watchhouse.services import measures, reference, teams
from watchhouse.services.context import AppContext
from watchhouse.services.plan_actuals import LatestAgainstPlan, latest_against_actual

BOARD_PERIODS = (Period.MONTH, Period.WEEK)

# The inspectorate's PEEL areas (2023 to 2025), in the order HMICFRS reports them.
PEEL_AREAS: tuple[tuple[str, str], ...] = tuple(CATALOGUE_PEEL_AREAS.items())


# --- periods --------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def period_end(period: Period, start: date) -> date:
    """The last day (inclusive) of the period that starts on `start`."""
    if period is Period.DAY:
        return start
    if period is Period.WEEK:
        return start + timedelta(days=6)
    if period is Period.MONTH:
        return month_end(start)
    if period is Period.QUARTER:
        return add_months(start, 3) - timedelta(days=1)
    return add_months(start, 12) - timedelta(days=1)


def parse_month(text: str, *, field: str = "month") -> date:
    """A YYYY-MM month as its first day, or a clear error naming the field."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise ValidationFailed.one(field, f"give a month as YYYY-MM, not {text!r}") from exc


def default_month(ctx: AppContext) -> date:
    """The last complete month before today (in the force's time zone)."""
    today = to_local(ctx.now(), ctx.policy.reporting_zone).date()
    return add_months(today, -1)


PUBLISHED_PREFIX = "police_uk."


def own_published_force(ctx: AppContext) -> str | None:
    """The force whose data.police.uk rows every figure on the board counts (policy `[force]
    police_uk_id`); None: every force's rows imported."""
    return ctx.policy.force.police_uk_id or None


def _window(period: Period, month: date, months: int, week_start: int = 0) -> list[date]:
    """The period starts the board charts for `month`, oldest first (weeks begin on
    `week_start`, 0 Monday ... 6 Sunday: policy [reporting] week_starts)."""
    if period is Period.MONTH:
        return [add_months(month, -back) for back in range(months - 1, -1, -1)]
    # weeks: up to the last week that ends within the month
    last_day = month_end(month)
    week_end = (week_start + 6) % 7
    last_week_end = last_day - timedelta(days=(last_day.weekday() - week_end) % 7)
    last = last_week_end - timedelta(days=6)
    count = round(months * 52 / 12)
    return [last - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def _year_before(period: Period, start: date) -> date:
    return add_months(start, -12) if period is Period.MONTH else start - timedelta(weeks=52)


def period_name(period: Period, start: date) -> str:
    """How the commentary names a period: 'May 2024', 'the week of 6 May 2024'."""
    if period is Period.MONTH:
        return f"{calendar.month_name[start.month]} {start.year}"
    if period is Period.WEEK:
        return f"the week of {start.day} {calendar.month_name[start.month]} {start.year}"
    return start.isoformat()


def short_label(period: Period, start: date) -> str:
    """A chart axis label: 'May 2024' or '06 May'."""
    if period is Period.MONTH:
        return f"{calendar.month_abbr[start.month]} {start.year}"
    return start.strftime("%d %b %Y")


# --- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureTrend:
    """One measure on the board: its history, this period, last year, target and reading."""

    definition: MeasureDefinition
    starts: tuple[date, ...]
    values: tuple[float | None, ...]
    current: float | None
    previous: float | None
    last_year: float | None
    target: Target | None
    status: str
    chart: XmRChart
    variation: Variation
    commentary: str
    period: Period
    as_at: datetime | None = None  # the store as it stood then (the snapshot's last check)
    # Special-cause points before the latest, by reading: the chart colours them, while
    # `variation` (the tile's badge and the headline's counts) reads the latest point only.
    earlier_special: tuple[tuple[Variation, int], ...] = ()

    @property
    def key(self) -> str:
        """The measure's catalogue key."""
        return self.definition.key

    @property
    def current_start(self) -> date:
        """The first day of the period the board reports."""
        return self.starts[-1]


@dataclass(frozen=True)
class Board:
    """The headline measures for one month, with one sentence that sums them up."""

    month: date
    period: Period
    trends: tuple[MeasureTrend, ...]
    headline: str
    as_at: datetime | None = None  # "figures as at": when the store was last seen to match
    against_plan: LatestAgainstPlan | None = None  # the latest stored forecast against actual
    # The force's published data (data.police.uk), by month, when any has been imported.
    published: tuple[MeasureTrend, ...] = ()
    published_force: str | None = None  # whose published rows (None: every force imported)

    @property
    def month_name(self) -> str:
        """'May 2024'."""
        return period_name(Period.MONTH, self.month)


def _baseline(values: Sequence[float | None], points: int) -> tuple[int, int] | None:
    present = [i for i, v in enumerate(values) if v is not None]
    if points <= 0 or len(present) <= points:
        return None
    return (0, present[points - 1] + 1)


def _definitions(keys: Sequence[str], *, field: str) -> list[MeasureDefinition]:
    known = {d.key: d for d in measures.measure_catalogue()}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationFailed.one(field, f"unknown measures {unknown}; see docs/measures.md")
    return [known[key] for key in keys]


def _trend(
    ctx: AppContext,
    definition: MeasureDefinition,
    starts: list[date],
    by_start: dict[date, float | None],
    target: Target | None,
    period: Period,
    as_at: datetime | None = None,
) -> MeasureTrend:
    board = ctx.policy.board
    values = [by_start.get(start) for start in starts]
    chart = xmr_chart(
        values,
        [short_label(period, s) for s in starts],
        rules=board.spc_rules(),
        baseline=_baseline(values, board.xmr_baseline_points),
        floor=0.0,
        ceiling=1.0 if definition.unit == "share" else None,
    )
    variation = latest_variation(chart, higher_is_better=definition.higher_is_better)
    current = values[-1]
    previous = values[-2] if len(values) > 1 else None
    last_year = by_start.get(_year_before(period, starts[-1]))
    status = "no target" if target is None else target_status(current, target)
    facts = MeasureFacts(
        title=definition.title,
        unit=str(definition.unit),
        period_name=period_name(period, starts[-1]),
        same_period_name=f"Same {period.value} last year",
        current=current,
        previous=previous,
        last_year=last_year,
        variation=variation,
        target=None if target is None else target.value,
        target_status=None if target is None else status,
    )
    return MeasureTrend(
        definition=definition,
        starts=tuple(starts),
        values=tuple(values),
        current=current,
        previous=previous,
        last_year=last_year,
        target=target,
        status=status,
        chart=chart,
        variation=variation,
        commentary=commentary(facts),
        period=period,
        as_at=as_at,
        earlier_special=earlier_special(chart, higher_is_better=definition.higher_is_better),
    )


def trends(
    ctx: AppContext,
    *,
    actor: Actor,
    keys: Sequence[str],
    month: date,
    period: Period = Period.MONTH,
    fresh: bool = True,
) -> list[MeasureTrend]:
    """The trend, XmR chart and commentary of each measure up to `month`; unless `fresh`, from
    the snapshot already taken (see services.measures.measures_as_at), so nobody waits."""
    if period not in BOARD_PERIODS:
        raise ValidationFailed.one("period", "the board charts months or weeks")
    definitions = _definitions(keys, field="measures")
    starts = _window(
        period, month, ctx.policy.board.history_months, ctx.policy.reporting.week_start
    )
    measured = measures.measures_as_at(
        ctx,
        actor=actor,
        measures=[d.key for d in definitions],
        period=period,
        cut=Cut.FORCE,
        start=starts[0],
        end=period_end(period, starts[-1]),
        fresh=fresh,
        published_force=own_published_force(ctx),
    )
    found: dict[str, dict[date, float | None]] = {d.key: {} for d in definitions}
    for value in measured.values:
        if value.measure in found and value.cut is Cut.FORCE:
            found[value.measure][value.period_start] = value.value
    goals = measures.targets(ctx)
    return [
        _trend(ctx, d, starts, found[d.key], goals.get(d.key), period, measured.as_at)
        for d in definitions
    ]


def _facts_of(trend: MeasureTrend) -> MeasureFacts:
    return MeasureFacts(
        title=trend.definition.title,
        unit=str(trend.definition.unit),
        period_name="",
        same_period_name="",
        current=trend.current,
        previous=trend.previous,
        last_year=trend.last_year,
        variation=trend.variation,
        target=None if trend.target is None else trend.target.value,
        target_status=None if trend.target is None else trend.status,
    )


def board(
    ctx: AppContext,
    *,
    actor: Actor,
    month: date | None = None,
    period: Period = Period.MONTH,
    fresh: bool = True,
) -> Board:
    """The board's first page: the policy's headline measures for a month (default: the last
    complete month); `fresh=False` serves the snapshot already taken (the web board)."""
    chosen = month or default_month(ctx)
    found = trends(
        ctx,
        actor=actor,
        keys=ctx.policy.board.headline_measures,
        month=chosen,
        period=period,
        fresh=fresh,
    )
    return Board(
        month=chosen,
        period=period,
        trends=tuple(found),
        headline=headline([_facts_of(t) for t in found]),
        as_at=found[0].as_at if found else None,
        against_plan=latest_against_actual(ctx),
        published=published_trends(ctx, actor=actor, month=chosen, fresh=fresh),
        published_force=own_published_force(ctx),
    )


def published_trends(
    ctx: AppContext, *, actor: Actor, month: date, fresh: bool = True
) -> tuple[MeasureTrend, ...]:
    """The data.police.uk measures by month up to `month` (published data is monthly, so
    whatever the board charts by), of the force's own rows (policy `[force] police_uk_id`;
    every force imported when not set), or none when no published file holds a value."""
    keys = [d.key for d in measures.measure_catalogue() if d.key.startswith(PUBLISHED_PREFIX)]
    found = trends(ctx, actor=actor, keys=keys, month=month, period=Period.MONTH, fresh=fresh)
    if not any(v is not None for t in found for v in t.values):
        return ()
    return tuple(found)


def measure_trend(
    ctx: AppContext,
    *,
    actor: Actor,
    key: str,
    month: date,
    period: Period = Period.MONTH,
    fresh: bool = True,
) -> MeasureTrend:
    """One measure's trend (any measure in the catalogue, not only the headline ones)."""
    (found,) = trends(ctx, actor=actor, keys=[key], month=month, period=period, fresh=fresh)
    return found


# --- drill-down -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaValue:
    """A measure's value in one neighbourhood, with its target status."""

    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    too_few: bool = False  # fewer records than [board] ranking_min_records: ranked last


def neighbourhoods(
    ctx: AppContext, *, actor: Actor, key: str, period: Period, start: date, fresh: bool = True
) -> list[AreaValue]:
    """The measure in each neighbourhood for one period, worst first when it has a direction."""
    (definition,) = _definitions([key], field="measure")
    if Cut.NEIGHBOURHOOD not in definition.cuts:
        return []
    values = measures.measures_as_at(
        ctx,
        actor=actor,
        measures=[key],
        period=period,
        cut=Cut.NEIGHBOURHOOD,
        start=start,
        end=period_end(period, start),
        fresh=fresh,
        published_force=own_published_force(ctx),
    ).values
    names = {n.code: n.name for n in reference.neighbourhoods(ctx)}
    target = measures.targets(ctx).get(key)
    rows = [
        AreaValue(
            code=v.cut_value or "",
            name=neighbourhood_name(names, v.cut_value),
            value=v.value,
            numerator=v.numerator,
            denominator=v.denominator,
            status="no target" if target is None else target_status(v.value, target),
        )
        for v in values
        if v.cut is Cut.NEIGHBOURHOOD and v.period_start == start
    ]
    return worst_first(ctx, definition, rows)


def worst_first(
    ctx: AppContext, definition: MeasureDefinition, rows: list[AreaValue]
) -> list[AreaValue]:
    """Areas worst first with their counts in view (domain/ranking.py): too few records last,
    shares by their most favourable plausible value; by name when the measure has no
    direction."""
    if definition.higher_is_better is None:
        return sorted(rows, key=lambda r: r.name)
    policy = ctx.policy.board
    is_share = definition.unit == Unit.SHARE
    marked = [replace(r, too_few=too_few(r.denominator, policy.ranking_min_records)) for r in rows]

    def key(row: AreaValue) -> tuple[bool, bool, float, str]:
        ranked = rank_value(
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            higher_is_better=bool(definition.higher_is_better),
            is_share=is_share,
            confidence=policy.ranking_confidence,
        )
        return (row.too_few, ranked is None, ranked or 0.0, row.name)

    return sorted(marked, key=key)


@dataclass(frozen=True)
class RecordList:
    """The records behind one value, as columns and rows (the consultation is logged)."""

    definition: MeasureDefinition
    period: Period
    start: date
    neighbourhood: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    limit: int
    only_missed: bool = False
    can_show_missed: bool = False
    # Each row's reference as the screens show it, and the page it opens (None: no page).
    references: tuple[str, ...] = ()
    links: tuple[str | None, ...] = ()

    @property
    def truncated(self) -> bool:
        """True when the list stopped at the limit."""
        return len(self.rows) >= self.limit


# Record type as logged -> (its reference as the screens show it, the page that shows it).
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "contact": ("C{:07d}", "/contacts/{}"),
    "incident": ("I{:07d}", "/incidents/{}"),
    "crime": ("CR{:07d}", "/crimes/{}"),
    "problem_solving_plan": ("P{:07d}", "/plans/{}"),
}


def _reference_and_link(record_type: str, record_id: object) -> tuple[str, str | None]:
    """A record's reference (C0000042) and the page that shows it, where there is one."""
    shown = RECORD_PAGES.get(record_type)
    if shown is None or not str(record_id).isdigit():
        return str(record_id), None
    reference, page = shown
    number = int(str(record_id))
    return reference.format(number), page.format(number)


def records(
    ctx: AppContext,
    *,
    actor: Actor,
    key: str,
    period: Period,
    start: date,
    neighbourhood: str | None = None,
    fresh: bool = True,
    only_missed: bool = False,
) -> RecordList:
    """The records behind a measure's value for a period (force-wide or one neighbourhood),
    or only those that missed; services.measures.drill_down logs the consultation of each."""
    return _drilled(
        ctx,
        actor=actor,
        key=key,
        period=period,
        start=start,
        neighbourhood=neighbourhood,
        fresh=fresh,
        only_missed=only_missed,
    )


def _drilled(
    ctx: AppContext,
    *,
    actor: Actor,
    key: str,
    period: Period,
    start: date,
    neighbourhood: str | None,
    fresh: bool,
    only_missed: bool,
    operation: Operation = Operation.CONSULTATION,
    justification: str | None = None,
    recipient: str | None = None,
) -> RecordList:
    """The records behind a value, each logged (a consultation, or an export's disclosure)."""
    (definition,) = _definitions([key], field="measure")
    limit = ctx.policy.board.drill_down_limit
    found = measures.drill_down(
        ctx,
        actor=actor,
        measure=key,
        period=period,
        period_start=start,
        cut=Cut.NEIGHBOURHOOD if neighbourhood else Cut.FORCE,
        cut_value=neighbourhood or None,
        limit=limit,
        fresh=fresh,
        only_missed=only_missed,
        published_force=own_published_force(ctx),
        operation=operation,
        justification=justification,
        recipient=recipient,
    )
    return _record_list(
        found,
        definition=definition,
        period=period,
        start=start,
        neighbourhood=neighbourhood,
        limit=limit,
        only_missed=only_missed,
    )


def _record_list(
    found: list[dict[str, object]],
    *,
    definition: MeasureDefinition,
    period: Period,
    start: date,
    neighbourhood: str | None,
    limit: int,
    only_missed: bool,
) -> RecordList:
    columns: list[str] = []
    for row in found:
        columns.extend(name for name in row if name not in columns)
    record_type = measures.logged_record_type(definition.key)
    shown = [_reference_and_link(record_type, row.get("record_id")) for row in found]
    return RecordList(
        definition=definition,
        period=period,
        start=start,
        neighbourhood=neighbourhood or None,
        columns=tuple(columns),
        rows=tuple(tuple(row.get(c) for c in columns) for row in found),
        limit=limit,
        only_missed=only_missed,
        can_show_missed=measures.can_show_missed(definition.key),
        references=tuple(reference for reference, _ in shown),
        links=tuple(link for _, link in shown),
    )


def export_records(
    ctx: AppContext,
    *,
    actor: Actor,
    key: str,
    period: Period,
    start: date,
    neighbourhood: str | None,
    only_missed: bool,
    justification: str,
    recipient: str,
) -> tuple[str, str]:
    """The records behind a value as CSV (safe for spreadsheets) and a file name; each record
    is logged as a disclosure, with the reason and the recipient."""
    listed = _drilled(
        ctx,
        actor=actor,
        key=key,
        period=period,
        start=start,
        neighbourhood=neighbourhood,
        fresh=False,
        only_missed=only_missed,
        operation=Operation.DISCLOSURE,
        justification=justification.strip() or None,
        recipient=recipient.strip() or actor.username,
    )
    text = csv_text(
        ("reference", *listed.columns),
        ((ref, *row) for ref, row in zip(listed.references, listed.rows, strict=True)),
    )
    name = f"{key}-{start.isoformat()}{'-' + neighbourhood if neighbourhood else ''}"
    return text, f"{name}{'-missed' if only_missed else ''}.csv"


# --- the PEEL view --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeelMeasure:
    """A measure under a PEEL area: this month's value against its target."""

    definition: MeasureDefinition
    value: float | None
    target: Target | None
    status: str


@dataclass(frozen=True)
class PeelArea:
    """One of the inspectorate's areas and how its measures stand against their targets."""

    key: str
    title: str
    measures: tuple[PeelMeasure, ...]

    def count(self, status: str) -> int:
        """How many of the area's measures have this status ('meets', 'approaches', ...)."""
        return sum(1 for m in self.measures if m.status == status)


def peel_view(
    ctx: AppContext, *, actor: Actor, month: date | None = None, fresh: bool = True
) -> list[PeelArea]:
    """Every measure in the catalogue for a month, grouped under the PEEL areas."""
    chosen = month or default_month(ctx)
    catalogue = measures.measure_catalogue()
    values = measures.measures_as_at(
        ctx,
        actor=actor,
        measures=[d.key for d in catalogue],
        period=Period.MONTH,
        cut=Cut.FORCE,
        start=chosen,
        end=month_end(chosen),
        fresh=fresh,
        published_force=own_published_force(ctx),
    ).values
    current: dict[str, float | None] = {
        v.measure: v.value for v in values if v.cut is Cut.FORCE and v.period_start == chosen
    }
    goals = measures.targets(ctx)
    areas = list(PEEL_AREAS)
    for d in catalogue:  # an area the list above does not know yet still shows
        if d.peel_area not in {key for key, _ in areas}:
            areas.append((d.peel_area, d.peel_area.replace("_", " ").capitalize()))
    result = []
    for key, title in areas:
        rows = []
        for d in catalogue:
            if d.peel_area != key:
                continue
            target = goals.get(d.key)
            value = current.get(d.key)
            status = "no target" if target is None else target_status(value, target)
            rows.append(PeelMeasure(definition=d, value=value, target=target, status=status))
        result.append(PeelArea(key=key, title=title, measures=tuple(rows)))
    return result


def _figure(value: float | None) -> float | str:
    return "" if value is None else round(value, 6)


def export_board(ctx: AppContext, *, actor: Actor, month: date, period: Period) -> tuple[str, str]:
    """The board's headline measures as CSV (safe for spreadsheets) and a file name: each
    measure's value for the period, the one before, the same period a year before, the target
    and its status. Aggregates only, so nothing goes to the access log."""
    found = board(ctx, actor=actor, month=month, period=period, fresh=False)
    header: tuple[str, ...] = ("measure", "title", "unit", "period", "period starts", "value")
    header += ("previous period", "same period last year", "target", "status")
    rows = [
        (
            t.key,
            t.definition.title,
            t.definition.unit,
            period_name(period, t.current_start),
            t.current_start.isoformat(),
            _figure(t.current),
            _figure(t.previous),
            _figure(t.last_year),
            "" if t.target is None else t.target.value,
            t.status,
        )
        for t in found.trends
    ]
    return csv_text(header, rows), f"board-{period.value}-{month.isoformat()[:7]}.csv"


def export_peel(ctx: AppContext, *, actor: Actor, month: date) -> tuple[str, str]:
    """The PEEL view as CSV (safe for spreadsheets) and a file name: every measure for the
    month under its PEEL area, with its target and status. Aggregates only: not logged."""
    areas = peel_view(ctx, actor=actor, month=month, fresh=False)
    header = ("PEEL area", "measure", "title", "unit", "month", "value", "target", "status")
    rows = [
        (
            a.title,
            m.definition.key,
            m.definition.title,
            m.definition.unit,
            month.isoformat()[:7],
            _figure(m.value),
            "" if m.target is None else m.target.value,
            m.status,
        )
        for a in areas
        for m in a.measures
    ]
    return csv_text(header, rows), f"peel-{month.isoformat()[:7]}.csv"


# --- other breakdowns -----------------------------------------------------------------------

# The cuts other than neighbourhood that the measure page breaks a value down by, when the
# measure has them: the charge rate by crime group, audit scores by team.
BREAKDOWN_CUTS: dict[Cut, str] = {
    Cut.CRIME_GROUP: "By crime group",
    Cut.TEAM: "By team",
    Cut.ANSWER_SOURCE: "By source of the answer times",
}
NOT_RECORDED = "unknown"  # the measures' cut value for a record without one


def neighbourhood_name(names: dict[str, str], code: str | None) -> str:
    """A neighbourhood's name for a measure's cut value ("unknown" is the measures' value for
    a record with no neighbourhood, which people read as such)."""
    if code in (None, "", NOT_RECORDED):
        return "no neighbourhood recorded"
    return names.get(code, code)


ANSWER_SOURCE_NAMES = {
    "telephony_calls": "Telephony per-call records",
    "telephony_intervals": "Telephony interval statistics",
    "contacts": "Contacts' own times",
}


@dataclass(frozen=True)
class Breakdown:
    """A measure's values for one period under one cut (crime group, team)."""

    cut: Cut
    title: str
    rows: tuple[AreaValue, ...]


def breakdowns(
    ctx: AppContext, *, actor: Actor, key: str, period: Period, start: date
) -> list[Breakdown]:
    """The measure by each of its other cuts for one period, worst first when it has a
    direction (teams by name)."""
    (definition,) = _definitions([key], field="measure")
    target = measures.targets(ctx).get(key)
    team_names = (
        {t.code: t.name for t in teams.list_teams(ctx)} if Cut.TEAM in definition.cuts else {}
    )
    found = []
    for cut, title in BREAKDOWN_CUTS.items():
        if cut not in definition.cuts:
            continue
        values = measures.compute_measures(
            ctx,
            actor=actor,
            measures=[key],
            period=period,
            cut=cut,
            start=start,
            end=period_end(period, start),
            published_force=own_published_force(ctx),
        )
        rows = [
            AreaValue(
                code=v.cut_value or "",
                name="not recorded"
                if v.cut_value in (None, NOT_RECORDED)
                else ANSWER_SOURCE_NAMES.get(v.cut_value or "")
                or team_names.get(v.cut_value or "", v.cut_value or ""),
                value=v.value,
                numerator=v.numerator,
                denominator=v.denominator,
                status="no target" if target is None else target_status(v.value, target),
            )
            for v in values
            if v.cut is cut and v.period_start == start
        ]
        found.append(
            Breakdown(cut=cut, title=title, rows=tuple(worst_first(ctx, definition, rows)))
        )
    return found
