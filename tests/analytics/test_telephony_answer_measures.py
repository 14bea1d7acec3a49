"""The 999 and 101 answer and abandonment measures from whichever source the force has for
each channel and day: per-call telephony records, else interval statistics, else the contacts'
own times. Every expected value is worked out by hand in the comments, and DuckDB and Spark
agree on every period and cut."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut, Period, spec
from watchhouse.analytics.model import MeasureParams

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
ANSWER_KEYS = (
    "contact.999_answered_within_10s",
    "contact.999_abandonment_rate",
    "contact.101_abandonment_rate",
    "contact.999_mean_answer_seconds",
    "contact.999_median_answer_seconds",
    "contact.999_answered_under_10s",
    "contact.101_mean_answer_seconds",
)


def _interval(
    force: Force,
    start: datetime,
    *,
    channel: str = "999",
    offered: int,
    answered: int,
    abandoned: int,
    within: dict[int, int],
) -> None:
    interval = force._add(
        "telephony_intervals",
        channel=channel,
        interval_start=start,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
    )
    for seconds, calls in within.items():
        force._add(
            "telephony_interval_thresholds", interval_id=interval, seconds=seconds, answered=calls
        )


def _call(
    force: Force,
    at: datetime,
    *,
    channel: str = "999",
    wait: float | None = None,
    abandoned_after: float | None = None,
) -> None:
    force._add(
        "telephony_calls",
        channel=channel,
        presented_at=at,
        answered_at=None if wait is None else at + timedelta(seconds=wait),
        abandoned_at=None if abandoned_after is None else at + timedelta(seconds=abandoned_after),
    )


@pytest.fixture
def mixed() -> Force:
    """7 May: 999 intervals and typed contacts. 8 May: 999 per-call records, intervals and
    contacts. 9 May: 101 intervals. 10 May: 101 contacts only."""
    force = Force()
    may7, may8 = utc(2024, 5, 7, 9), utc(2024, 5, 8, 9)
    _interval(force, may7, offered=12, answered=11, abandoned=1, within={10: 9, 15: 10})
    _interval(force, may7 + timedelta(minutes=15), offered=8, answered=8, abandoned=0,
              within={10: 8})  # fmt: skip
    # No 10-second column: in the abandonment rate, not in the within-10-seconds share.
    _interval(force, may7 + timedelta(minutes=30), offered=5, answered=4, abandoned=1,
              within={15: 4})  # fmt: skip
    force.contact(may7, wait=2)
    force.contact(may7, wait=20)
    _call(force, may8, wait=3)
    _call(force, may8, wait=12)
    _call(force, may8, abandoned_after=30)
    _call(force, may8)  # still ringing: finished neither way
    _call(force, may8, channel="other", wait=1)  # not a 999 or 101 line
    _interval(force, may8, offered=100, answered=50, abandoned=50, within={10: 10})
    force.contact(may8, wait=50)
    _interval(force, utc(2024, 5, 9, 9), channel="101", offered=30, answered=24, abandoned=6,
              within={10: 5})  # fmt: skip
    force.contact(utc(2024, 5, 10, 9), channel="101", wait=40)
    force.contact(utc(2024, 5, 10, 9), channel="101", abandoned=True)
    return force


def test_999_answered_within_10_seconds_from_intervals_and_per_call_records(
    mixed: Force,
) -> None:
    # 7 May, intervals (better than the contacts' times): within 10 s 9 + 8 = 17 of
    # 12 + 8 = 20 offered and finished; the third interval has no 10 s column, left out.
    # 8 May, per-call records (better than that day's intervals and contacts): of 3 finished
    # (3 s, 12 s, abandoned) 1 within. May: (17 + 1) / (20 + 3) = 18 / 23.
    assert mixed.value("contact.999_answered_within_10s", MAY) == pytest.approx(18 / 23)
    by_source = mixed.values(
        "contact.999_answered_within_10s", start=MAY, end=MAY, cut=Cut.ANSWER_SOURCE
    )
    assert {v.cut_value: (v.numerator, v.denominator) for v in by_source} == {
        "telephony_intervals": (17.0, 20.0),
        "telephony_calls": (1.0, 3.0),
    }


def test_abandonment_rates_from_the_best_source_of_each_day(mixed: Force) -> None:
    # 999: 7 May intervals 1 + 0 + 1 = 2 abandoned of 12 + 8 + 5 = 25 finished; 8 May calls 1
    # of 3. May: 3 / 28. 101: 9 May intervals 6 of 24 + 6 = 30; 10 May contacts 1 of 2.
    # May: 7 / 32.
    assert mixed.value("contact.999_abandonment_rate", MAY) == pytest.approx(3 / 28)
    assert mixed.value("contact.101_abandonment_rate", MAY) == pytest.approx(7 / 32)
    by_source = mixed.values(
        "contact.101_abandonment_rate", start=MAY, end=MAY, cut=Cut.ANSWER_SOURCE
    )
    assert {v.cut_value: (v.numerator, v.denominator) for v in by_source} == {
        "telephony_intervals": (6.0, 30.0),
        "contacts": (1.0, 2.0),
    }


def test_answer_times_come_from_per_call_records_else_the_contacts(mixed: Force) -> None:
    # Intervals hold no wait per call. 7 May: the contacts (2 s, 20 s); 8 May: the per-call
    # records (3 s, 12 s), not that day's contact (50 s). Mean 37 / 4 = 9.25; median of
    # 2, 3, 12, 20 is 7.5; under 10 s: 2 of 4. 101: the 10 May contact, 40 s.
    assert mixed.value("contact.999_mean_answer_seconds", MAY) == pytest.approx(9.25)
    assert mixed.value("contact.999_median_answer_seconds", MAY) == pytest.approx(7.5)
    assert mixed.value("contact.999_answered_under_10s", MAY) == pytest.approx(0.5)
    assert mixed.value("contact.101_mean_answer_seconds", MAY) == pytest.approx(40.0)


def test_without_telephony_data_the_contacts_times_are_used_as_before() -> None:
    force = Force()
    at = utc(2024, 5, 7, 9)
    for wait in (2, 4, 10, 70):
        force.contact(at, wait=wait)
    force.contact(at, abandoned=True)
    # 2 within 10 s of 5 finished; 1 abandoned of 5.
    assert force.value("contact.999_answered_within_10s", MAY) == pytest.approx(0.4)
    assert force.value("contact.999_abandonment_rate", MAY) == pytest.approx(0.2)
    (only,) = force.values(
        "contact.999_answered_within_10s", start=MAY, end=MAY, cut=Cut.ANSWER_SOURCE
    )
    assert only.cut_value == "contacts"


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_the_answer_measures(mixed: Force) -> None:
    pytest.importorskip("pyspark")
    params = MeasureParams(as_of_us=int(utc(2030, 1, 1).timestamp() * 1_000_000))
    found = {}
    for name in ("duckdb", "spark"):
        with mixed.engine(name) as engine:
            table = engine.compute_table(
                [spec(k) for k in ANSWER_KEYS],
                params,
                periods=[Period.DAY, Period.MONTH],
                cuts=[Cut.FORCE, Cut.ANSWER_SOURCE, Cut.NEIGHBOURHOOD],
                start=MAY,
                end=date(2024, 5, 31),
            )
        found[name] = {
            (r["measure"], r["period"], r["period_start"], r["cut"], r["cut_value"]): (
                r["value"],
                r["numerator"],
                r["denominator"],
            )
            for r in table.to_pylist()
        }
    duck, spark = found["duckdb"], found["spark"]
    assert {k[0] for k in duck} == set(ANSWER_KEYS)
    assert duck.keys() == spark.keys()
    for key, mine in duck.items():
        for a, b in zip(mine, spark[key], strict=True):
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-12), key
