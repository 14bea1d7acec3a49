"""Worst-first ranking that counts the records behind each value, and CSV cells a spreadsheet
cannot run as formulas."""

from __future__ import annotations

import csv
import io

import pytest

from watchhouse.domain.ranking import rank_value, too_few, wilson_interval
from watchhouse.io.spreadsheet import csv_text

pytestmark = pytest.mark.unit


def _rank(numerator: float, denominator: float, higher_is_better: bool = True) -> float | None:
    return rank_value(
        value=numerator / denominator,
        numerator=numerator,
        denominator=denominator,
        higher_is_better=higher_is_better,
        is_share=True,
        confidence=0.95,
    )


def test_one_missed_call_of_one_does_not_rank_below_a_large_area_that_is_surely_worse():
    one_of_one_missed = _rank(0, 1)
    many_mostly_missed = _rank(300, 1000)  # 30% of 1,000 calls answered in time
    assert many_mostly_missed is not None and one_of_one_missed is not None
    assert many_mostly_missed < one_of_one_missed  # sorted ascending: worst first


def test_for_a_rate_where_lower_is_better_the_surely_high_area_ranks_first():
    two_of_two_abandoned = _rank(2, 2, higher_is_better=False)
    many_abandoned = _rank(400, 1000, higher_is_better=False)
    assert many_abandoned is not None and two_of_two_abandoned is not None
    assert many_abandoned < two_of_two_abandoned


def test_the_wilson_interval_holds_the_rate_and_narrows_with_more_records():
    low_small, high_small = wilson_interval(5, 10, 0.95)
    low_big, high_big = wilson_interval(500, 1000, 0.95)
    assert low_small < 0.5 < high_small and low_big < 0.5 < high_big
    assert high_big - low_big < high_small - low_small
    assert too_few(3, 10) and not too_few(10, 10)


def test_csv_cells_that_would_run_as_formulas_are_written_as_text():
    text = csv_text(
        ["reference", "note"], [["C0000001", '=HYPERLINK("http://x")'], [-3, "@SUM(A1)"]]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["C0000001", '\'=HYPERLINK("http://x")']
    assert rows[2] == ["-3", "'@SUM(A1)"]  # a negative number stays a number
