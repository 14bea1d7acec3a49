"""Issue 15, point 3 in a real browser: a DASH answer is saved as the officer chooses it, the
page says so, and the answer is there when the officer leaves and comes back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment, VulnerabilityFlag
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import accounts

from .conftest import CHROMIUM, LiveApp
from .test_first_ring_to_arrival import graded_incident, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]

OFFICER = ("officer1", "officer-pass-123")


def test_a_dash_answer_is_saved_as_chosen_and_kept_after_leaving(
    live_app: LiveApp, new_page, screenshot
) -> None:
    accounts.add_user(
        live_app.ctx,
        username=OFFICER[0],
        display_name="Olu Officer",
        role=Role.OFFICER,
        password=OFFICER[1],
    )
    incident_id = graded_incident(
        live_app.ctx,
        live_app,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Partner shouting and throwing things",
            location_description="Canal Row",
            neighbourhood_code="central",
        ),
        ThriveAssessment(
            Level.MEDIUM,
            Level.MEDIUM,
            Level.MEDIUM,
            Level.LOW,
            Level.MEDIUM,
            Engagement.PROMPT_ATTENDANCE,
            vulnerabilities=frozenset({VulnerabilityFlag.DOMESTIC_ABUSE}),
        ),
        Grade.PRIORITY,
    )
    officer = new_page()
    sign_in(officer, *OFFICER)
    officer.goto(f"/incidents/{incident_id}/risk")
    expect(officer.locator("#saved-state")).to_have_text("No answers saved yet.")
    first = officer.locator("#q01")
    first.get_by_label("Yes").check()
    expect(officer.locator("#saved-state")).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    screenshot(officer, "answer-saved")

    officer.goto(f"/incidents/{incident_id}")
    officer.goto(f"/incidents/{incident_id}/risk")
    expect(officer.locator("#q01").get_by_label("Yes")).to_be_checked()
    expect(officer.locator("#saved-state")).to_have_text(
        re.compile(r"^Answers saved at \d\d:\d\d\.$")
    )
