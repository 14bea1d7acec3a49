"""Found walking the demo as a call handler: a new 999 caller's screen listed four other people
of the same family name at 1.6% likely (policy `minimum_probability_shown` was 0.01). A
handler is shown a person only when the linkage makes them worth a look (0.2 by default,
docs/policy.md): a new caller with no similar person on record sees that no one matches and
that there are no earlier contacts, while a caller whose name is spelt another way, from a new
number, is still offered the person they may be."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import identity
from watchhouse.services.context import AppContext

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, add_person, desk, earlier_call, small_force_ctx

pytestmark = BROWSER_ONLY

KNOWN_NUMBER, STRANGER_NUMBER = "07700 900614", "07700 900615"


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live store with four weeks of a small synthetic force, ending a month ago."""
    with small_force_ctx(tmp_path) as ctx:
        yield ctx


def _two_tregarthens(live: LiveApp) -> None:
    """The model trained; then Bronwen Tregarthen rang three times this week with her date of
    birth, and someone who gave only the family name Tregarthen rang once from another
    number."""
    admin = add_person(live, ("admin", "admin-pass-123"), Role.ADMINISTRATOR, "Ada Admin")
    identity.link_identities(live.ctx, actor=admin)
    calls = [("Bronwen", date(1961, 5, 14), KNOWN_NUMBER, days) for days in (6, 4, 2)]
    for given, born, number, days in [*calls, ("", None, STRANGER_NUMBER, 3)]:
        earlier_call(
            live,
            NewContact(
                channel=Channel.NON_EMERGENCY_101,
                caller_given_name=given,
                caller_family_name="Tregarthen",
                date_of_birth=born,
                telephone=number,
                summary="Bins left across the pavement",
            ),
            days_ago=days,
        )


def _new_999_call(handler: Page, *, given: str, telephone: str) -> None:
    """The handler records a 999 call from a caller named Tregarthen, without a date of birth."""
    handler.get_by_role("link", name="New contact", exact=True).click()
    handler.get_by_label("999", exact=True).check()
    handler.get_by_label("Given name").fill(given)
    handler.get_by_label("Family name").fill("Tregarthen")
    handler.get_by_label("Telephone").fill(telephone)
    handler.get_by_label("Summary").fill("Smoke coming from the house next door")
    handler.get_by_role("button", name="Record contact and assess").click()
    expect(handler).to_have_url(re.compile(r"/contacts/\d+$"))


def test_a_new_caller_is_shown_no_strangers_but_a_near_match_still_shows(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    _two_tregarthens(live_app)
    handler = desk(new_page, HANDLER)

    # A new caller who shares only the family name with anyone on record.
    _new_999_call(handler, given="Morwenna", telephone="07700 900616")
    who = handler.locator("#who")
    expect(who).to_contain_text("no one else on record matches the caller's details")
    expect(who.locator(".candidate")).to_have_count(0)
    expect(handler.get_by_text("No earlier contacts from this person or number.")).to_be_visible()
    screenshot(handler, "new-caller")

    # Bronwen, her name spelt another way, from a new number: still offered, not joined.
    _new_999_call(handler, given="Bronwyn", telephone="07700 900617")
    known = who.locator(".candidate").filter(has_text="Bronwen Tregarthen")
    expect(known).to_have_count(1)
    expect(
        known.get_by_role("button", name="This is the caller: Bronwen Tregarthen")
    ).to_be_visible()
    expect(who.locator(".linked-tag")).to_have_count(0)
    expect(who.locator(".candidate")).to_have_count(1)  # and no stranger beside her
    screenshot(handler, "near-match")
