"""The planning page says in plain words why a channel's roster puts more people on than the
staff needed (the demo's 101: 1.54 needed, 2 to 6 rostered), and the analyst finds the page
from their home page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from watchhouse.db.repositories import planning as repo
from watchhouse.domain.roles import Role
from watchhouse.services import accounts
from watchhouse.services.context import AppContext

from .conftest import LiveApp
from .desks import BROWSER_ONLY, sign_in

pytestmark = BROWSER_ONLY

FIRST = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday


def _store_floor_plan(ctx: AppContext) -> None:
    """A week of quiet hourly 101 demand: the minimum of 1 handler decides every hour, 1.54
    staff with 35% shrinkage, rostered 2 on most hours and 3 at changeovers."""
    starts = [int((FIRST + timedelta(hours=h)).timestamp()) for h in range(7 * 24)]
    expected = [0.3] * len(starts)
    with ctx.db.transaction() as session:
        run_id = repo.add_forecast_run(
            session=session,
            created_at=FIRST,
            created_by=None,
            interval_minutes=60,
            history=(FIRST - timedelta(days=365), FIRST),
            demand_factors={},
            events=[],
            summary={
                "101": {
                    "model": "MSTL",
                    "bank_holiday_factor": 1.0,
                    "expected_total": sum(expected),
                    "scores": [{"model": "MSTL", "mase": 0.7, "coverage": 0.8}],
                }
            },
            seconds=1.0,
            intervals=[("101", starts, expected, expected, expected)],
        )
        repo.add_plan(
            session=session,
            forecast_run_id=run_id,
            created_at=FIRST,
            created_by=None,
            label="policy",
            targets={"101": {"shrinkage": 0.35}},
            summary={
                "101": {
                    "channel": "101",
                    "target": "80% answered within 180 s",
                    "aht_seconds": 300.0,
                    "patience_seconds": 120.0,
                    "mean_handlers": 1.0,
                    "peak_handlers": 1,
                    "service_level": 0.97,
                    "abandonment": 0.02,
                    "full_time_equivalent": 12.6,
                    "peak_week_full_time_equivalent": 12.6,
                    "cost": 480.0,
                    "roster_gap": 0.28,
                    "disagreements": [],
                    "minimum_handlers": 1,
                    "floor_share": 1.0,
                }
            },
            seconds=1.0,
            intervals=[
                ("101", s, 1, 1 / 0.65, 3 if i % 8 == 0 else 2, 0.97, 0.02, None)
                for i, s in enumerate(starts)
            ],
            tours=[repo.TourRecord("101", date(2026, 6, 1), "8-hour", 420, 0, 5, 2)],
        )


def test_planning_page_says_why_more_are_rostered_than_needed(
    live_app: LiveApp, new_page: Any, screenshot: Any
) -> None:
    accounts.add_user(
        live_app.ctx,
        username="analyst",
        display_name="Ana Analyst",
        role=Role.ANALYST,
        password="analyst-pass-123",
    )
    _store_floor_plan(live_app.ctx)
    page = new_page()
    sign_in(page, "analyst", "analyst-pass-123")
    # the analyst's main job is on their home page, not only in the menu
    page.locator("main").get_by_role("link", name="Demand and resourcing").click()
    expect(page.get_by_role("heading", name="Staffing plan 1: policy")).to_be_visible()
    note = page.locator("#cover-note-101")
    expect(note).to_contain_text("1.54 staff are needed at every moment")
    expect(note).to_contain_text("the roster has 2 to 3 on")
    expect(note).to_contain_text("minimum of 1 on the phones decides")
    expect(note).to_contain_text("35% of paid time off the phones")
    expect(note).to_contain_text("People come whole, so 1.54 needed means 2 on")
    expect(note).to_contain_text("not counted as cover during its unpaid break")
    # 168 h at 1.54 needed, 357 h rostered (147 hours at 2, 21 at 3): +38%
    expect(note).to_contain_text("258 staff hours are needed and 357 rostered (+38%)")
    screenshot(page, "cover-note")
