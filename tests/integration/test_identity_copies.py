"""Identical person records (the same name, date of birth and number, made before callers
were joined at once, or by an import) are one line on the caller card, never offered
separately; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, identity
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

SMALL_FORCE = SynthRequest(start=date(2026, 1, 5), end=date(2026, 2, 2), scale=0.02, seed=5)


def _call(ctx: AppContext, handler: Actor, channel: Channel, **caller: object) -> int:
    caller.setdefault("telephone", "07700 900765")
    return contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=channel,
            caller_given_name="Morwenna",
            caller_family_name="Trelawny",
            summary="Someone keeps ringing the doorbell and running off",
            **caller,  # type: ignore[arg-type]
        ),
    ).contact_id


@pytest.mark.parametrize("channel", [Channel.NON_EMERGENCY_101, Channel.EMERGENCY_999])
def test_identical_person_records_are_one_line_on_the_caller_card(ctx, actors, clock, channel):
    synth_to_database(ctx, SMALL_FORCE)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    handler = actors[Role.CALL_HANDLER]
    never = ctx.policy.identity.model_copy(update={"join_probability": 1.0})
    old = replace(ctx, policy=ctx.policy.model_copy(update={"identity": never}))
    born = date(1971, 5, 9)
    copies = []
    for _ in range(3):
        copies.append(_call(old, handler, Channel.NON_EMERGENCY_101, date_of_birth=born))
        clock.advance(hours=6)
    people = {
        contacts.get_contact(ctx, actor=handler, contact_id=c, justification="t").person
        for c in copies
    }
    assert len(people) == 3, "three identical person records"
    # One of them also rang from another number (lower, so first on that person's record).
    _call(ctx, handler, Channel.NON_EMERGENCY_101, date_of_birth=born, telephone="07700 900111")
    clock.advance(hours=1)

    for caller in ({"date_of_birth": born}, {}):
        taken = _call(ctx, handler, channel, **caller)
        view = contacts.get_contact(ctx, actor=handler, contact_id=taken, justification="t")
        lines = [m for m in view.likely_matches if m.person.family_name == "Trelawny"]
        assert len(lines) == 1, f"identical records offered separately ({caller or 'no born'})"
        clock.advance(hours=1)
