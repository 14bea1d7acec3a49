"""Issue 2 in a real browser: a 999 knife call from the first ring to an officer's arrival.

A call handler and a dispatcher work at two desks (two browser contexts) against a live
server. The dispatcher's queue is open before the call is taken and must show the new grade 1
incident at the top without a reload; the dispatcher then deploys and records arrival.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services.context import system_clock

from .conftest import DISPATCHER, HANDLER, LiveApp
from .desks import (
    BROWSER_ONLY,
    LIVE_UPDATE_MS,
    OFFICER,
    URGENT,
    add_person,
    desk,
    graded_incident,
    queue_rows,
)

pytestmark = BROWSER_ONLY

KNIFE = "Man with a knife in the street"


def test_knife_call_reaches_the_live_queue_and_an_officer_arrives(
    live_app: LiveApp, new_page, screenshot
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "PC Olu Officer")
    # An older grade 3 job is already waiting, so "top of the queue" means something.
    graded_incident(
        live_app.ctx,
        live_app,
        NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Shed broken into overnight",
            location_description="Garden Row",
            neighbourhood_code="moor",
        ),
        ThriveAssessment(
            Level.LOW, Level.LOW, Level.LOW, Level.LOW, Level.LOW, Engagement.SCHEDULED_ATTENDANCE
        ),
        Grade.SCHEDULED,
    )

    # The dispatcher is watching the queue before the phone rings.
    dispatcher = desk(new_page, DISPATCHER)
    dispatcher.get_by_role("link", name="Dispatch queue", exact=True).click()
    expect(dispatcher.get_by_role("heading", name=re.compile("Dispatch queue"))).to_be_visible()
    expect(dispatcher.locator("#live-state")).to_have_text("live")
    expect(queue_rows(dispatcher)).to_have_count(1)
    expect(queue_rows(dispatcher).first).to_contain_text("Shed broken into overnight")
    expect(dispatcher.get_by_text(KNIFE)).to_have_count(0)

    # The call handler answers a 999 call.
    handler = desk(new_page, HANDLER)
    handler.get_by_role("link", name="New contact", exact=True).click()
    expect(handler.get_by_role("heading", name="New contact")).to_be_visible()
    handler.get_by_label("999", exact=True).check()
    handler.get_by_label("Given name").fill("Sam")
    handler.get_by_label("Family name").fill("Lowe")
    handler.get_by_label("Telephone").fill("07700 900123")
    handler.get_by_label("Address or place").fill("High Street")
    handler.get_by_label("Neighbourhood").select_option(label="Central (urban)")
    handler.get_by_label("Summary").fill(KNIFE)
    handler.get_by_role("button", name="Record contact and assess").click()

    # The contact screen: caller on the left, THRIVE on the right.
    expect(handler.get_by_role("heading", name="THRIVE assessment")).to_be_visible()
    caller = handler.get_by_role("complementary", name="Caller")
    expect(caller).to_contain_text("Sam Lowe")
    expect(caller).to_contain_text("High Street")
    expect(caller).to_contain_text(KNIFE)
    handler.get_by_role("group", name="Emergency indicators").get_by_label("Violence").check()
    for part, level in [
        ("Threat", "High"),
        ("Harm", "High"),
        ("Risk", "High"),
        ("Investigation", "Medium"),
        ("Vulnerability", "Low"),
    ]:
        handler.get_by_role("group", name=part, exact=True).get_by_label(level, exact=True).check()
    handler.get_by_role("group", name="Engagement").get_by_label("Immediate attendance").check()
    handler.get_by_role("button", name="Assess and suggest grade").click()

    suggestion = handler.get_by_role("status")
    expect(suggestion).to_contain_text("Suggested grade: 1")
    expect(suggestion).to_contain_text("emergency indicator: violence")
    expect(handler.get_by_role("radio", name=re.compile(r"^1 ·"))).to_be_checked()
    screenshot(handler, "01-handler-thrive-suggestion")
    handler.get_by_role("button", name="Confirm grade").click()
    graded = handler.get_by_role("heading", name=re.compile(r"^Graded 1 · Emergency"))
    expect(graded).to_be_visible()
    reference = handler.locator("#outcome h2 a").inner_text()

    # Without a reload, the dispatcher's queue shows the new G1 at the top.
    top = queue_rows(dispatcher).first
    expect(top).to_contain_text(KNIFE, timeout=LIVE_UPDATE_MS)
    expect(queue_rows(dispatcher)).to_have_count(2)
    expect(top).to_contain_text("G1")
    expect(top).to_contain_text(reference)
    expect(top).to_contain_text("High Street · Central")
    expect(top.locator(".countdown")).to_have_text(re.compile(r"^1[45]m \d\ds$"))
    expect(queue_rows(dispatcher).nth(1)).to_contain_text("Shed broken into overnight")
    screenshot(dispatcher, "02-dispatcher-queue-new-g1")

    # Deploy a unit from the row, with the keyboard.
    unit = top.get_by_label(f"Unit for {reference}")
    unit.fill("BRAVO21")
    unit.press("Enter")
    row = queue_rows(dispatcher).filter(has_text=KNIFE)
    expect(row).to_contain_text("deployed · BRAVO21")
    expect(row.get_by_role("button", name="Re-deploy")).to_be_visible()
    screenshot(dispatcher, "03-dispatcher-deployed")

    # Record who attended (not the dispatcher who clicks) and their body-worn video.
    row.get_by_label("Officer attending").select_option(label="PC Olu Officer")
    row.get_by_label("Their body-worn video").select_option(label="On")
    row.get_by_role("button", name="Arrived").click()
    row = queue_rows(dispatcher).filter(has_text=KNIFE)
    expect(row).to_contain_text("PC Olu Officer · BWV on")
    expect(row).to_contain_text("attended")
    expect(row.locator(".attended")).to_have_text(re.compile(r"^attended in \d+m \d\ds$"))
    expect(row).not_to_have_class(re.compile(r"\bbreached\b"))
    expect(row.get_by_role("button", name="Arrived")).to_have_count(0)
    screenshot(dispatcher, "04-dispatcher-after-arrival")


def test_incident_past_its_target_shows_as_breached(
    live_app: LiveApp, new_page, screenshot
) -> None:
    half_an_hour_ago = live_app.context_with_clock(lambda: system_clock() - timedelta(minutes=30))
    graded_incident(
        half_an_hour_ago,
        live_app,
        NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Ada",
            caller_family_name="Price",
            summary="Fight outside the Crown pub",
            location_description="Market Square",
            neighbourhood_code="central",
        ),
        URGENT,
        Grade.EMERGENCY,
    )

    dispatcher = desk(new_page, DISPATCHER, "/dispatch")
    row = queue_rows(dispatcher).filter(has_text="Fight outside the Crown pub")
    expect(row).to_have_count(1)
    expect(row).to_have_class(re.compile(r"\bbreached\b"))
    expect(row).to_contain_text("G1")
    # Wording around the overdue time may change; the flag and the overrun must show.
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^BREACHED\b.*\b1[45]m \d\ds$"))
    expect(row.locator(".countdown")).to_have_class(re.compile(r"\bbreach\b"))
    screenshot(dispatcher, "05-dispatcher-breached")
