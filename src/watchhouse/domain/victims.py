"""The Victims' Code: enhanced rights, updates due after key events, support referrals and the
Victim Personal Statement. Every number comes from the policy, passed in as `VictimsCodeRules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from watchhouse.domain.clock import require_aware
from watchhouse.domain.working_days import WorkingCalendar


class KeyEvent(StrEnum):
    """A decision in an investigation that the victim must be told about."""

    ARREST = "arrest"
    CHARGE = "charge"
    BAIL = "bail"
    RELEASE_UNDER_INVESTIGATION = "release_under_investigation"
    NO_FURTHER_ACTION = "no_further_action"
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"
    OUTCOME = "outcome"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Release under investigation'."""
        return self.value.replace("_", " ").capitalize()


class EnhancedGround(StrEnum):
    """Why a victim is entitled to enhanced rights."""

    MOST_SERIOUS_CRIME = "most_serious_crime"
    PERSISTENTLY_TARGETED = "persistently_targeted"
    VULNERABLE = "vulnerable"
    INTIMIDATED = "intimidated"
    UNDER_18 = "under_18"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Under 18'."""
        return self.value.replace("_", " ").capitalize()


class UpdateMethod(StrEnum):
    """How a victim wants to be kept informed."""

    TELEPHONE = "telephone"
    EMAIL = "email"
    TEXT_MESSAGE = "text_message"
    LETTER = "letter"
    IN_PERSON = "in_person"


class VpsDecision(StrEnum):
    """What the victim said when offered a Victim Personal Statement."""

    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass(frozen=True)
class VictimsCodeRules:
    """The force's Victims' Code deadlines, in working days, and what counts as most serious."""

    update_working_days: int
    enhanced_update_working_days: int
    support_referral_working_days: int
    vps_offer_working_days: int
    most_serious_crime_groups: frozenset[str]
    most_serious_crime_types: frozenset[str]
    domestic_abuse_is_most_serious: bool
    hate_crime_is_most_serious: bool
    adult_age: int


@dataclass(frozen=True)
class NeedsAssessment:
    """What the officer found when assessing the victim's needs, with the crime's facts."""

    crime_group: str
    crime_type: str
    domestic_abuse: bool
    hate_crime: bool
    persistently_targeted: bool
    vulnerable: bool
    intimidated: bool
    date_of_birth: date | None
    offence_date: date


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day` (someone born on 29 February turns a year older on 1 March
    in years without one)."""
    if day < date_of_birth:
        raise ValueError(f"date of birth {date_of_birth} is after {day}")
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def enhanced_grounds(
    assessment: NeedsAssessment, rules: VictimsCodeRules
) -> tuple[EnhancedGround, ...]:
    """Every ground on which the victim has enhanced rights (none: standard rights)."""
    grounds: list[EnhancedGround] = []
    serious = (
        assessment.crime_group in rules.most_serious_crime_groups
        or assessment.crime_type in rules.most_serious_crime_types
        or (rules.domestic_abuse_is_most_serious and assessment.domestic_abuse)
        or (rules.hate_crime_is_most_serious and assessment.hate_crime)
    )
    if serious:
        grounds.append(EnhancedGround.MOST_SERIOUS_CRIME)
    if assessment.persistently_targeted:
        grounds.append(EnhancedGround.PERSISTENTLY_TARGETED)
    if assessment.vulnerable:
        grounds.append(EnhancedGround.VULNERABLE)
    if assessment.intimidated:
        grounds.append(EnhancedGround.INTIMIDATED)
    if (
        assessment.date_of_birth is not None
        and age_on(assessment.date_of_birth, assessment.offence_date) < rules.adult_age
    ):
        grounds.append(EnhancedGround.UNDER_18)
    return tuple(grounds)


def victim_update_due(
    event_at: datetime, *, enhanced: bool, rules: VictimsCodeRules, calendar: WorkingCalendar
) -> datetime:
    """When the victim must be told of a key event: the end of the working day 5 working days
    on (1 for enhanced rights, or as the policy says)."""
    days = rules.enhanced_update_working_days if enhanced else rules.update_working_days
    return calendar.deadline(event_at, days)


def support_referral_due(
    recorded_at: datetime, *, rules: VictimsCodeRules, calendar: WorkingCalendar
) -> datetime:
    """When the victim's details must have gone to victim support (2 working days by default)."""
    return calendar.deadline(recorded_at, rules.support_referral_working_days)


def vps_offer_due(
    assessed_at: datetime, *, rules: VictimsCodeRules, calendar: WorkingCalendar
) -> datetime:
    """When the victim must have been offered a Victim Personal Statement, counted from the
    needs assessment."""
    return calendar.deadline(assessed_at, rules.vps_offer_working_days)


def overdue(due_at: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """A deadline is overdue when it has passed and the thing is still not done."""
    if due_at is None or done_at is not None:
        return False
    return require_aware(now, "now") > require_aware(due_at, "due_at")


def on_time(due_at: datetime, done_at: datetime | None) -> bool | None:
    """Whether a done thing was done by its deadline (None while it is not done)."""
    if done_at is None:
        return None
    return require_aware(done_at, "done_at") <= require_aware(due_at, "due_at")


def earliest(moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest of the given moments, ignoring None (None if there are none)."""
    present = [m for m in moments if m is not None]
    return min(present) if present else None
