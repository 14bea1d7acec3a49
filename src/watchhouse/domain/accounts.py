"""Account rules: lock-out after repeated failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from watchhouse.domain.clock import require_aware


@dataclass(frozen=True)
class LockoutRule:
    """How many failures lock an account, and for how long."""

    max_failures: int
    lock_for: timedelta


@dataclass(frozen=True)
class SignInOutcome:
    """The failure count and lock after one sign-in attempt."""

    failed_count: int
    locked_until: datetime | None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """True while a lock set earlier is still in force."""
    return locked_until is not None and require_aware(now) < require_aware(locked_until)


def after_failed_sign_in(failed_count: int, now: datetime, rule: LockoutRule) -> SignInOutcome:
    """Count a failure; reaching the limit locks the account and resets the count."""
    count = failed_count + 1
    if count >= rule.max_failures:
        return SignInOutcome(0, require_aware(now) + rule.lock_for)
    return SignInOutcome(count, None)
