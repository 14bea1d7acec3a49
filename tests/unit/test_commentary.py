"""Commentary written from the numbers: the words a chief officer reads in the pack."""

from __future__ import annotations

import pytest

from watchhouse.domain.commentary import (
    MeasureFacts,
    commentary,
    format_change,
    format_value,
    headline,
)
from watchhouse.domain.spc import Variation

pytestmark = pytest.mark.unit


def facts(**changes) -> MeasureFacts:
    base = {
        "title": "999 answering within 10 s",
        "unit": "share",
        "period_name": "May 2024",
        "same_period_name": "Same month last year",
        "current": 0.91,
        "previous": 0.882,
        "last_year": 0.865,
        "variation": Variation.IMPROVEMENT,
        "target": 0.90,
        "target_status": "meets",
    }
    base.update(changes)
    return MeasureFacts(**base)


def test_a_rise_that_is_special_cause_reads_as_an_improvement():
    assert commentary(facts()) == (
        "999 answering within 10 s rose to 91.0% in May 2024 (from 88.2%), a special-cause "
        "improvement. Same month last year: 86.5% (+4.5 points). Target 90.0%: meets."
    )


def test_a_fall_within_the_limits_reads_as_normal_variation():
    text = commentary(
        facts(current=0.84, variation=Variation.COMMON, target_status="misses", last_year=None)
    )
    assert text == (
        "999 answering within 10 s fell to 84.0% in May 2024 (from 88.2%), within normal "
        "variation. Target 90.0%: misses."
    )


def test_an_unchanged_value_held_and_a_concern_is_named():
    text = commentary(facts(current=0.8821, variation=Variation.CONCERN, target=None))
    assert text.startswith(
        "999 answering within 10 s held at 88.2% in May 2024, a special-cause concern."
    )
    assert "Target" not in text


def test_times_and_counts_are_shown_in_their_units():
    text = commentary(
        facts(
            title="101 mean time to answer",
            unit="seconds",
            current=95.25,
            previous=120.0,
            last_year=101.0,
            variation=Variation.TOO_FEW,
            target=None,
        )
    )
    assert text == (
        "101 mean time to answer fell to 95.2 s in May 2024 (from 120.0 s), too few points "
        "yet to tell real change from normal variation. Same month last year: 101.0 s (-5.8 s)."
    )
    assert format_value(1234.0, "count") == "1,234"
    assert format_value(45.25, "minutes") == "45.2 min"
    assert format_change(1300.0, 1234.0, "count") == "+66"


def test_an_empty_month_says_there_is_no_data():
    text = commentary(facts(current=None, previous=0.9, target_status="no data"))
    assert text == (
        "999 answering within 10 s: no data for May 2024. Same month last year: 86.5%. "
        "Target 90.0%: no data."
    )


def test_no_previous_period_gives_the_value_alone():
    text = commentary(facts(previous=None, last_year=None, variation=Variation.TOO_FEW))
    assert text.startswith("999 answering within 10 s was 91.0% in May 2024, too few points")


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        format_value(1.0, "furlongs")


def test_headline_counts_targets_and_special_causes():
    text = headline(
        [
            facts(),
            facts(target_status="misses", variation=Variation.CONCERN),
            facts(target_status="approaches", variation=Variation.COMMON),
            facts(target_status="meets", variation=Variation.IMPROVEMENT),
        ]
    )
    assert text == (
        "2 of 4 headline measures meet their target, 1 approach it and 1 miss it; "
        "at the latest point, 2 special-cause improvements and 1 special-cause concern."
    )
