"""Partner referrals: what may follow what, and when an outcome must be recorded."""

from __future__ import annotations

from enum import StrEnum

from watchhouse.domain.errors import Conflict, ValidationFailed


class ReferralStatus(StrEnum):
    """Where a referral to a partner agency stands."""

    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


_NEXT = {
    ReferralStatus.MADE: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
}


def check_referral_update(
    current: ReferralStatus, new: ReferralStatus, outcome: str
) -> ReferralStatus:
    """Accept a referral's next status; declining or completing needs the outcome in words."""
    if new not in _NEXT[current]:
        raise Conflict(f"a referral that is {current.value} cannot become {new.value}")
    if new in (ReferralStatus.DECLINED, ReferralStatus.COMPLETED) and not outcome.strip():
        raise ValidationFailed.one("outcome", f"record the outcome when a referral is {new.value}")
    return new
