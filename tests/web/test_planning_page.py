"""The analyst's planning page: forecast, requirement and roster, with plotly.js served from the
installed plotly package (never a CDN)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from plan_support import add_hourly_forecast
from watchhouse.db.repositories import planning as repo
from watchhouse.domain.roles import Role
from watchhouse.services import charts
from watchhouse.services.context import AppContext
from watchhouse.web.planning import PLOTLY_JS

pytestmark = pytest.mark.web

FIRST = datetime(2026, 3, 16, tzinfo=UTC)


def _store(ctx: AppContext) -> tuple[int, int]:
    """A forecast of one day at 60 minutes for 999, and a plan made from it."""
    starts = [int((FIRST + timedelta(hours=h)).timestamp()) for h in range(24)]
    expected = [10.0 + h for h in range(24)]
    with ctx.db.transaction() as session:
        run_id = add_hourly_forecast(
            session,
            first=FIRST,
            channel="999",
            expected=expected,
            lower=[e - 3 for e in expected],
            upper=[e + 3 for e in expected],
            summary={
                "model": "MSTL",
                "bank_holiday_factor": 1.1,
                "expected_total": sum(expected),
                "scores": [
                    {"model": "MSTL", "mase": 0.61, "coverage": 0.82},
                    {"model": "SeasonalNaive", "mase": 0.97, "coverage": 0.7},
                ],
            },
        )
        plan_id = repo.add_plan(
            session=session,
            forecast_run_id=run_id,
            created_at=FIRST,
            created_by=None,
            label="999 grows 8%",
            targets={},
            summary={
                "999": {
                    "target": "90% answered within 10 s",
                    "mean_handlers": 4.5,
                    "peak_handlers": 7,
                    "service_level": 0.93,
                    "abandonment": 0.0,
                    "full_time_equivalent": 31.2,
                    "peak_week_full_time_equivalent": 33.0,
                    "disagreements": [],
                }
            },
            seconds=2.0,
            intervals=[("999", s, 4, 6.2, 7, 0.93, 0.0, None) for s in starts],
            tours=[repo.TourRecord("999", date(2026, 3, 16), "8-hour", 420, 0, 5, 3)],
        )
    return run_id, plan_id


def test_analyst_sees_forecast_requirement_and_roster_for_the_latest_plan(
    ctx: AppContext, client_as
) -> None:
    _, plan_id = _store(ctx)
    page = client_as(Role.ANALYST).client.get("/planning")
    assert page.status_code == 200
    assert f"Staffing plan {plan_id}: 999 grows 8%" in page.text
    assert "31.2" in page.text and "MSTL" in page.text
    assert "07:00" in page.text and "Mon, Tue, Wed, Thu, Fri" in page.text  # the tour
    data = re.search(
        r'<script type="application/json" id="planning-data">(.*?)</script>', page.text, re.S
    )
    assert data is not None
    charts = json.loads(data.group(1))
    assert charts["999"]["expected"][:2] == [10.0, 11.0]
    assert charts["999"]["rostered"][0] == 7
    assert charts["999"]["time"][0] == "2026-03-16 00:00"  # shown in London time (GMT here)


def test_plotly_comes_from_the_installed_package_and_no_cdn(ctx: AppContext, client_as) -> None:
    _store(ctx)
    analyst = client_as(Role.ANALYST).client
    page = analyst.get("/planning")
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    assert sources == [charts.plotly_js_url(), "/static/planning.js"]  # the board's URL too
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = analyst.get(charts.plotly_js_url())
    assert script.status_code == 200
    assert script.content == PLOTLY_JS.read_bytes()


def test_page_says_what_to_run_when_nothing_is_stored(client_as) -> None:
    page = client_as(Role.SUPERVISOR).client.get("/planning")
    assert page.status_code == 200
    assert "watchhouse forecast" in page.text


def test_an_unknown_plan_is_not_found(client_as) -> None:
    assert client_as(Role.ANALYST).client.get("/planning?plan=999").status_code == 404


def test_the_planning_view_is_built_off_the_event_loop(
    ctx: AppContext, client_as, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view reads whole forecast runs: built in a worker thread, other pages are not held
    behind it (the event loop's thread has a running loop; a worker thread has none)."""
    import asyncio

    from watchhouse.web import planning as page

    _store(ctx)
    seen: list[bool] = []
    built = page.planning_view

    def watched(*args: object, **kwargs: object) -> object:
        try:
            asyncio.get_running_loop()
            seen.append(True)
        except RuntimeError:
            seen.append(False)
        return built(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page, "planning_view", watched)
    assert client_as(Role.ANALYST).client.get("/planning").status_code == 200
    assert seen == [False]
