"""A stored forecast and plan with actual contacts whose comparison is worked by hand, shared
by the planning page's and the board's plan-against-actual tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from watchhouse.db import bulk
from watchhouse.db.repositories import planning as repo
from watchhouse.services.context import AppContext

CONTACT_COLUMNS = (
    "channel",
    "presented_at",
    "answered_at",
    "ended_at",
    "abandoned",
    "status",
    "summary",
)

FIRST = datetime(2026, 6, 1, tzinfo=UTC)  # Monday; London is on BST, so local days start 23:00 UTC
LOCAL_FIRST = FIRST - timedelta(hours=1)  # midnight, Monday 1 June, in London


def add_hourly_forecast(
    session: Session,
    *,
    first: datetime,
    channel: str,
    expected: list[float],
    lower: list[float],
    upper: list[float],
    summary: dict[str, Any],
) -> int:
    """A stored forecast run made at `first`: one channel, hourly from `first`, with the
    channel's summary; its id."""
    starts = [int((first + timedelta(hours=h)).timestamp()) for h in range(len(expected))]
    return repo.add_forecast_run(
        session=session,
        created_at=first,
        created_by=None,
        interval_minutes=60,
        history=(first - timedelta(days=365), first),
        demand_factors={},
        events=[],
        summary={channel: summary},
        seconds=1.0,
        intervals=[(channel, starts, expected, lower, upper)],
    )


def insert_contacts(ctx: AppContext, rows: list[tuple[object, ...]]) -> None:
    """Contacts written straight to the store, one tuple of CONTACT_COLUMNS each."""
    with ctx.db.transaction() as session:
        bulk.insert_rows(session=session, table_name="contacts", columns=CONTACT_COLUMNS, rows=rows)


def store_three_days_of_999(ctx: AppContext) -> int:
    """Three local days of hourly 999 forecast (10 an hour), a plan expecting 90% answered in
    time, and two days of actual calls: 12 an hour on Monday, 8 an hour on Tuesday; on Monday
    every call answered in 5 s, on Tuesday one in four after 30 s."""
    hours = 72
    starts = [int((LOCAL_FIRST + timedelta(hours=h)).timestamp()) for h in range(hours)]
    with ctx.db.transaction() as session:
        run_id = add_hourly_forecast(
            session,
            first=LOCAL_FIRST,
            channel="999",
            expected=[10.0] * hours,
            lower=[7.0] * hours,
            upper=[13.0] * hours,
            summary={"model": "MSTL", "expected_total": 720.0, "scores": []},
        )
        repo.add_plan(
            session=session,
            forecast_run_id=run_id,
            created_at=LOCAL_FIRST,
            created_by=None,
            label="policy",
            targets={},
            summary={
                "999": {
                    "target": "90% answered within 10 s",
                    "mean_handlers": 3.0,
                    "peak_handlers": 3,
                    "service_level": 0.9,
                    "abandonment": 0.0,
                    "full_time_equivalent": 9.0,
                    "peak_week_full_time_equivalent": 9.0,
                    "disagreements": [],
                }
            },
            seconds=1.0,
            intervals=[("999", s, 3, 4.6, 5, 0.9, 0.0, None) for s in starts],
            tours=[],
        )
    rows = []
    for hour in range(48):
        per_hour = 12 if hour < 24 else 8
        for k in range(per_hour):
            presented = LOCAL_FIRST + timedelta(hours=hour, minutes=k * 4)
            wait = 30 if hour >= 24 and k % 4 == 0 else 5
            answered = presented + timedelta(seconds=wait)
            rows.append(
                ("999", presented, answered, answered + timedelta(minutes=3), False, "closed", "")
            )
    insert_contacts(ctx, rows)
    # Wednesday 10:00 in London: Monday and Tuesday are over, Wednesday is not.
    ctx.clock.set(LOCAL_FIRST + timedelta(days=2, hours=10))  # type: ignore[attr-defined]
    return run_id
