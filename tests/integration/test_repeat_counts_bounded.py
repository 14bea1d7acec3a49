"""The live repeat check counts an address's contacts up to a bound (issue 16, Load): an
address everyone rings about (a major incident) has no end of contacts, and every contact
opened would otherwise read them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from support import query_plan, rows_read
from watchhouse.db.repositories import repeats
from watchhouse.domain.records import NewContact
from watchhouse.domain.repeats import RepeatBasis, contacts_within, count_limit
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


def test_a_numbers_counts_read_only_that_numbers_contacts(ctx, actors, neighbourhoods) -> None:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    for n in range(20):  # others ringing about the same fire, in the same window
        _call_from_high_street(ctx, handler, n)
    ids = [_call_from_high_street(ctx, handler, 999) for _ in range(3)]
    rules = ctx.policy.repeat_contacts.domain_rules()
    windows = [rule.within for rule in rules]
    with ctx.db.transaction() as session:
        view = contacts.contacts.contact_view(session=session, contact_id=ids[-1])
        number = session.execute(
            text("SELECT telephone_number_id FROM contacts WHERE id = :id"), {"id": ids[-1]}
        ).scalar_one()
        counted = repeats.repeat_window_counts(
            session=session,
            person_id=None,
            telephone_number_id=number,
            address=None,
            until=view.presented_at,
            windows=windows,
            channels=ctx.policy.repeat_contacts.channels,
            include_abandoned=False,
            most=100,
        )
        assert counted == {RepeatBasis.TELEPHONE: (3,) * len(rules)}
        statement = repeats._window_counts_statement((RepeatBasis.TELEPHONE,), len(windows), False)
        params = {
            "until": view.presented_at,
            **{f"since_{n}": view.presented_at - w for n, w in enumerate(windows)},
            "channels": [c.value for c in ctx.policy.repeat_contacts.channels],
            "number_id": number,
            "most": 100,
        }
        plan = query_plan(session, statement, params)
        scans = [line for line in plan if "contacts" in line and ("SCAN" in line or "Scan" in line)]
        if session.get_bind().dialect.name == "sqlite":
            scans = [line for line in plan if "contacts" in line]
            assert scans and all("ix_contacts_number_presented" in line for line in scans), plan
            assert all("presented_at>" in line.replace(" ", "") for line in scans), plan
        else:
            assert scans and all("ix_contacts_number_presented" in line for line in scans), plan
            # Each window's range holds the number's 3 contacts, not the 23 of the window.
            assert all(rows_read(line) <= 3 for line in scans), plan


def test_counts_across_the_autumn_clock_change_leave_out_later_contacts(
    ctx, actors, neighbourhoods, clock
) -> None:  # type: ignore[no-untyped-def]
    """The window is elapsed time in UTC (7 days are 168 hours, the week the clocks go back
    too), contacts after the one being viewed are not counted, and the bound still applies."""
    handler = actors[Role.CALL_HANDLER]
    until = datetime(2026, 10, 29, 12, 0, tzinfo=UTC)  # the clocks went back on the 25th
    times = [
        until - timedelta(days=7) - timedelta(minutes=30),  # before the change: outside
        until - timedelta(days=7) + timedelta(minutes=30),  # 01:30 BST on the 22nd: inside
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, the first 01:30 of the 25th
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the repeated hour
        until - timedelta(hours=1),
        until,  # the contact being viewed
        until + timedelta(hours=2),  # later than the one viewed
    ]
    clock.set(until + timedelta(hours=3))
    for at in times:
        contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                presented_at=at,
                telephone="07700 900555",
                summary="Again",
            ),
        )
    rules = ctx.policy.repeat_contacts.domain_rules()
    windows = [rule.within for rule in rules]
    with ctx.db.transaction() as session:
        number = session.execute(
            text("SELECT DISTINCT telephone_number_id FROM contacts")
        ).scalar_one()

        def counted(most: int) -> tuple[int, ...]:
            return repeats.repeat_window_counts(
                session=session,
                person_id=None,
                telephone_number_id=number,
                address=None,
                until=until,
                windows=windows,
                channels=ctx.policy.repeat_contacts.channels,
                include_abandoned=False,
                most=most,
            )[RepeatBasis.TELEPHONE]

        expected = tuple(contacts_within(times, until, window) for window in windows)
        assert expected[0] == 5  # the 7-day window: five of the seven
        assert counted(100) == expected
        assert counted(3) == tuple(min(3, n) for n in expected)
