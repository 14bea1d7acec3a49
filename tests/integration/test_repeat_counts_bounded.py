"""The live repeat check counts an address's contacts up to a bound (issue 16, Load): an
address everyone rings about (a major incident) has no end of contacts, and every contact
opened would otherwise read them all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from watchhouse.db.repositories import repeats
from watchhouse.domain.records import NewContact
from watchhouse.domain.repeats import RepeatBasis, count_limit
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts

pytestmark = pytest.mark.integration


def _call_from_high_street(ctx, handler, number: int) -> int:  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            telephone=f"07700 900{number:03d}",
            location_description="1 High Street",
            postcode="AB1 2CD",
            neighbourhood_code="central",
            summary="Smoke from the warehouse",
        ),
    ).contact_id


def test_counts_stop_at_the_bound_each_window_and_basis(ctx, actors, neighbourhoods) -> None:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    ids = [_call_from_high_street(ctx, handler, n) for n in range(6)]
    rules = ctx.policy.repeat_contacts.domain_rules()
    with ctx.db.transaction() as session:
        view = contacts.contacts.contact_view(session=session, contact_id=ids[-1])

        def counted(most: int) -> dict[RepeatBasis, tuple[int, ...]]:
            return repeats.repeat_window_counts(
                session=session,
                person_id=None,
                telephone_number_id=None,
                address=("AB1 2CD", "1 high street"),
                until=view.presented_at,
                windows=[rule.within for rule in rules],
                channels=ctx.policy.repeat_contacts.channels,
                include_abandoned=True,
                most=most,
            )

        assert counted(100) == {RepeatBasis.ADDRESS: (6,) * len(rules)}
        assert counted(4) == {RepeatBasis.ADDRESS: (4,) * len(rules)}
        before = repeats.repeat_window_counts(
            session=session,
            person_id=None,
            telephone_number_id=None,
            address=("AB1 2CD", "1 High Street"),
            until=view.presented_at - timedelta(days=365),
            windows=[rule.within for rule in rules],
            channels=ctx.policy.repeat_contacts.channels,
            include_abandoned=True,
            most=100,
        )
        assert before == {RepeatBasis.ADDRESS: (0,) * len(rules)}


def test_the_screen_says_the_bound_or_more_past_it(
    ctx, actors, neighbourhoods, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    rules = ctx.policy.repeat_contacts.domain_rules()
    most = count_limit(rules, shown=7)
    monkeypatch.setattr(contacts, "count_limit", lambda rules: most)
    ids = [_call_from_high_street(ctx, handler, n) for n in range(most + 2)]
    view = contacts.get_contact(ctx, actor=handler, contact_id=ids[-1], justification=None)
    address = [f for f in view.repeat_findings if f.basis is RepeatBasis.ADDRESS]
    assert [(f.count, f.at_least) for f in address] == [(most, True)] * len(rules)
