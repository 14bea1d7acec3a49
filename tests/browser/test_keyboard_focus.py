"""Issue 15, point 18: after "Record contact and assess" the keyboard is at the first THRIVE
question, so the handler goes on without reaching for the mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, HANDLER, LiveApp
from .test_first_ring_to_arrival import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]


def test_focus_is_on_the_first_thrive_question_after_recording_the_contact(
    live_app: LiveApp, new_page
) -> None:
    handler = new_page()
    sign_in(handler, *HANDLER)
    handler.goto("/contacts/new")
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
