"""Issue 15, point 18: after "Record contact and assess" the keyboard is at the first THRIVE
question, so the handler goes on without reaching for the mouse."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, desk

pytestmark = BROWSER_ONLY


def test_focus_is_on_the_first_thrive_question_after_recording_the_contact(
    live_app: LiveApp, new_page
) -> None:
    handler = desk(new_page, HANDLER, "/contacts/new")
    handler.get_by_label("999", exact=True).check()
    handler.get_by_label("Address or place").fill("High Street")
    handler.get_by_label("Neighbourhood").select_option(label="Central (urban)")
    handler.get_by_label("Summary").fill("Shouting in the street")
    handler.get_by_role("button", name="Record contact and assess").click()
    expect(handler.get_by_role("heading", name="THRIVE assessment")).to_be_visible()
    first = handler.get_by_role("group", name="Emergency indicators").get_by_role("checkbox").first
    expect(first).to_be_focused()
    # The keyboard carries on from there: space ticks the focused indicator.
    handler.keyboard.press("Space")
    expect(first).to_be_checked()
    expect(handler).to_have_url(re.compile(r"/contacts/\d+"))
