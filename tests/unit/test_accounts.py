"""Sign-in lock-out: the failure that reaches the limit locks the account for a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchhouse.domain.accounts import LockoutRule, after_failed_sign_in, is_locked

pytestmark = pytest.mark.unit

RULE = LockoutRule(max_failures=5, lock_for=timedelta(minutes=15))
NOW = datetime(2026, 2, 3, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(("before", "after"), [(0, 1), (1, 2), (2, 3), (3, 4)])
def test_failures_below_the_limit_are_counted_and_do_not_lock(before: int, after: int) -> None:
    outcome = after_failed_sign_in(before, NOW, RULE)
    assert outcome.failed_count == after
    assert outcome.locked_until is None


def test_the_fifth_failure_locks_the_account_for_fifteen_minutes() -> None:
    outcome = after_failed_sign_in(4, NOW, RULE)
    assert outcome.locked_until == NOW + timedelta(minutes=15)


def test_locking_resets_the_failure_count() -> None:
    assert after_failed_sign_in(4, NOW, RULE).failed_count == 0


def test_five_failures_in_a_row_lock_and_the_sixth_attempt_starts_a_fresh_count() -> None:
    count = 0
    locked_until = None
    for _ in range(RULE.max_failures):
        outcome = after_failed_sign_in(count, NOW, RULE)
        count, locked_until = outcome.failed_count, outcome.locked_until
    assert locked_until == NOW + RULE.lock_for
    assert count == 0
    later = after_failed_sign_in(count, NOW + timedelta(minutes=20), RULE)
    assert (later.failed_count, later.locked_until) == (1, None)


def test_a_limit_of_one_locks_on_the_first_failure() -> None:
    outcome = after_failed_sign_in(0, NOW, LockoutRule(1, timedelta(minutes=1)))
    assert outcome.locked_until == NOW + timedelta(minutes=1)
    assert outcome.failed_count == 0


def test_a_count_already_over_the_limit_still_locks() -> None:
    assert after_failed_sign_in(9, NOW, RULE).locked_until is not None


@pytest.mark.parametrize(
    ("now", "locked"),
    [
        pytest.param(NOW, True, id="at-lock"),
        pytest.param(NOW + timedelta(minutes=14, seconds=59), True, id="one-second-before-expiry"),
        pytest.param(NOW + timedelta(minutes=15), False, id="at-expiry"),
        pytest.param(NOW + timedelta(hours=1), False, id="long-after"),
    ],
)
def test_a_lock_holds_until_it_expires(now: datetime, locked: bool) -> None:
    locked_until = after_failed_sign_in(4, NOW, RULE).locked_until
    assert is_locked(locked_until, now) is locked


def test_an_account_never_locked_is_not_locked() -> None:
    assert is_locked(None, NOW) is False


def test_lock_expiry_compares_instants_across_zones() -> None:
    from zoneinfo import ZoneInfo

    locked_until = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    thirteen_bst_is_noon_utc = datetime(2026, 7, 1, 13, 0, tzinfo=ZoneInfo("Europe/London"))
    assert is_locked(locked_until, thirteen_bst_is_noon_utc) is False
    assert is_locked(locked_until, thirteen_bst_is_noon_utc - timedelta(seconds=1)) is True


def test_lockout_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="must carry a time zone"):
        after_failed_sign_in(4, NOW.replace(tzinfo=None), RULE)
    with pytest.raises(ValueError, match="must carry a time zone"):
        is_locked(NOW, NOW.replace(tzinfo=None))
