"""Issue 15, point 3 in a real browser: a DASH answer is saved as the officer chooses it, the
page says so, and the answer is there when the officer leaves and comes back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment, VulnerabilityFlag
from watchhouse.domain.values import Channel, Grade

from .conftest import LiveApp
from .desks import BROWSER_ONLY, OFFICER, add_person, desk, graded_incident

pytestmark = BROWSER_ONLY


def test_a_dash_answer_is_saved_as_chosen_and_kept_after_leaving(
    live_app: LiveApp, new_page, screenshot
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "Olu Officer")
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
    officer = desk(new_page, OFFICER, f"/incidents/{incident_id}/risk")
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
