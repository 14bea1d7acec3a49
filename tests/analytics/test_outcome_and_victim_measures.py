"""Investigations, domestic abuse and stop and search measures on a hand-built force;
expected values worked out in the comments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
T0 = utc(2024, 5, 10, 12)
AS_OF = utc(2024, 7, 1)


def _crimes() -> Force:
    """Theft: outcome 1 in May, outcome 18 in May, outcome 0 (open); Burglary: outcome 1 in May,
    outcome 14 in May; and a theft charged in June."""
    force = Force()
    force.crime(T0, outcome=1, outcome_at=T0 + timedelta(days=3))
    force.crime(T0, outcome=18, outcome_at=T0 + timedelta(days=5))
    force.crime(T0, outcome=0)
    force.crime(T0, group="Burglary", outcome=1, outcome_at=T0 + timedelta(days=1))
    force.crime(T0, group="Burglary", outcome=14, outcome_at=T0 + timedelta(days=2))
    force.crime(T0, outcome=1, outcome_at=utc(2024, 6, 3, 9))
    return force


def test_outcome_0_is_outside_the_charge_rate() -> None:
    # May outcomes 1..22: theft 1 and 18, burglary 1 and 14 = 4 crimes, 2 charged: 0.5.
    # The open theft (outcome 0) is in neither numerator nor denominator; the June charge is
    # in June.
    force = _crimes()
    (may,) = force.values("investigations.charge_rate", start=MAY, end=MAY)
    assert (may.value, may.numerator, may.denominator) == (0.5, 2.0, 4.0)


def test_charge_rate_by_crime_group() -> None:
    # Theft: 1 of 2 (1, 18). Burglary: 1 of 2 (1, 14).
    force = _crimes()
    values = force.values("investigations.charge_rate", start=MAY, end=MAY, cut=Cut.CRIME_GROUP)
    assert {v.cut_value: v.value for v in values} == {"Burglary": 0.5, "Theft offences": 0.5}


def test_outcome_mix_adds_up_to_one() -> None:
    # May: charged 2/4, evidential difficulties (14) 1/4, no suspect (18) 1/4, others 0.
    force = _crimes()
    mix = {
        key: force.value(f"investigations.{key}", MAY)
        for key in (
            "charge_rate",
            "outcome_out_of_court",
            "outcome_evidential_difficulties",
            "outcome_no_suspect",
            "outcome_other",
        )
    }
    assert mix == {
        "charge_rate": 0.5,
        "outcome_out_of_court": 0.0,
        "outcome_evidential_difficulties": 0.25,
        "outcome_no_suspect": 0.25,
        "outcome_other": 0.0,
    }


def test_plans_and_first_supervisor_reviews() -> None:
    # Four crimes allocated on 10 May: reviewed after 6 days (on time), after exactly 7 days
    # (on time), after 8 days (late), never (7 days long passed: late). 2 of 4.
    # A fifth allocated on 30 June, never reviewed: its 7 days have not passed at the snapshot
    # (1 July), so June has no value. Plans: two of the May crimes: 2 of 4 recorded in May.
    force = Force()
    crimes = [force.crime(T0, allocated=T0) for _ in range(4)]
    for crime, days in zip(crimes, (6, 7, 8), strict=False):
        force.review(crime, T0 + timedelta(days=days))
    force.crime(utc(2024, 6, 30, 9), allocated=utc(2024, 6, 30, 9))
    force.plan(crimes[0], T0)
    force.plan(crimes[1], T0 + timedelta(days=1))
    assert force.value("investigations.first_review_on_time", MAY, as_of=AS_OF) == 0.5
    assert force.value("investigations.first_review_on_time", date(2024, 6, 1), as_of=AS_OF) is None
    assert force.value("investigations.plan_present", MAY) == 0.5


def test_victim_updates_in_working_days_with_bank_holidays_and_enhanced_rights() -> None:
    # Decision on Friday 3 May 2024; Monday 6 May is a bank holiday. The working days after it:
    # Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 (5), Tue 14 (6).
    # So a theft victim told on Mon 13 May is on time (5 working days); told Tue 14 is late.
    # A domestic abuse crime (enhanced rights, 1 working day): told Tue 7 May is on time (the
    # bank holiday does not count), told Wed 8 is late. One never told, long past: late.
    # On time: 2 of 5.
    force = Force()
    friday = utc(2024, 5, 3, 10)
    theft = force.crime(friday)
    da = force.crime(friday, group="Violence against the person", domestic_abuse=True)
    force.victim_update(theft, friday, utc(2024, 5, 13, 16))
    force.victim_update(theft, friday, utc(2024, 5, 14, 9))
    force.victim_update(da, friday, utc(2024, 5, 7, 16))
    force.victim_update(da, friday, utc(2024, 5, 8, 9))
    force.victim_update(theft, friday, None)
    assert force.value("investigations.victim_updates_on_time", MAY, as_of=AS_OF) == pytest.approx(
        0.4
    )


def test_dash_completion_refusal_levels_and_marac() -> None:
    # Four domestic abuse incidents in May: completed (high, referred to MARAC), completed
    # (standard), refused, and one in progress. Completion: 2 of 4. Refusal: of the finished
    # assessments (2 completed + 1 refused) 1 of 3. Levels (of the 2 completed): high 1/2,
    # standard 1/2, medium 0. MARAC referrals: 1.
    force = Force()
    ids = []
    for _ in range(4):
        contact = force.contact(T0, channel="101", wait=5)
        ids.append(force.incident(contact, grade=2, created=T0))
    high = force.assessment(ids[0], T0, level="high")
    force.assessment(ids[1], T0, level="standard")
    force.assessment(ids[2], T0, refused=True)
    force.assessment(ids[3], T0, status="in_progress")
    force.marac(high, T0)
    assert force.value("domestic_abuse.dash_completed", MAY) == 0.5
    assert force.value("domestic_abuse.dash_refused", MAY) == pytest.approx(1 / 3)
    assert force.value("domestic_abuse.high_risk_share", MAY) == 0.5
    assert force.value("domestic_abuse.medium_risk_share", MAY) == 0.0
    assert force.value("domestic_abuse.standard_risk_share", MAY) == 0.5
    assert force.value("domestic_abuse.marac_referrals", MAY) == 1.0


def test_stop_search_volume_and_arrests_by_neighbourhood() -> None:
    # Central: 3 searches, 1 arrest. Moor: 1 search, 1 arrest. Force: 4 searches, 2 of 4.
    force = Force()
    force.neighbourhood("central")
    force.neighbourhood("moor", "rural")
    for arrest in (True, False, False):
        force.stop_search(T0, arrest=arrest, hood=1)
    force.stop_search(T0, arrest=True, hood=2)
    assert force.value("proactive.stop_searches", MAY) == 4.0
    assert force.value("proactive.stop_search_arrest_share", MAY) == 0.5
    by_hood = force.values(
        "proactive.stop_search_arrest_share", start=MAY, end=MAY, cut=Cut.NEIGHBOURHOOD
    )
    assert {v.cut_value: v.value for v in by_hood} == {"central": 1 / 3, "moor": 1.0}
