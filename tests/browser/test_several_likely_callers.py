"""A caller who may be either of two distinct people, in a real browser: a father and son of
one name share a number, and each rang three times with his date of birth. A 101 call in that
name from that number without a date of birth is likely either: the handler sees one line for
each (neither linked, neither put first), the prompt "2 different people on record are each
likely: ask the caller", and the THRIVE assessment in view without scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import identity
from watchhouse.services.context import AppContext

from .conftest import HANDLER, LiveApp
from .desks import (
    BROWSER_ONLY,
    add_person,
    desk,
    earlier_call,
    record_101_contact,
    small_force_ctx,
)

pytestmark = BROWSER_ONLY

NUMBER = "07700 900432"
FATHER_BORN, SON_BORN = date(1958, 1, 20), date(1989, 11, 3)


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live store with four weeks of a small synthetic force, ending a month ago."""
    with small_force_ctx(tmp_path) as ctx:
        yield ctx


def _father_and_son(live: LiveApp) -> None:
    """The model trained, then three calls each from Aled Prydderch senior and junior over
    the last week, each with his date of birth."""
    admin = add_person(live, ("admin", "admin-pass-123"), Role.ADMINISTRATOR, "Ada Admin")
    identity.link_identities(live.ctx, actor=admin)
    # The son's calls become a person of his own: a call in the father's name and number
    # with another date of birth does not join the father (date_of_birth_different_m_max).
    for offset, born in ((7, FATHER_BORN), (4, SON_BORN)):
        for day in range(3):
            earlier_call(
                live,
                NewContact(
                    channel=Channel.NON_EMERGENCY_101,
                    caller_given_name="Aled",
                    caller_family_name="Prydderch",
                    date_of_birth=born,
                    telephone=NUMBER,
                    summary="Car parked across the drive",
                ),
                days_ago=offset - day,
            )


def test_two_likely_people_show_one_card_each_the_prompt_and_thrive_in_view(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    _father_and_son(live_app)
    handler = desk(new_page, HANDLER)
    record_101_contact(
        handler,
        given="Aled",
        family="Prydderch",
        telephone=NUMBER,
        summary="The car is back across the drive",
    )
    expect(handler).to_have_url(re.compile(r"/contacts/\d+$"))

    who = handler.locator("#who")
    expect(who.locator("#several-likely")).to_have_text(
        re.compile(r"^2 different people on record are each likely: ask the caller")
    )
    cards = who.locator(".candidate.compact").filter(has_text="Aled Prydderch")
    expect(cards).to_have_count(2)
    expect(who.locator(".candidate-facts")).to_have_count(0)
    # One line each (compact: neither is put first, and THRIVE stays in view), though the
    # son's three calls are three copies of one person record.
    for born in ("20 Jan 1958", "03 Nov 1989"):
        card = cards.filter(has_text=born)
        expect(card).to_have_count(1)
        expect(
            card.get_by_role("button", name="This is the caller: Aled Prydderch")
        ).to_be_visible()
    expect(who.locator(".linked-tag")).to_have_count(0)

    # THRIVE is where the handler works next: in view at the desk's size, without scrolling.
    assert handler.evaluate("() => window.scrollY") == 0
    expect(handler.get_by_role("heading", name="THRIVE assessment")).to_be_in_viewport()
    expect(handler.locator("#thrive")).to_be_in_viewport()
    screenshot(handler, "several-likely-callers")
