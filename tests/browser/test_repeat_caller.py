"""Issue 4 in a real browser: a caller with four calls this week, and an open plan already.

The handler takes the caller's fifth call through the screens and must see, before assessing,
the repeat-caller banner (this person too: the call joined the caller's person at once), the
caller's earlier contacts, the neighbourhood team's open problem-solving plan, and who the
caller is: one person on record, linked, with the trained linkage model's probability.
Two handlers taking calls from one new caller at the same moment make one person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, identity, plans
from watchhouse.services.context import AppContext, system_clock

from .conftest import HANDLER, LiveApp
from .desks import (
    BROWSER_ONLY,
    add_person,
    desk,
    earlier_call,
    fill_101_contact,
    record_101_contact,
    sign_in,
    small_force_ctx,
)

pytestmark = BROWSER_ONLY

NUMBER = "07700 900321"
BORN = date(1984, 6, 12)
PHONE_VIEWPORT = {"width": 390, "height": 844}


def _user(live: LiveApp, username: str, role: Role) -> Actor:
    return add_person(live, (username, f"{username}-pass-123"), role, f"{role.label} {username}")


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live store with four weeks of a small synthetic force, ending a month ago."""
    with small_force_ctx(tmp_path) as ctx:
        yield ctx


def _earlier_calls(live: LiveApp) -> None:
    """Joanne Marsh's four calls over the last days (the last yesterday), last night's repeat
    batch, and the identity linkage."""
    now = system_clock()
    for days_ago in (5, 3, 2, 1):
        earlier_call(
            live,
            NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name="Joanne",
                caller_family_name="Marsh",
                date_of_birth=BORN,
                telephone=NUMBER,
                summary="Youths kicking the door again",
                location_description="7 Mill Lane",
                postcode="WH1 3ML",
                neighbourhood_code="central",
            ),
            days_ago=days_ago,
        )
    supervisor = _user(live, "sgt", Role.SUPERVISOR)
    # The batch runs for the force's local day on which the fourth call was made.
    yesterday: date = (now - timedelta(days=1)).astimezone(ZoneInfo("Europe/London")).date()
    opened = plans.run_daily_batch(live.ctx, actor=supervisor, day=yesterday)
    assert opened.plans_opened, "last night's batch should open a plan"
    identity.link_identities(live.ctx, actor=_user(live, "admin", Role.ADMINISTRATOR))


def test_fifth_call_shows_the_banner_the_likely_person_and_the_open_plan(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    _earlier_calls(live_app)
    handler = desk(new_page, HANDLER)
    record_101_contact(
        handler, given="Jo", family="Marsh", telephone=NUMBER, summary="They are back at the door"
    )

    banner = handler.locator("#repeat-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("This telephone number: 5 contacts in 7 days")
    expect(handler.locator("#open-plan")).to_contain_text("Open problem-solving plan")
    expect(handler.get_by_role("heading", name="Earlier contacts 4")).to_be_visible()

    expect(banner).to_contain_text("This person: 5 contacts in 7 days")

    who = handler.locator("#who")
    expect(who.get_by_role("heading", name="Who is the caller?")).to_be_visible()
    # One caller is one person: a single card, linked to this contact already.
    cards = who.locator(".candidate").filter(has_text="Joanne Marsh")
    expect(cards).to_have_count(1)
    known = cards.first
    expect(known.locator(".linked-tag")).to_have_text("Linked to this contact")
    expect(known.locator(".probability")).to_contain_text("likely the same person")
    expect(known.locator(".probability strong")).to_have_text(
        # a percentage with one decimal, or 'over 99.9%'
        re.compile(r"^(over )?\d{1,3}\.\d%$")
    )
    expect(known).to_contain_text("12 Jun 1984")
    expect(known.locator(".evidence")).to_contain_text("telephone: same")
    expect(known.locator(".evidence")).to_contain_text("given name: same formal name (a nickname)")
    expect(known.get_by_role("button", name="This is the caller: Joanne Marsh")).to_have_count(0)
    screenshot(handler, "handler-repeat-caller")

    handler.set_viewport_size(PHONE_VIEWPORT)
    fits = handler.evaluate(
        "() => document.querySelector('#who').getBoundingClientRect().right <= window.innerWidth"
    )
    assert fits, "the 'Who is the caller?' panel must fit a phone's width"
    screenshot(handler, "handler-repeat-caller-phone")


def _fill_new_caller(page: Page) -> None:
    """The new-contact form for a caller never seen before, ready to send."""
    fill_101_contact(
        page,
        given="Priya",
        family="Castellane",
        telephone="07700 900654",
        summary="A car has been left running outside for an hour",
    )


def test_two_handlers_taking_one_new_callers_calls_at_once_make_one_person(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    second = _user(live_app, "hal", Role.CALL_HANDLER)
    desks = [new_page(), new_page()]
    sign_in(desks[0], *HANDLER)
    sign_in(desks[1], second.username, "hal-pass-123")
    for page in desks:
        _fill_new_caller(page)
    # Both forms are sent before either answer comes back.
    for page in desks:
        page.evaluate("document.querySelector('form[action=\"/contacts\"]').requestSubmit()")
    for page in desks:
        expect(page).to_have_url(re.compile(r"/contacts/\d+$"))
        expect(page.locator("#who")).to_be_visible()

    people = set()
    for page in desks:
        contact_id = int(page.url.rsplit("/", 1)[1])
        view = contacts.get_contact(
            live_app.ctx, actor=live_app.handler, contact_id=contact_id, justification="test"
        )
        assert view.person is not None
        people.add(view.person.id)
    assert len(people) == 1, "one caller is one person"
    screenshot(desks[1], "second-handler-same-caller")
