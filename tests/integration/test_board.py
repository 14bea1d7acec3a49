"""The performance board on a small synthetic force: each headline measure's value, target
status and last year match the measures engine; XmR charts over the policy's window; the
drill-down to neighbourhoods and to the records behind a value, which is logged."""

from __future__ import annotations

from datetime import date

import pytest

from watchhouse.analytics.catalogue import Cut, Period, target_status
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import board, measures
from watchhouse.services.access import search_access_log
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

MAY = date(2024, 5, 1)
SMALL_FORCE = SynthRequest(start=date(2023, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)


@pytest.fixture
def analyst(ctx: AppContext, actors: dict[Role, Actor]) -> Actor:
    """An analyst of a force with fourteen months of history (April 2023 to May 2024)."""
    synth_to_database(ctx, SMALL_FORCE)
    return actors[Role.ANALYST]


def _engine_value(ctx: AppContext, actor: Actor, key: str, month: date) -> float | None:
    values = measures.compute_measures(
        ctx, actor=actor, measures=[key], start=month, end=board.month_end(month)
    )
    found = [v.value for v in values if v.cut is Cut.FORCE and v.period_start == month]
    return found[0] if found else None


def test_board_shows_each_headline_measure_as_the_engine_computes_it(ctx, analyst):
    found = board.board(ctx, actor=analyst, month=MAY)
    assert [t.key for t in found.trends] == ctx.policy.board.headline_measures
    goals = measures.targets(ctx)
    for trend in found.trends:
        assert trend.current == pytest.approx(_engine_value(ctx, analyst, trend.key, MAY))
        assert trend.last_year == pytest.approx(
            _engine_value(ctx, analyst, trend.key, date(2023, 5, 1))
        )
        assert trend.previous == pytest.approx(
            _engine_value(ctx, analyst, trend.key, date(2024, 4, 1))
        )
        target = goals.get(trend.key)
        expected = "no target" if target is None else target_status(trend.current, target)
        assert trend.status == expected
        assert trend.definition.title in trend.commentary


def test_each_chart_covers_the_policy_window_with_limits_once_there_is_enough_history(ctx, analyst):
    found = board.board(ctx, actor=analyst, month=MAY)
    months = ctx.policy.board.history_months
    for trend in found.trends:
        assert len(trend.chart.points) == months
        assert trend.starts[0] == board.add_months(MAY, -(months - 1))
        assert trend.starts[-1] == MAY
        # no data before April 2023: those months are gaps, not zeros
        assert all(
            v is None
            for v, s in zip(trend.values, trend.starts, strict=True)
            if s < date(2023, 4, 1)
        )
        present = [v for v in trend.values if v is not None]
        if len(present) >= ctx.policy.board.xmr_min_points:
            assert trend.chart.has_limits
            assert trend.chart.lower <= trend.chart.centre <= trend.chart.upper
    assert "headline measures meet their target" in found.headline


def test_the_board_can_chart_weeks(ctx, analyst):
    trend = board.measure_trend(
        ctx, actor=analyst, key=ctx.policy.board.headline_measures[0], month=MAY, period=Period.WEEK
    )
    assert trend.current_start == date(2024, 5, 20)  # the last Monday-to-Sunday week in May
    assert all(s.weekday() == 0 for s in trend.starts)
    assert len(trend.starts) == round(ctx.policy.board.history_months * 52 / 12)
    assert "the week of 20 May 2024" in trend.commentary


def test_neighbourhoods_add_up_to_the_force(ctx, analyst):
    shares = [
        d for d in measures.measure_catalogue() if d.unit == "share" and Cut.NEIGHBOURHOOD in d.cuts
    ]
    key = shares[0].key
    areas = board.neighbourhoods(ctx, actor=analyst, key=key, period=Period.MONTH, start=MAY)
    assert len(areas) >= 2
    force = measures.compute_measures(
        ctx, actor=analyst, measures=[key], start=MAY, end=board.month_end(MAY)
    )
    (whole,) = [v for v in force if v.cut is Cut.FORCE and v.period_start == MAY]
    assert sum(a.denominator or 0 for a in areas) == pytest.approx(whole.denominator)
    assert sum(a.numerator or 0 for a in areas) == pytest.approx(whole.numerator)


def test_drilling_down_to_the_records_logs_a_consultation_of_each(ctx, analyst):
    key = ctx.policy.board.headline_measures[0]
    found = board.records(ctx, actor=analyst, key=key, period=Period.MONTH, start=MAY)
    assert found.rows, "a month of a busy measure has records behind it"
    assert len(found.rows) <= ctx.policy.board.drill_down_limit
    logged = search_access_log(
        ctx,
        actor=analyst,
        query=AccessQuery(username=analyst.username, operation=Operation.CONSULTATION, limit=5000),
    )
    assert len(logged) >= len(found.rows)
    assert len({e.record_type for e in logged}) == 1
    assert {e.record_id for e in logged} >= {
        str(r[found.columns.index("record_id")]) for r in found.rows
    }


def test_peel_view_puts_every_measure_under_its_area(ctx, analyst):
    areas = board.peel_view(ctx, actor=analyst, month=MAY)
    shown = [m.definition.key for a in areas for m in a.measures]
    assert sorted(shown) == sorted(d.key for d in measures.measure_catalogue())
    responding = next(a for a in areas if a.key == "responding_to_the_public")
    assert responding.measures
    assert sum(
        responding.count(s) for s in ("meets", "approaches", "misses", "no data", "no target")
    ) == len(responding.measures)
    assert [a.key for a in areas][:9] == [key for key, _ in board.PEEL_AREAS]


def test_an_unknown_headline_measure_in_the_policy_is_refused_by_name(ctx, actors):
    changed = ctx.policy.model_copy(
        update={
            "board": ctx.policy.board.model_copy(
                update={"headline_measures": ["contact.no_such_measure"]}
            )
        }
    )
    bad = AppContext(settings=ctx.settings, db=ctx.db, policy=changed, clock=ctx.clock)
    with pytest.raises(ValidationFailed, match=r"contact\.no_such_measure"):
        board.board(bad, actor=actors[Role.ANALYST], month=MAY)


def test_an_empty_store_gives_a_board_without_data(ctx, actors):
    found = board.board(ctx, actor=actors[Role.ANALYST], month=MAY)
    assert all(t.current is None for t in found.trends)
    assert all(not t.chart.has_limits for t in found.trends)
    assert all("no data for May 2024" in t.commentary for t in found.trends)
