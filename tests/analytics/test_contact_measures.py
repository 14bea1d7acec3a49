"""Contact measures on a hand-built force; every expected value is worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut, Period

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)


@pytest.fixture
def may_999() -> Force:
    """Five 999 calls on 7 May 2024: answered in 2, 4, 10 and 70 s, and one abandoned."""
    force = Force()
    central = force.neighbourhood("central")
    moor = force.neighbourhood("moor", "rural")
    at = utc(2024, 5, 7, 9)
    force.contact(at, wait=2, place=central)
    force.contact(at, wait=4, place=central)
    force.contact(at, wait=10, place=moor)
    force.contact(at, wait=70, place=moor)
    force.contact(at, abandoned=True, place=moor)
    force.contact(at, channel="101")  # not a 999 call: outside every 999 measure
    return force


def test_abandoned_999_call_counts_against_the_10_second_standard(may_999: Force) -> None:
    # Presented and finished: 5 (4 answered + 1 abandoned). Under 10 s: the 2 s and 4 s calls.
    # Exactly 10 s does not meet the standard (published band "10 to under 60 s").
    # 2 / 5 = 0.4.
    assert may_999.value("contact.999_answered_within_10s", MAY) == pytest.approx(0.4)


def test_abandoned_999_call_is_outside_the_home_office_bands(may_999: Force) -> None:
    # The bands are shares of the 4 answered calls: under 10 s 2/4, 10 to under 60 s 1/4 (the
    # 10 s call), 60 s or more 1/4 (the 70 s call). They add up to 1.
    assert may_999.value("contact.999_answered_under_10s", MAY) == pytest.approx(0.5)
    assert may_999.value("contact.999_answered_10_to_60s", MAY) == pytest.approx(0.25)
    assert may_999.value("contact.999_answered_60s_or_more", MAY) == pytest.approx(0.25)


def test_999_answer_time_mean_median_and_90th_percentile(may_999: Force) -> None:
    # Answered: 2, 4, 10, 70 s. Mean 86 / 4 = 21.5. Median (4 + 10) / 2 = 7.
    # 90th percentile, linear: rank 0.9 * (4 - 1) = 2.7 -> 10 + 0.7 * (70 - 10) = 52.
    assert may_999.value("contact.999_mean_answer_seconds", MAY) == pytest.approx(21.5)
    assert may_999.value("contact.999_median_answer_seconds", MAY) == pytest.approx(7.0)
    assert may_999.value("contact.999_p90_answer_seconds", MAY) == pytest.approx(52.0)


def test_999_abandonment_rate(may_999: Force) -> None:
    # 1 abandoned of 5 finished calls.
    assert may_999.value("contact.999_abandonment_rate", MAY) == pytest.approx(0.2)


def test_999_share_by_neighbourhood(may_999: Force) -> None:
    # Central: 2 s and 4 s, both within: 2/2. Moor: 10 s, 70 s and the abandoned call: 0/3.
    values = may_999.values(
        "contact.999_answered_within_10s", start=MAY, end=MAY, cut=Cut.NEIGHBOURHOOD
    )
    assert {v.cut_value: (v.numerator, v.denominator) for v in values} == {
        "central": (2.0, 2.0),
        "moor": (0.0, 3.0),
    }


def test_101_mean_answer_and_abandonment() -> None:
    # Answered in 30 s and 90 s: mean 60 s. 1 abandoned of 3 finished calls: 1/3.
    # A call still waiting (neither answered nor abandoned) is in neither measure.
    force = Force()
    at = utc(2024, 5, 9, 12)
    force.contact(at, channel="101", wait=30)
    force.contact(at, channel="101", wait=90)
    force.contact(at, channel="101", abandoned=True)
    force.contact(at, channel="101")
    assert force.value("contact.101_mean_answer_seconds", MAY) == pytest.approx(60.0)
    assert force.value("contact.101_abandonment_rate", MAY) == pytest.approx(1 / 3)


def test_live_chat_and_online_waits() -> None:
    # Chats waited 20 s and 40 s: mean 30 s. Online reports waited 30 and 90 minutes: 60 min.
    force = Force()
    at = utc(2024, 5, 9, 12)
    force.contact(at, channel="live_chat", wait=20)
    force.contact(at, channel="live_chat", wait=40)
    force.contact(at, channel="online_report", wait=30 * 60)
    force.contact(at, channel="online_report", wait=90 * 60)
    force.contact(at, channel="online_report")  # not yet picked up: left out
    assert force.value("contact.live_chat_mean_wait_seconds", MAY) == pytest.approx(30.0)
    assert force.value("contact.online_mean_wait_minutes", MAY) == pytest.approx(60.0)


def test_demand_by_channel(may_999: Force) -> None:
    # Five 999 calls (the abandoned one included) and one 101 call.
    values = may_999.values("contact.demand", start=MAY, end=MAY, cut=Cut.CHANNEL)
    assert {v.cut_value: v.value for v in values} == {"101": 1.0, "999": 5.0}


def test_contact_just_before_midnight_utc_in_summer_is_the_next_local_day() -> None:
    # 31 March 2024 is the day the clocks go forward: from 01:00 UTC London is UTC+1.
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: April, not March.
    # 00:30 UTC on 31 March is 00:30 GMT, still 31 March.
    force = Force()
    force.contact(utc(2024, 3, 31, 0, 30), wait=5)
    force.contact(utc(2024, 3, 31, 23, 30), wait=5)
    march, april = force.values("contact.demand", start=date(2024, 3, 1), end=date(2024, 4, 30))
    assert (march.period_label, march.value) == ("2024-03", 1.0)
    assert (april.period_label, april.value) == ("2024-04", 1.0)
    days = force.values(
        "contact.demand", start=date(2024, 3, 31), end=date(2024, 4, 1), period=Period.DAY
    )
    assert [(d.period_label, d.value) for d in days] == [("2024-03-31", 1.0), ("2024-04-01", 1.0)]


def test_contact_across_the_autumn_change_lands_on_the_local_day() -> None:
    # 27 October 2024 the clocks go back at 02:00 BST (01:00 UTC). 23:30 UTC on 26 October is
    # 00:30 BST on 27 October; 23:30 UTC on 27 October is 23:30 GMT, still 27 October.
    force = Force()
    force.contact(utc(2024, 10, 26, 23, 30), wait=5)
    force.contact(utc(2024, 10, 27, 23, 30), wait=5)
    days = force.values(
        "contact.demand", start=date(2024, 10, 26), end=date(2024, 10, 28), period=Period.DAY
    )
    assert [(d.period_label, d.value) for d in days] == [
        ("2024-10-26", None),
        ("2024-10-27", 2.0),
        ("2024-10-28", None),
    ]


def test_an_empty_month_has_no_value_for_any_measure(may_999: Force) -> None:
    # June has no records at all: every measure's value is None (not 0, not an error).
    from watchhouse.analytics.catalogue import catalogue

    june = date(2024, 6, 1)
    for definition in catalogue():
        (value,) = may_999.values(definition.key, start=june, end=june)
        assert value.value is None, definition.key
        assert value.period_label == "2024-06"
