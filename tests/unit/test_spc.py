"""XmR charts, worked by hand.

The baseline used throughout is 10, 12, 11, 13, 12, 14:
  mean = 72 / 6 = 12; moving ranges 2, 1, 2, 1, 2, mean 8 / 5 = 1.6;
  upper limit 12 + 2.66 x 1.6 = 16.256, lower 12 - 4.256 = 7.744;
  upper range limit 3.268 x 1.6 = 5.2288; sigma 1.6 / 1.128 = 1.41844, two sigma 2.83688,
  so "beyond two sigma" means above 14.837 or below 9.163.
"""

from __future__ import annotations

import pytest

from watchhouse.domain.spc import (
    Signal,
    SpcRules,
    Variation,
    baseline_of,
    earlier_special,
    latest_variation,
    xmr_chart,
)

pytestmark = pytest.mark.unit

BASE = [10.0, 12.0, 11.0, 13.0, 12.0, 14.0]
RULES = SpcRules()


def chart(values, *, rules=RULES, baseline=(0, 6)):
    labels = [f"p{i}" for i in range(len(values))]
    return xmr_chart(values, labels, rules=rules, baseline=baseline)


def flagged(result, signal):
    return [i for i, p in enumerate(result.points) if signal in p.signals]


def test_limits_are_mean_plus_or_minus_2_66_mean_moving_ranges():
    result = chart(BASE)
    assert result.centre == pytest.approx(12.0)
    assert result.mean_moving_range == pytest.approx(1.6)
    assert result.upper == pytest.approx(16.256)
    assert result.lower == pytest.approx(7.744)
    assert result.upper_range_limit == pytest.approx(5.2288)
    assert result.sigma == pytest.approx(1.418440, rel=1e-5)
    assert [p.moving_range for p in result.points] == [None, 2.0, 1.0, 2.0, 1.0, 2.0]
    assert not any(p.special for p in result.points)


def test_limits_come_from_the_baseline_only():
    result = chart([*BASE, 30.0, 31.0])
    assert result.centre == pytest.approx(12.0)
    assert result.upper == pytest.approx(16.256)
    assert result.baseline_labels == ("p0", "p1", "p2", "p3", "p4", "p5")
    everything = chart([*BASE, 30.0, 31.0], baseline=None)
    assert everything.centre == pytest.approx((72 + 30 + 31) / 8)


def test_point_above_the_upper_limit_is_special_cause_high():
    result = chart([*BASE, 16.3])
    assert flagged(result, Signal.OUTSIDE_LIMITS) == [6]
    assert result.points[6].direction == 1
    assert latest_variation(result, higher_is_better=True) is Variation.IMPROVEMENT
    assert latest_variation(result, higher_is_better=False) is Variation.CONCERN
    assert latest_variation(result, higher_is_better=None) is Variation.SPECIAL


def test_special_cause_points_before_the_latest_are_counted_while_the_latest_reads_common():
    result = chart([*BASE, 7.7, 7.6, 16.3, 12.0])
    assert latest_variation(result, higher_is_better=True) is Variation.COMMON
    assert earlier_special(result, higher_is_better=True) == (
        (Variation.CONCERN, 2),
        (Variation.IMPROVEMENT, 1),
    )
    assert earlier_special(result, higher_is_better=None) == ((Variation.SPECIAL, 3),)
    assert earlier_special(chart([*BASE, 16.3]), higher_is_better=True) == ()


def test_point_just_inside_the_limits_is_common_cause():
    result = chart([*BASE, 16.2, 7.8])
    assert flagged(result, Signal.OUTSIDE_LIMITS) == []
    assert latest_variation(result, higher_is_better=True) is Variation.COMMON


def test_point_below_the_lower_limit_is_a_concern_when_higher_is_better():
    result = chart([*BASE, 7.7])
    assert flagged(result, Signal.OUTSIDE_LIMITS) == [6]
    assert result.points[6].direction == -1
    assert latest_variation(result, higher_is_better=True) is Variation.CONCERN


def test_run_of_eight_above_the_centre_line_is_flagged_whole():
    # 14 (index 5) is above the centre too, so the run is indexes 5..13: nine points.
    result = chart([*BASE, 12.5, 13, 12.5, 13, 12.5, 13, 12.5, 13])
    assert flagged(result, Signal.RUN) == list(range(5, 14))
    assert all(result.points[i].direction == 1 for i in range(5, 14))


