"""A partner referral moves made -> accepted or declined -> completed, with its outcome."""

from __future__ import annotations

import pytest

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.referrals import ReferralStatus as S
from watchhouse.domain.referrals import check_referral_update

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("current", "new", "outcome"),
    [
        (S.MADE, S.ACCEPTED, ""),
        (S.MADE, S.DECLINED, "not our service"),
        (S.ACCEPTED, S.COMPLETED, "seen by the crisis team"),
    ],
)
def test_allowed_moves(current: S, new: S, outcome: str) -> None:
    assert check_referral_update(current, new, outcome) == new


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.MADE, S.COMPLETED),
        (S.DECLINED, S.ACCEPTED),
        (S.COMPLETED, S.MADE),
        (S.ACCEPTED, S.DECLINED),
    ],
)
def test_other_moves_are_refused(current: S, new: S) -> None:
    with pytest.raises(Conflict):
        check_referral_update(current, new, "some outcome")


@pytest.mark.parametrize("new", [S.DECLINED])
def test_declining_needs_an_outcome(new: S) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_referral_update(S.MADE, new, "  ")
    assert refused.value.problems[0].field == "outcome"


def test_completing_needs_an_outcome() -> None:
    with pytest.raises(ValidationFailed):
        check_referral_update(S.ACCEPTED, S.COMPLETED, "")
