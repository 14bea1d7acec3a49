"""Stored forecast runs' and plans' intervals, read once per process and store: a stored run
or plan never changes, so the board, the planning page and the what-if share one copy
(`AppContext.stored`) instead of reading and converting tens of thousands of rows each time.
Light on purpose (no forecasting libraries): the board imports it."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from watchhouse.db.repositories import planning as repo
from watchhouse.services.context import AppContext

ForecastSeries = dict[str, tuple[list[datetime], list[float], list[float], list[float]]]
PlanSeries = dict[
    str, list[tuple[datetime, int, float, int | None, float | None, float | None, float | None]]
]


def forecast_series(ctx: AppContext, *, run_id: int) -> ForecastSeries:
    """A stored forecast run's intervals per channel (read once per process: a stored run
    never changes)."""
    key = ("forecast", run_id)
    found = ctx.stored.get(key)
    if found is None:
        with ctx.db.transaction() as session:
            found = repo.forecast_intervals(session=session, run_id=run_id)
        ctx.stored.put(key, found)
    return cast(ForecastSeries, found)


def plan_series(ctx: AppContext, *, plan_id: int) -> PlanSeries:
    """A stored plan's intervals per channel (read once per process: a stored plan never
    changes)."""
    key = ("plan", plan_id)
    found = ctx.stored.get(key)
    if found is None:
        with ctx.db.transaction() as session:
            found = repo.plan_intervals(session=session, plan_id=plan_id)
        ctx.stored.put(key, found)
    return cast(PlanSeries, found)


def remember_plan_series(ctx: AppContext, *, plan_id: int, series: PlanSeries) -> None:
    """Keep a plan's intervals as just stored, so its first view need not read them back."""
    ctx.stored.put(("plan", plan_id), series)
