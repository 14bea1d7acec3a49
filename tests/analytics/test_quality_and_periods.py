"""First contact quality measures and the periods, on a hand-built force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut, Period
from watchhouse.analytics.periods import span_at, spans

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
T0 = utc(2024, 5, 10, 12)


def test_thrive_completed_leaves_abandoned_contacts_out() -> None:
    # Three answered contacts, two with THRIVE (one assessed twice), one abandoned call:
    # 2 of 3.
    force = Force()
    a = force.contact(T0, wait=2)
    b = force.contact(T0, wait=2)
    force.contact(T0, wait=2)
    force.contact(T0, abandoned=True)
    force.thrive(a, T0)
    force.thrive(a, T0 + timedelta(minutes=5))
    force.thrive(b, T0)
    assert force.value("first_contact.thrive_completed", MAY) == pytest.approx(2 / 3)


def test_grade_mix_adds_up_to_one() -> None:
    # Incidents: grade 1, 2, 2, 4: shares 1/4, 2/4, 0, 1/4.
    force = Force()
    for grade in (1, 2, 2, 4):
        force.incident(force.contact(T0, wait=1), grade=grade, created=T0)
    mix = [force.value(f"first_contact.grade_{g}_share", MAY) for g in (1, 2, 3, 4)]
    assert mix == [0.25, 0.5, 0.0, 0.25]


def test_repeat_callers_recognised_at_first_contact() -> None:
    # Caller A (linkage cluster 100) calls 5 times in 5 days from number 7, linked to person 1
    # each time: the 4th and 5th contacts cross "more than 3 in 7 days"; the screen counts by
    # person 1 and number 7 and sees them too: 2 recognised of 2.
    # Caller B (cluster 200) calls 4 times in 4 days, each time from a different number and
    # never linked to a person: the 4th crosses by who B is, but nothing the screen counts by
    # crosses: 0 of 1. Overall 2 of 3.
    force = Force()
    for day in range(5):
        c = force.contact(T0 + timedelta(days=day), wait=2, person=1, phone=7)
        force.cluster(c, 100)
    for day in range(4):
        c = force.contact(T0 + timedelta(days=day), wait=2, phone=20 + day)
        force.cluster(c, 200)
    (value,) = force.values("first_contact.repeat_callers_recognised", start=MAY, end=MAY)
    assert (value.numerator, value.denominator) == (2.0, 3.0)


def test_abandoned_calls_do_not_make_a_repeat_caller() -> None:
    # Four contacts in a week, but one abandoned (the policy does not count abandoned calls):
    # only 3 count, no rule is crossed, so there is no repeat caller: no value.
    force = Force()
    for day in range(3):
        force.contact(T0 + timedelta(days=day), wait=2, person=1)
    force.contact(T0 + timedelta(days=3), abandoned=True, person=1)
    assert force.value("first_contact.repeat_callers_recognised", MAY) is None


def test_referrals_and_101_demand_resolved_by_referral() -> None:
    # Two 101 calls, one referred to a partner (twice): referrals 2; resolved by referral 1/2.
    force = Force()
    one = force.incident(force.contact(T0, channel="101", wait=5), grade=4, created=T0)
    force.incident(force.contact(T0, channel="101", wait=5), grade=4, created=T0)
    force.referral(one, T0)
    force.referral(one, T0 + timedelta(hours=1), agency="housing")
    assert force.value("first_contact.partner_referrals", MAY) == 2.0
    assert force.value("first_contact.101_resolved_by_referral", MAY) == 0.5


def test_plans_opened_and_reviews_overdue() -> None:
    # Plans opened in May: 3. Reviews due in May and passed at the snapshot (1 July): still open
    # (overdue), closed before the date (not overdue), closed after it (overdue): 2 of 3.
    force = Force()
    due = utc(2024, 5, 24, 12)
    force.problem_plan(T0, due)
    force.problem_plan(T0, due, closed=due - timedelta(days=1))
    force.problem_plan(T0, due, closed=due + timedelta(days=2))
    assert force.value("first_contact.plans_opened", MAY) == 3.0
    assert force.value("first_contact.plans_overdue", MAY, as_of=utc(2024, 7, 1)) == pytest.approx(
        2 / 3
    )


def test_period_labels_and_starts() -> None:
    weeks = spans(Period.WEEK, date(2024, 5, 1), date(2024, 5, 14))
    assert [(w.start, w.label) for w in weeks] == [
        (date(2024, 5, 6), "2024-W19"),
        (date(2024, 5, 13), "2024-W20"),
    ]
    quarters = spans(Period.QUARTER, date(2024, 1, 1), date(2024, 12, 31))
    assert [q.label for q in quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    (rolling,) = spans(Period.ROLLING_12, date(2024, 5, 1), date(2024, 5, 31))
    assert (rolling.start, rolling.last, rolling.label) == (
        date(2023, 6, 1),
        date(2024, 5, 31),
        "12 months to 2024-05",
    )
    assert span_at(Period.ROLLING_12, date(2023, 6, 1)) == rolling
    with pytest.raises(ValueError, match="no week period starts on 2024-05-01"):
        span_at(Period.WEEK, date(2024, 5, 1))


def test_rolling_12_months_sums_the_twelve_months() -> None:
    # Demand: one contact in June 2023, one in May 2024, one in June 2024. The 12 months to
    # May 2024 (June 2023 to May 2024) hold 2; to June 2024 (July 2023 to June 2024) hold 2.
    force = Force()
    for at in (utc(2023, 6, 15, 12), utc(2024, 5, 15, 12), utc(2024, 6, 15, 12)):
        force.contact(at, wait=1)
    values = force.values(
        "contact.demand", start=date(2024, 5, 1), end=date(2024, 6, 30), period=Period.ROLLING_12
    )
    assert [(v.period_label, v.value) for v in values] == [
        ("12 months to 2024-05", 2.0),
        ("12 months to 2024-06", 2.0),
    ]


def test_cut_values_that_are_missing_in_a_period_have_no_value() -> None:
    # Central has a call in May and June; Moor only in May: Moor's June is None.
    force = Force()
    central = force.neighbourhood("central")
    moor = force.neighbourhood("moor")
    force.contact(T0, wait=1, place=central)
    force.contact(T0, wait=1, place=moor)
    force.contact(utc(2024, 6, 10, 12), wait=1, place=central)
    values = force.values("contact.demand", start=MAY, end=date(2024, 6, 30), cut=Cut.NEIGHBOURHOOD)
    assert [(v.period_label, v.cut_value, v.value) for v in values] == [
        ("2024-05", "central", 1.0),
        ("2024-05", "moor", 1.0),
        ("2024-06", "central", 1.0),
        ("2024-06", "moor", None),
    ]
