"""The handler's screen opens on the call they answered: the feed made the contact on
answer; the handler's take form completes it (no second contact) and goes on to THRIVE."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from watchhouse.db.tables import ContactRow
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.services import accounts, telephony

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, desk

pytestmark = BROWSER_ONLY


def test_the_handler_completes_the_answered_call_from_their_home_page(
    live_app: LiveApp, new_page
) -> None:
    ctx = live_app.ctx
    user = accounts.add_user(
        ctx,
        username="pbx",
        display_name="Telephony platform",
        role=Role.TELEPHONY_SYSTEM,
        password="pbx-platform-pass-123",
    )
    feed = Actor(user.id, user.username, user.display_name, user.role)
    rang = ctx.now() - timedelta(seconds=20)
    telephony.record_event(
        ctx,
        actor=feed,
        event=CallEvent(
            "PBX-77",
            CallEventKind.PRESENTED,
            rang,
            channel=Channel.EMERGENCY_999,
            caller_number="07700 900456",
        ),
    )
    answered = telephony.record_event(
        ctx,
        actor=feed,
        event=CallEvent(
            "PBX-77",
            CallEventKind.ANSWERED,
            rang + timedelta(seconds=5),
            handler_username="handler",
        ),
    )
    handler = desk(new_page, HANDLER)
    calls = handler.get_by_role("region", name="Calls you answered")
    calls.get_by_role("link", name="07700 900456").click()
    expect(handler.get_by_role("heading", name="Answered call")).to_be_visible()
    expect(handler.get_by_label("Telephone")).to_have_value("07700 900456")
    handler.get_by_label("Given name").fill("Sam")
    handler.get_by_label("Family name").fill("Caller")
    handler.get_by_label("Address or place").fill("12 Market Street")
    handler.get_by_label("Neighbourhood").select_option(label="Central (urban)")
    handler.get_by_label("Summary").fill("Man shouting outside the shop")
    handler.get_by_role("button", name="Record contact and assess").click()
    expect(handler.get_by_role("heading", name="THRIVE assessment")).to_be_visible()
    expect(handler).to_have_url(re.compile(rf"/contacts/{answered.contact_id}$"))
    with ctx.db.transaction() as session:
        rows = session.execute(select(ContactRow.id, ContactRow.caller_name)).all()
    assert [tuple(r) for r in rows] == [(answered.contact_id, "Sam Caller")]
