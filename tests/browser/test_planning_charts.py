"""The analyst's planning page in a real browser: the Plotly charts draw, from the locally
served plotly.js, with no request leaving the machine and nothing refused by the page's CSP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import expect

from plan_support import add_hourly_forecast
from watchhouse.db.repositories import planning as repo
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services.context import AppContext

from .conftest import LiveApp
from .desks import ANALYST, BROWSER_ONLY, add_person, desk, sign_in

pytestmark = BROWSER_ONLY

FIRST = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday


def _store_plan(ctx: AppContext) -> None:
    """One week of hourly 999 forecast and a plan with a roster."""
    starts = [int((FIRST + timedelta(hours=h)).timestamp()) for h in range(7 * 24)]
    expected = [12.0 + 8 * ((h % 24) in range(10, 22)) for h in range(7 * 24)]
    with ctx.db.transaction() as session:
        run_id = add_hourly_forecast(
            session,
            first=FIRST,
            channel="999",
            expected=expected,
            lower=[e * 0.8 for e in expected],
            upper=[e * 1.2 for e in expected],
            summary={
                "model": "MSTL",
                "bank_holiday_factor": 1.0,
                "expected_total": sum(expected),
                "scores": [
                    {"model": "MSTL", "mase": 0.7, "coverage": 0.8},
                    {"model": "SeasonalNaive", "mase": 1.1, "coverage": 0.9},
                ],
            },
        )
        repo.add_plan(
            session=session,
            forecast_run_id=run_id,
            created_at=FIRST,
            created_by=None,
            label="policy",
            targets={},
            summary={
                "999": {
                    "channel": "999",
                    "target": "90% answered within 10 s",
                    "aht_seconds": 240.0,
                    "patience_seconds": None,
                    "mean_handlers": 5.0,
                    "peak_handlers": 7,
                    "service_level": 0.93,
                    "abandonment": 0.0,
                    "full_time_equivalent": 40.0,
                    "peak_week_full_time_equivalent": 40.0,
                    "cost": 1500.0,
                    "roster_gap": 0.05,
                    "disagreements": [],
                }
            },
            seconds=1.0,
            intervals=[("999", s, 5, 7.7, 8, 0.93, 0.0, None) for s in starts],
            tours=[repo.TourRecord("999", date(2026, 6, 1), "8-hour", 420, 0, 5, 4)],
        )


def test_analyst_sees_forecast_and_cover_charts_drawn_from_local_plotly(
    live_app: LiveApp, new_page: Any, screenshot: Any
) -> None:
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Analyst")
    _store_plan(live_app.ctx)
    page = new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, *ANALYST)
    page.get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", name="Staffing plan 1: policy")).to_be_visible()
    expect(page.locator("#forecast-999 .main-svg").first).to_be_visible()
    expect(page.locator("#cover-999 .main-svg").first).to_be_visible()
    expect(page.locator("#cover-999")).to_contain_text("rostered")
    screenshot(page, "planning")
    assert hosts == {urlparse(live_app.url).netloc}
    assert problems == []  # no script error, no CSP refusal
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []


def _quick_what_ifs(ctx: AppContext) -> None:
    """Hourly intervals as the stored forecast, 999 handling time fixed in policy (the test
    store has no calls to estimate it from); the policy's roster settings as they are."""
    planning = ctx.policy.planning
    channels = dict(planning.channels)
    channels[Channel.EMERGENCY_999] = channels[Channel.EMERGENCY_999].model_copy(
        update={"aht_seconds": 240.0}
    )
    planning = planning.model_copy(update={"interval_minutes": 60, "channels": channels})
    ctx.policy = ctx.policy.model_copy(update={"planning": planning})


def test_analyst_asks_a_what_if_and_sees_before_and_after(
    live_app: LiveApp, new_page: Any, screenshot: Any
) -> None:
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Analyst")
    _store_plan(live_app.ctx)
    _quick_what_ifs(live_app.ctx)
    page = new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, *ANALYST)
    page.goto(f"{live_app.url}/planning")
    page.get_by_label("Channel").select_option("999")
    page.get_by_label("Answer within (seconds)").fill("soon")
    page.get_by_role("button", name="Work it out").click()
    expect(page.get_by_role("alert")).to_contain_text("must be a number of seconds")
    expect(page.get_by_label("Answer within (seconds)")).to_have_value("soon")  # kept
    page.get_by_label("Answer within (seconds)").fill("")
    page.get_by_label("Demand change (%)").fill("+8")
    page.get_by_role("button", name="Work it out").click()
    expect(page.get_by_role("heading", name="What-if: what-if 999: demand +8%")).to_be_visible()
    expect(page.locator("#what-if-answer")).to_contain_text("FTE")
    expect(page.locator("#what-if-answer")).to_contain_text("estimate")
    expect(page.locator("#cover-999")).to_contain_text("rostered before")
    screenshot(page, "planning-what-if")
    assert problems == []


# The check axe's "nested-interactive" rule makes: an element whose children are presentational
# (role img, or a button or link) must hold nothing a keyboard can reach.
NESTED_INTERACTIVE = """() => {
  const focusable = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  return [...document.querySelectorAll('[role="img"], [role="button"], button, a[href]')]
    .filter((outer) => outer.querySelector(focusable))
    .map((outer) => outer.id || outer.outerHTML.slice(0, 80));
}"""


def test_the_planning_charts_controls_are_not_hidden_inside_an_image(
    live_app: LiveApp, new_page: Any
) -> None:
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Analyst")
    _store_plan(live_app.ctx)
    page = desk(new_page, ANALYST, f"{live_app.url}/planning")
    expect(page.locator("#cover-999 .modebar-btn").first).to_be_attached()
    expect(page.get_by_role("figure", name="Staff required against rostered cover for 999"))
    assert page.evaluate(NESTED_INTERACTIVE) == []


# The boxes of a chart's x-axis labels, its legend, and the chart itself.
LABEL_BOXES = """(id) => {
  const chart = document.getElementById(id);
  const box = (e) => { const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  return {
    chart: box(chart),
    ticks: [...chart.querySelectorAll('.xtick text')].map(box),
    legend: [...chart.querySelectorAll('.legend .traces')].map(box),
    title: [...chart.querySelectorAll('.gtitle')].map(box),
  };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
        or a["right"] <= b["left"]
        or b["right"] <= a["left"]
    )


def test_the_chart_legends_leave_the_date_labels_readable(live_app: LiveApp, new_page: Any) -> None:
    """Issue 15, the demo walked as an analyst: the legend sat over the second line of the
    x-axis labels, so "Dec 13 / 2026" lost its year."""
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Analyst")
    _store_plan(live_app.ctx)
    page = desk(new_page, ANALYST, f"{live_app.url}/planning")
    for chart in ("forecast-999", "cover-999"):
        expect(page.locator(f"#{chart} .legend .traces").first).to_be_visible()
        boxes = page.evaluate(LABEL_BOXES, chart)
        assert boxes["ticks"] and boxes["legend"]
        for tick in boxes["ticks"]:
            assert tick["bottom"] <= boxes["chart"]["bottom"] + 1, chart  # not cut off
            assert not any(_overlap(tick, entry) for entry in boxes["legend"]), chart
        for title in boxes["title"]:  # nor does the legend cover the chart's title
            assert not any(_overlap(title, entry) for entry in boxes["legend"]), chart
