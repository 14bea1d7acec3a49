"""Shared steps of the browser tests: people at their desks, what they open, earlier incidents."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.thrive import EmergencyIndicator, Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import accounts, contacts
from watchhouse.services.context import AppContext, system_clock
from watchhouse.services.synth import SynthRequest

from .conftest import CHROMIUM, LiveApp, open_live_ctx

# Every browser test module: `pytestmark = BROWSER_ONLY`.
BROWSER_ONLY = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]

# How long a change may take to reach another desk over the live stream.
LIVE_UPDATE_MS = 10_000

OFFICER = ("officer1", "officer-pass-123")
SUPERVISOR = ("supervisor1", "supervisor1-pass-123")
ANALYST = ("analyst", "analyst-pass-123")

URGENT = ThriveAssessment(
    Level.HIGH,
    Level.HIGH,
    Level.HIGH,
    Level.LOW,
    Level.LOW,
    Engagement.IMMEDIATE_ATTENDANCE,
    frozenset({EmergencyIndicator.VIOLENCE}),
)


def add_person(live: LiveApp, login: tuple[str, str], role: Role, name: str) -> Actor:
    """An account for one more person, beside the handler and dispatcher every app has."""
    user = accounts.add_user(
        live.ctx, username=login[0], display_name=name, role=role, password=login[1]
    )
    return Actor(user.id, user.username, user.display_name, user.role)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the form, with the keyboard."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()


def desk(new_page: Callable[[], Page], login: tuple[str, str], path: str | None = None) -> Page:
    """A fresh browser for one person, signed in, with `path` open when given."""
    page = new_page()
    sign_in(page, *login)
    if path is not None:
        page.goto(path)
    return page


def queue_rows(page: Page) -> Any:
    """The rows of the dispatch queue's body."""
    return page.locator("#queue-rows > tr")


def graded_incident(
    ctx: AppContext, live: LiveApp, new: NewContact, assessment: ThriveAssessment, grade: Grade
) -> int:
    """A contact taken, assessed and graded through the services (as an earlier shift did)."""
    taken = contacts.take_contact(ctx, actor=live.handler, new=new)
    contacts.assess_thrive(
        ctx, actor=live.handler, contact_id=taken.contact_id, assessment=assessment, notes={}
    )
    return contacts.grade_contact(ctx, actor=live.handler, contact_id=taken.contact_id, grade=grade)


def earlier_call(live: LiveApp, new: NewContact, *, days_ago: float) -> int:
    """A contact the handler took `days_ago` days ago (by the real clock); its id."""
    moment = system_clock() - timedelta(days=days_ago)
    ctx = live.context_with_clock(lambda: moment)
    return contacts.take_contact(ctx, actor=live.handler, new=new).contact_id


def urgent_999(
    live: LiveApp,
    summary: str,
    place: str,
    *,
    ctx: AppContext | None = None,
    postcode: str = "",
) -> int:
    """A 999 call in 'central' assessed URGENT and graded 1 (emergency) by an earlier shift."""
    return graded_incident(
        ctx or live.ctx,
        live,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary=summary,
            location_description=place,
            neighbourhood_code="central",
            postcode=postcode,
        ),
        URGENT,
        Grade.EMERGENCY,
    )


def fill_101_contact(
    handler: Page, *, given: str, family: str, telephone: str, summary: str
) -> None:
    """The handler opens New contact and fills in a 101 call, ready to send."""
    handler.get_by_role("link", name="New contact", exact=True).click()
    handler.get_by_label("101", exact=True).check()
    handler.get_by_label("Given name").fill(given)
    handler.get_by_label("Family name").fill(family)
    handler.get_by_label("Telephone").fill(telephone)
    handler.get_by_label("Summary").fill(summary)


def record_101_contact(
    handler: Page, *, given: str, family: str, telephone: str, summary: str
) -> None:
    """The handler records a 101 call through the New contact form and goes on to assess it."""
    fill_101_contact(handler, given=given, family=family, telephone=telephone, summary=summary)
    handler.get_by_role("button", name="Record contact and assess").click()


@contextmanager
def small_force_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live store with four weeks of a small synthetic force, ending a month ago, for the
    linkage model to learn from."""
    today = system_clock().date()
    force = SynthRequest(
        start=today - timedelta(days=60), end=today - timedelta(days=32), scale=0.02, seed=5
    )
    with open_live_ctx(tmp_path, force) as ctx:
        yield ctx
