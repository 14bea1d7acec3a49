"""The board's plan-against-actual panel: for the latest stored forecast, per channel, the days
compared, forecast against actual contacts, the daily MAPE and the planned against the actual
share answered in time, with a plain sentence when there is nothing to compare yet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from plan_support import CONTACT_COLUMNS, LOCAL_FIRST, store_three_days_of_999
from watchhouse.db import bulk
from watchhouse.domain.roles import Role
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.web


def _panel(html: str) -> str:
    found = re.search(r'<section id="plan-against-actual".*?</section>', html, re.S)
    assert found, "the board has a plan-against-actual panel"
    return found.group(0)


def _late_monday_calls(ctx: AppContext) -> None:
    """One more 999 call each hour on Monday, answered after 60 s (outside the 10 s target)."""
    rows = []
    for hour in range(24):
        presented = LOCAL_FIRST + timedelta(hours=hour, minutes=2)
        answered = presented + timedelta(seconds=60)
        rows.append(
            ("999", presented, answered, answered + timedelta(minutes=3), False, "closed", "")
        )
    with ctx.db.transaction() as session:
        bulk.insert_rows(session=session, table_name="contacts", columns=CONTACT_COLUMNS, rows=rows)


def test_the_board_compares_the_latest_stored_forecast_with_the_actual_contacts(
    ctx: AppContext, client_as
) -> None:
    store_three_days_of_999(ctx)  # the clock is Wednesday 10:00: Monday and Tuesday are over
    _late_monday_calls(ctx)
    page = client_as(Role.ANALYST).client.get("/board")
    assert page.status_code == 200
    panel = _panel(page.text)
    assert "<h2>Plan against actual</h2>" in panel
    # Forecast 10 an hour: 240 a day, 480 over the two days. Actual: Monday 12 + 1 an hour
    # = 312, Tuesday 8 an hour = 192; 504 in all.
    # MAPE: (|240 - 312| / 312 + |240 - 192| / 192) / 2 = (3/13 + 1/4) / 2 = 0.2404 -> 24.0%.
    # Planned: 90% every hour. Actual within 10 s: Monday 288 of 312, Tuesday 144 of 192
    # (one in four after 30 s): 432 / 504 = 0.8571 -> 85.7%.
    row = (
        r'<tr data-channel="999"><td>999</td><td>2</td><td>480</td><td>504</td>\s*'
        r"<td>24\.0%</td>\s*<td>90\.0%</td>\s*<td>85\.7% within 10 s</td></tr>"
    )
    assert re.search(row, panel), panel
    assert '<a href="/planning">' in panel


def test_the_board_says_plainly_when_no_forecast_is_stored(client_as) -> None:
    panel = _panel(client_as(Role.ANALYST).client.get("/board").text)
    assert "No stored forecast yet." in panel
    assert "<table" not in panel


def test_the_board_says_plainly_when_the_forecasts_first_day_is_not_over(
    ctx: AppContext, client_as
) -> None:
    store_three_days_of_999(ctx)
    ctx.clock.set(LOCAL_FIRST + timedelta(hours=10))  # type: ignore[attr-defined]
    panel = _panel(client_as(Role.ANALYST).client.get("/board").text)
    assert "The stored forecast&#39;s first day is not over yet." in panel
    assert "<table" not in panel
