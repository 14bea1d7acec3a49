"""The Victims' Code rules: enhanced rights from the needs assessment, updates due after key
events (5 working days, 1 for enhanced rights), support referrals and the VPS offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import holidays
import pytest

from watchhouse.domain.victims import (
    EnhancedGround,
    NeedsAssessment,
    VictimsCodeRules,
    age_on,
    earliest,
    enhanced_grounds,
    on_time,
    overdue,
    support_referral_due,
    victim_update_due,
    vps_offer_due,
)
from watchhouse.domain.working_days import WorkingCalendar

pytestmark = pytest.mark.unit

CALENDAR = WorkingCalendar(
    zone="Europe/London",
    day_ends=time(17),
    bank_holidays=frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[2026, 2027])),
)
RULES = VictimsCodeRules(
    update_working_days=5,
    enhanced_update_working_days=1,
    support_referral_working_days=2,
    vps_offer_working_days=5,
    most_serious_crime_groups=frozenset({"Sexual offences"}),
    most_serious_crime_types=frozenset({"Attempted murder", "Stalking"}),
    domestic_abuse_is_most_serious=True,
    hate_crime_is_most_serious=True,
    adult_age=18,
)
ORDINARY = NeedsAssessment(
    crime_group="Theft offences",
    crime_type="Shoplifting",
    domestic_abuse=False,
    hate_crime=False,
    persistently_targeted=False,
    vulnerable=False,
    intimidated=False,
    date_of_birth=date(1980, 5, 1),
    offence_date=date(2026, 3, 10),
)


def utc(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


GROUNDS = [
    ({}, (), "an adult victim of shoplifting has standard rights"),
    ({"domestic_abuse": True}, (EnhancedGround.MOST_SERIOUS_CRIME,), "domestic abuse"),
    ({"hate_crime": True}, (EnhancedGround.MOST_SERIOUS_CRIME,), "hate crime"),
    (
        {"crime_group": "Sexual offences", "crime_type": "Rape"},
        (EnhancedGround.MOST_SERIOUS_CRIME,),
        "a sexual offence",
    ),
    (
        {"crime_group": "Violence against the person", "crime_type": "Attempted murder"},
        (EnhancedGround.MOST_SERIOUS_CRIME,),
        "attempted murder",
    ),
    ({"persistently_targeted": True}, (EnhancedGround.PERSISTENTLY_TARGETED,), "targeted"),
    ({"vulnerable": True}, (EnhancedGround.VULNERABLE,), "vulnerable"),
    ({"intimidated": True}, (EnhancedGround.INTIMIDATED,), "intimidated"),
    ({"date_of_birth": date(2009, 3, 11)}, (EnhancedGround.UNDER_18,), "17 the day before 18"),
    ({"date_of_birth": date(2008, 3, 10)}, (), "18 on the day of the offence"),
    ({"date_of_birth": None}, (), "date of birth unknown: no age ground"),
    (
        {"date_of_birth": date(2008, 2, 29), "offence_date": date(2026, 2, 28)},
        (EnhancedGround.UNDER_18,),
        "born 29 February: still 17 on 28 February",
    ),
    (
        {"date_of_birth": date(2008, 2, 29), "offence_date": date(2026, 3, 1)},
        (),
        "born 29 February: 18 on 1 March",
    ),
    (
        {"domestic_abuse": True, "vulnerable": True, "date_of_birth": date(2012, 1, 1)},
        (EnhancedGround.MOST_SERIOUS_CRIME, EnhancedGround.VULNERABLE, EnhancedGround.UNDER_18),
        "every ground is listed",
    ),
]


@pytest.mark.parametrize(("changes", "expected", "why"), GROUNDS, ids=[g[2] for g in GROUNDS])
def test_enhanced_rights_grounds(
    changes: dict[str, object], expected: tuple[EnhancedGround, ...], why: str
) -> None:
    assert enhanced_grounds(replace(ORDINARY, **changes), RULES) == expected, why  # type: ignore[arg-type]


def test_the_policy_can_take_domestic_abuse_off_the_most_serious_list() -> None:
    rules = replace(RULES, domestic_abuse_is_most_serious=False)
    assert enhanced_grounds(replace(ORDINARY, domestic_abuse=True), rules) == ()


def test_age_refuses_a_birth_after_the_day() -> None:
    with pytest.raises(ValueError, match="after"):
        age_on(date(2027, 1, 1), date(2026, 1, 1))


UPDATES = [
    (utc(2026, 3, 10, 14), True, utc(2026, 3, 11, 17), "enhanced: next working day's close"),
    (utc(2026, 3, 10, 14), False, utc(2026, 3, 17, 17), "standard: five working days"),
    (utc(2026, 3, 13, 14), True, utc(2026, 3, 16, 17), "enhanced, Friday: Monday"),
    (utc(2026, 3, 13, 18), True, utc(2026, 3, 17, 17), "enhanced, Friday evening: Tuesday"),
    (utc(2026, 4, 2, 10), True, utc(2026, 4, 7, 16), "enhanced, before Easter"),
    (utc(2026, 4, 2, 10), False, utc(2026, 4, 13, 16), "standard, before Easter"),
    (utc(2026, 12, 24, 10), True, utc(2026, 12, 29, 17), "enhanced, Christmas Eve"),
    (utc(2026, 12, 24, 10), False, utc(2027, 1, 5, 17), "standard, Christmas Eve"),
]


@pytest.mark.parametrize(
    ("event", "enhanced", "expected", "why"), UPDATES, ids=[u[3] for u in UPDATES]
)
def test_victim_update_due_after_a_key_event(
    event: datetime, enhanced: bool, expected: datetime, why: str
) -> None:
    assert victim_update_due(event, enhanced=enhanced, rules=RULES, calendar=CALENDAR) == expected


def test_support_referral_is_due_two_working_days_after_recording() -> None:
    assert support_referral_due(utc(2026, 3, 12, 9), rules=RULES, calendar=CALENDAR) == utc(
        2026, 3, 16, 17
    )


def test_vps_offer_is_due_five_working_days_after_the_needs_assessment() -> None:
    assert vps_offer_due(utc(2026, 3, 10, 9), rules=RULES, calendar=CALENDAR) == utc(
        2026, 3, 17, 17
    )


def test_an_update_due_tomorrow_is_overdue_the_day_after_and_not_before() -> None:
    due = victim_update_due(utc(2026, 3, 10, 14), enhanced=True, rules=RULES, calendar=CALENDAR)
    assert not overdue(due, None, utc(2026, 3, 11, 16, 59))
    assert not overdue(due, None, due)
    assert overdue(due, None, utc(2026, 3, 12, 9))
    assert not overdue(due, utc(2026, 3, 11, 10), utc(2026, 3, 12, 9))
    assert not overdue(None, None, utc(2026, 3, 12, 9))


def test_on_time_compares_the_moment_done_with_the_deadline() -> None:
    due = utc(2026, 3, 11, 17)
    assert on_time(due, utc(2026, 3, 11, 17)) is True
    assert on_time(due, utc(2026, 3, 11, 17, 1)) is False
    assert on_time(due, None) is None


def test_earliest_ignores_missing_moments() -> None:
    assert earliest([None, utc(2026, 3, 12), utc(2026, 3, 11), None]) == utc(2026, 3, 11)
    assert earliest([None]) is None