def test_run_of_seven_is_not_enough_by_default_but_is_with_a_run_length_of_seven():
    values = [*BASE, 11.0, 12.5, 13, 12.5, 13, 12.5, 13, 12.5]  # 7 above after the 11
    assert flagged(chart(values), Signal.RUN) == []
    shorter = chart(values, rules=SpcRules(run_length=7))
    assert flagged(shorter, Signal.RUN) == list(range(7, 14))


def test_a_point_on_the_centre_line_ends_a_run():
    above = [12.5, 13, 12.5, 13, 12.5, 13, 12.5, 13]
    assert flagged(chart([*BASE, 11.0, *above]), Signal.RUN) == list(range(7, 15))
    split = [*BASE, 11.0, *above[:3], 12.0, *above[3:]]  # 12.0 is the centre line
    assert flagged(chart(split), Signal.RUN) == []


def test_six_points_steadily_rising_are_a_trend():
    result = chart([*BASE, 11, 11.5, 12, 12.5, 13, 13.5])
    assert flagged(result, Signal.TREND) == [6, 7, 8, 9, 10, 11]
    assert result.points[11].direction == 1
    assert latest_variation(result, higher_is_better=True) is Variation.IMPROVEMENT


def test_five_rising_points_are_not_a_trend_and_an_equal_pair_breaks_one():
    assert flagged(chart([*BASE, 11, 11.5, 12, 12.5, 13]), Signal.TREND) == []
    assert flagged(chart([*BASE, 11, 11.5, 12, 12, 12.5, 13]), Signal.TREND) == []


def test_six_points_steadily_falling_are_a_downward_trend():
    result = chart([*BASE, 13.5, 13, 12.5, 12, 11.5, 11])
    assert flagged(result, Signal.TREND) == [5, 6, 7, 8, 9, 10, 11]  # 14 starts the fall
    assert result.points[11].direction == -1
    assert latest_variation(result, higher_is_better=False) is Variation.IMPROVEMENT


def test_two_of_three_beyond_two_sigma_on_one_side():
    result = chart([*BASE, 15.0, 12.0, 15.5])
    assert flagged(result, Signal.TWO_OF_THREE) == [6, 8]
    assert flagged(result, Signal.OUTSIDE_LIMITS) == []
    assert result.points[8].direction == 1


def test_two_of_three_can_be_switched_off():
    result = chart([*BASE, 15.0, 12.0, 15.5], rules=SpcRules(two_of_three=False))
    assert not any(p.special for p in result.points)


def test_two_beyond_two_sigma_on_opposite_sides_are_not_a_signal():
    result = chart([*BASE, 15.0, 9.0, 12.0])
    assert flagged(result, Signal.TWO_OF_THREE) == []


def test_missing_values_are_gaps_in_limits_and_ranges():
    values = [10.0, None, 12.0, 11.0, 13.0, 12.0, 14.0]
    result = chart(values, baseline=None)
    assert result.centre == pytest.approx(12.0)
    assert result.mean_moving_range == pytest.approx(1.6)
    assert [p.moving_range for p in result.points] == [None, None, 2.0, 1.0, 2.0, 1.0, 2.0]
    assert result.points[1].signals == frozenset()


def test_too_few_points_give_no_limits_and_no_signals():
    result = chart([10.0, 30.0, 10.0], baseline=None)
    assert not result.has_limits
    assert result.upper is None
    assert latest_variation(result, higher_is_better=True) is Variation.TOO_FEW


def test_bad_input_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="3 values but 2 labels"):
        xmr_chart([1.0, 2.0, 3.0], ["a", "b"], rules=RULES)
    with pytest.raises(ValueError, match="baseline"):
        xmr_chart([1.0, 2.0], ["a", "b"], rules=RULES, baseline=(0, 5))
    with pytest.raises(ValueError, match="run_length"):
        SpcRules(run_length=1)


def test_baseline_of_the_first_points():
    assert baseline_of(24, 12) == (0, 12)
    assert baseline_of(8, 12) is None
    assert baseline_of(24, 0) is None


def test_limits_beyond_what_the_measure_can_take_are_drawn_at_the_bound():
    shares = [0.95, 0.99, 0.93, 0.99, 0.94, 0.99]  # mean 0.965, mean moving range 0.052
    result = xmr_chart(shares, list("abcdef"), rules=RULES, floor=0.0, ceiling=1.0)
    assert result.upper == 1.0  # 0.965 + 2.66 x 0.052 = 1.10332, above 100%
    assert result.lower == pytest.approx(0.82668)
    times = [2.0, 30.0, 3.0, 28.0, 2.0, 31.0]
    assert xmr_chart(times, list("abcdef"), rules=RULES, floor=0.0).lower == 0.0
