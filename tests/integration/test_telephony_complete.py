"""The handler completes the contact the telephony feed made on answer (caller, where, what)
instead of making a second one; later feed events keep what the handler took down."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, telephony
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration


def _answered(ctx: AppContext, actors: dict[Role, Actor]) -> int:
    feed = actors[Role.TELEPHONY_SYSTEM]
    t0 = ctx.now() - timedelta(minutes=1)
    telephony.record_event(
        ctx,
        actor=feed,
        event=CallEvent(
            "PBX-9",
            CallEventKind.PRESENTED,
            t0,
            channel=Channel.EMERGENCY_999,
            caller_number="07700 900456",
        ),
    )
    done = telephony.record_event(
        ctx,
        actor=feed,
        event=CallEvent(
            "PBX-9",
            CallEventKind.ANSWERED,
            t0 + timedelta(seconds=6),
            handler_username=actors[Role.CALL_HANDLER].username,
        ),
    )
    assert done.contact_id is not None
    return done.contact_id


DETAILS = NewContact(
    channel=Channel.LIVE_CHAT,  # ignored: the feed knows the channel
    caller_given_name="Sam",
    caller_family_name="Caller",
    location_description="12 Market Street",
    neighbourhood_code="central",
    summary="Man shouting outside the shop",
)


def _rows(ctx: AppContext) -> list[ContactRow]:
    with ctx.db.transaction() as session:
        rows = list(session.scalars(select(ContactRow)))
        session.expunge_all()
        return rows


def test_the_take_form_completes_the_feeds_contact_and_makes_no_second(
    ctx: AppContext, actors: dict[Role, Actor], neighbourhoods: dict[str, str]
) -> None:
    contact_id = _answered(ctx, actors)
    (before,) = _rows(ctx)
    handler = actors[Role.CALL_HANDLER]
    # The caller gives another number to call back on: the handler corrects it.
    corrected = replace(DETAILS, telephone="07700 900999")
    contacts.complete_feed_contact(ctx, actor=handler, contact_id=contact_id, new=corrected)
    (after,) = _rows(ctx)
    assert after.id == contact_id
    assert (after.caller_name, after.summary) == ("Sam Caller", "Man shouting outside the shop")
    assert after.location_id is not None and after.person_id is not None
    # The feed's channel, times and handler stay.
    assert (after.channel, after.presented_at, after.answered_at) == (
        "999",
        before.presented_at,
        before.answered_at,
    )
    assert after.caller_telephone == "07700 900999"
    assert after.telephone_number_id not in (None, before.telephone_number_id)
    assert after.handler_id == handler.user_id and after.status == "open"
    # A later event from the feed completes the call and keeps the handler's details.
    telephony.record_event(
        ctx,
        actor=actors[Role.TELEPHONY_SYSTEM],
        event=CallEvent("PBX-9", CallEventKind.ENDED, ctx.now()),
    )
    (ended,) = _rows(ctx)
    assert (ended.caller_name, ended.ended_at) == ("Sam Caller", ctx.now())
    assert (ended.caller_telephone, ended.telephone_number_id) == (
        "07700 900999",
        after.telephone_number_id,
    )
    view = contacts.get_contact(ctx, actor=handler, contact_id=contact_id, justification="t")
    assert view.telephone == "+447700900999"  # the linked number, as for a contact taken here


def test_only_an_open_contact_the_feed_made_can_be_completed(
    ctx: AppContext, actors: dict[Role, Actor], neighbourhoods: dict[str, str]
) -> None:
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=DETAILS)
    with pytest.raises(ValidationFailed, match="not made by the feed"):
        contacts.complete_feed_contact(ctx, actor=handler, contact_id=taken.contact_id, new=DETAILS)
    contact_id = _answered(ctx, actors)
    with ctx.db.transaction() as session:
        session.execute(
            ContactRow.__table__.update().where(ContactRow.id == contact_id).values(status="graded")
        )
    with pytest.raises(Conflict, match="already graded"):
        contacts.complete_feed_contact(ctx, actor=handler, contact_id=contact_id, new=DETAILS)


def test_completing_while_the_feed_posts_the_end_keeps_both(
    ctx: AppContext, actors: dict[Role, Actor], neighbourhoods: dict[str, str]
) -> None:
    contact_id = _answered(ctx, actors)
    end = CallEvent("PBX-9", CallEventKind.ENDED, ctx.now())

    def complete() -> None:
        contacts.complete_feed_contact(
            ctx, actor=actors[Role.CALL_HANDLER], contact_id=contact_id, new=DETAILS
        )

    def post() -> None:
        telephony.record_event(ctx, actor=actors[Role.TELEPHONY_SYSTEM], event=end)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(complete), pool.submit(post), pool.submit(post)]:
            future.result()
    (row,) = _rows(ctx)
    assert (row.caller_name, row.ended_at, row.telephone_number_id is not None) == (
        "Sam Caller",
        ctx.now(),
        True,
    )
