"""A contact typed in without "Presented at" says its answer time is not measured and tells
the handler how it is measured (the telephony feed's answered call, or the time typed in)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, sign_in

pytestmark = BROWSER_ONLY


def _record_101(page: Any, presented_at: str) -> None:
    page.goto("/contacts/new")
    page.get_by_label("101").check()
    page.get_by_label("Presented at").fill(presented_at)
    page.get_by_label("Given name").fill("Margaret")
    page.get_by_label("Family name").fill("Hollis")
    page.get_by_label("Address or place").fill("12 Mill Lane")
    page.get_by_label("Neighbourhood").select_option(label="Central (urban)")
    page.get_by_label("Summary").fill("Car blocking her drive again")
    page.get_by_role("button", name="Record contact and assess").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()


def test_typed_in_call_without_presented_at_says_how_answer_time_is_measured(
    live_app: LiveApp, new_page: Any, screenshot: Any
) -> None:
    page = new_page()
    sign_in(page, *HANDLER)
    _record_101(page, "")
    times = page.locator("p.times")
    expect(times).to_contain_text("answer time not measured")
    expect(times).not_to_contain_text("Presented")  # no ring time was given: none is shown
    help_text = page.locator("#answer-time-help")
    expect(help_text).to_contain_text("recorded without the time it rang")
    expect(help_text).to_contain_text("telephony platform's feed")
    expect(help_text).to_contain_text('"Calls you answered" on your home page')
    expect(help_text).to_contain_text('"Presented at"')
    screenshot(page, "not-measured")

    zone = ZoneInfo(live_app.ctx.policy.force.timezone)
    rang = (live_app.ctx.now() - timedelta(seconds=40)).astimezone(zone)
    _record_101(page, rang.strftime("%d/%m/%Y %H:%M:%S"))
    expect(page.locator("p.times")).to_contain_text("Presented")
    expect(page.locator("p.times")).not_to_contain_text("not measured")
    expect(page.locator("#answer-time-help")).to_have_count(0)
