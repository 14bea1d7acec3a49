"""An auditor, in a real browser, draws a THRIVE quality sample, scores a record that fails on
risk (the missing finding is pointed out), and the handler's supervisor acknowledges it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact, contact_reference
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import accounts, contacts, teams

from .conftest import LiveApp
from .desks import BROWSER_ONLY, desk

pytestmark = BROWSER_ONLY

AUDITOR = ("aud", "auditor-pass-123")
SUPERVISOR = ("sgt", "supervisor-pass-123")
YES = ("threat", "harm", "investigation", "vulnerability", "engagement", "repeat_check")


def _set_up(live: LiveApp) -> list[int]:
    """Four calls taken by the handler this month; the handler's team under the sergeant."""
    for username, password, role in (
        (*AUDITOR, Role.AUDITOR),
        (*SUPERVISOR, Role.SUPERVISOR),
        ("boss", "administrator-pass-1", Role.ADMINISTRATOR),
    ):
        accounts.add_user(
            live.ctx,
            username=username,
            display_name=username.title(),
            role=role,
            password=password,
        )
    admin = Actor(0, "boss", "Boss", Role.ADMINISTRATOR)
    teams.add_team(
        live.ctx,
        actor=admin,
        code="control-a",
        name="Control A",
        kind="control_room",
        supervisor="sgt",
    )
    teams.assign(live.ctx, actor=admin, username=live.handler.username, team_code="control-a")
    taken = []
    for summary in ("Shed broken into", "Neighbour shouting threats", "Lost dog", "Car on fire"):
        taken.append(
            contacts.take_contact(
                live.ctx,
                actor=live.handler,
                new=NewContact(
                    channel=Channel.NON_EMERGENCY_101,
                    summary=summary,
                    location_description="High Street",
                    neighbourhood_code="central",
                ),
            ).contact_id
        )
    return taken


def test_auditor_scores_a_sampled_call_and_the_supervisor_acknowledges_it(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    taken = _set_up(live_app)
    month = live_app.ctx.now().strftime("%Y-%m")
    page = desk(new_page, AUDITOR)
    page.get_by_role("link", name="Quality audits").click()
    page.get_by_label("Template", exact=True).select_option("thrive_quality")
    page.get_by_label("Month (YYYY-MM)").fill(month)
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_role("heading", name=re.compile("THRIVE quality"))).to_be_visible()
    records = page.locator("tbody tr td:first-child a")
    expect(records).to_have_count(3)  # 3 of the handler's 4 calls
    drawn = records.all_inner_texts()
    assert set(drawn) <= {contact_reference(c) for c in taken}
    screenshot(page, "auditor-sample")

    records.first.click()
    expect(page.get_by_role("heading", name=f"THRIVE quality: {drawn[0]}")).to_be_visible()
    expect(page.locator("#record-heading")).to_be_visible()  # the record beside the questions
    for question in YES:
        page.locator(f'input[name="a_{question}"][value="yes"]').check()
    page.locator('input[name="a_risk"][value="no"]').check()
    page.locator('input[name="a_grade_departure"][value="not_applicable"]').check()
    page.locator('input[name="a_overall"][value="2"]').check()
    page.get_by_role("button", name="Score and go to the next record").click()
    expect(page.locator("#problems")).to_contain_text("say what fell short")
    expect(page.locator('input[name="a_risk"][value="no"]')).to_be_checked()
    page.get_by_label(re.compile("^Finding")).fill("Interim risk to the caller not weighed")
    page.get_by_role("button", name="Score and go to the next record").click()
    expect(page.get_by_role("heading", name=f"THRIVE quality: {drawn[1]}")).to_be_visible()
    screenshot(page, "auditor-next-record")

    sergeant = desk(new_page, SUPERVISOR)
    sergeant.get_by_role("link", name="Audit feedback").first.click()
    row = sergeant.locator("tbody tr", has_text=drawn[0])
    expect(row).to_contain_text("FAIL")
    expect(row).to_contain_text("Interim risk to the caller not weighed")
    row.get_by_label("What was done").fill("Talked it through; risk refresher booked")
    row.get_by_role("button", name="Acknowledge").click()
    expect(sergeant.locator("tbody tr", has_text=drawn[0])).to_contain_text("risk refresher booked")
    screenshot(sergeant, "supervisor-acknowledged")
