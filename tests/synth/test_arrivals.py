"""When contacts arrive: the daily, weekly and annual shape, bank holidays, surges and the
channel mix, read in London local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from watchhouse.synth.arrivals import (
    YEAR_SECONDS,
    DemandShape,
    arrival_times,
    demand_shape,
)
from watchhouse.synth.profile import SynthProfile, load_profile

if TYPE_CHECKING:
    from tests.synth.conftest import Generated

pytestmark = pytest.mark.unit

LONDON = ZoneInfo("Europe/London")


def _local(epochs: np.ndarray) -> list[datetime]:
    return [datetime.fromtimestamp(t, UTC).astimezone(LONDON) for t in epochs.tolist()]


def _flat(**changes: object) -> SynthProfile:
    """The default profile without the annual cycle (and any other changes), so that factors on
    two nearby days differ only by what a test looks at."""
    return load_profile("default").model_copy(update={"seasonal_amplitude": 0.0, **changes})


def _factor_at(shape: DemandShape, local: datetime) -> float:
    """The demand factor of the 15-minute interval starting at a London local time."""
    epoch = int(local.replace(tzinfo=LONDON).timestamp())
    (index,) = np.flatnonzero(shape.starts == epoch)
    return float(shape.factor[index])


def _shape_around(profile: SynthProfile, first: date, last: date) -> DemandShape:
    return demand_shape(
        profile,
        datetime(first.year, first.month, first.day, tzinfo=UTC),
        datetime(last.year, last.month, last.day, tzinfo=UTC),
    )


# --- the generated contacts ------------------------------------------------------------------


def _hour_shares(hours: np.ndarray) -> np.ndarray:
    counts = np.bincount(hours, minlength=24).astype(float)
    return counts / counts.sum()


def test_hour_of_day_follows_the_profile_in_london_time(main_force: Generated) -> None:
    presented = main_force.seconds("contacts", "presented_at")
    hours = np.array([t.hour for t in _local(presented)])
    shares = _hour_shares(hours)
    profile = np.asarray(main_force.force.profile.hour_of_day)
    expected = profile / profile.sum()
    # Night trough well below the evening peak, as the profile says.
    assert shares[3:6].mean() < 0.4 * shares[17:21].mean()
    assert shares[14:22].mean() > shares[0:7].mean() * 2
    # Every hour within 18% of the profile's share (250 to 1,100 contacts an hour); a flat
    # day would be 190% out at night and a day shifted by one hour over 30% out at 07:00.
    relative = np.abs(shares - expected) / expected
    assert relative.max() < 0.18, relative.round(3)


def test_the_hour_is_london_time_not_utc(main_force: Generated) -> None:
    presented = main_force.seconds("contacts", "presented_at")
    summer = presented >= datetime(2024, 4, 1, tzinfo=UTC).timestamp()  # all BST
    local_hours = np.array([t.hour for t in _local(presented[summer])])
    utc_hours = (presented[summer] // 3600 % 24).astype(int)
    profile = np.asarray(main_force.force.profile.hour_of_day)
    expected = profile / profile.sum()
    local_error = np.abs(_hour_shares(local_hours) - expected).sum()
    utc_error = np.abs(_hour_shares(utc_hours) - expected).sum()
    assert local_error < 0.6 * utc_error, (local_error, utc_error)


def test_day_of_week_follows_the_profile(main_force: Generated) -> None:
    # 1 January to 30 June 2024 is exactly 26 weeks: every weekday occurs 26 times.
    presented = main_force.seconds("contacts", "presented_at")
    weekdays = np.array([t.weekday() for t in _local(presented)])
    counts = np.bincount(weekdays, minlength=7).astype(float)
    relative = counts / counts.mean()
    profile = np.asarray(main_force.force.profile.day_of_week)
    expected = profile / profile.mean()
    # Within 8% on every day (bank holidays and summer weekends move a few points); a flat
    # week would be 12% out on Saturdays.
    assert np.abs(relative - expected).max() < 0.08, (relative.round(3), expected.round(3))
    friday_saturday = relative[4:6].mean()
    assert friday_saturday > relative[1] * 1.10


def test_channel_mix_matches_the_profile(main_force: Generated) -> None:
    channels = main_force.col("contacts", "channel")
    profile = main_force.force.profile
    total = sum(c.contacts_per_year for c in profile.channels.values())
    share_999 = float(np.mean(channels == "999"))
    assert 0.27 < share_999 < 0.31  # about 220,000 of 750,000
    for name, spec in profile.channels.items():
        expected = spec.contacts_per_year / total
        assert abs(np.mean(channels == name) - expected) < max(0.015, expected * 0.25), name


def test_volume_matches_the_profile_at_the_scale(main_force: Generated) -> None:
    force = main_force.force
    shape = demand_shape(
        force.profile,
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 7, 1, tzinfo=UTC),
    )
    origin = float(shape.starts[0])
    expected = sum(
        shape.expected(c.contacts_per_year * force.scale, c.annual_growth, origin).sum()
        for c in force.profile.channels.values()
    )
    observed = main_force["contacts"].num_rows
    assert abs(observed / expected - 1) < 0.03, (observed, expected)


# --- arrivals at full size -------------------------------------------------------------------


def test_bank_holidays_bring_more_contacts_than_an_ordinary_day() -> None:
    # April to June 2024 has three bank holiday Mondays: 1 April, 6 May and 27 May.
    profile = load_profile("default")
    shape = _shape_around(profile, date(2024, 4, 1), date(2024, 7, 1))
    plain = _shape_around(
        profile.model_copy(update={"bank_holiday_factor": 1.0}), date(2024, 4, 1), date(2024, 7, 1)
    )
    origin = float(shape.starts[0])
    per_year = sum(profile.channels[c].contacts_per_year for c in ("999", "101"))
    rng = np.random.default_rng(5)
    times = arrival_times(rng, shape, shape.expected(per_year, 0.0, origin))
    days = np.array([t.date() for t in _local(times)])
    interval_days = np.array([t.date() for t in _local(shape.starts.astype(float))])
    baseline = plain.expected(per_year, 0.0, origin)
    holidays = [date(2024, 4, 1), date(2024, 5, 6), date(2024, 5, 27)]
    on_holidays = np.isin(days, holidays).sum()
    expected_without = baseline[np.isin(interval_days, holidays)].sum()
    assert 1.06 < on_holidays / expected_without < 1.14  # the profile says 1.10
    ordinary = ~np.isin(days, holidays)
    expected_ordinary = baseline[~np.isin(interval_days, holidays)].sum()
    assert abs(ordinary.sum() / expected_ordinary - 1) < 0.02


# --- the demand shape itself -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2024, 1, 8), date(2024, 1, 15)), (date(2024, 7, 8), date(2024, 7, 15))],
    ids=["winter-gmt", "summer-bst"],
)
def test_hour_and_day_factors_are_read_in_london_time(first: date, last: date) -> None:
    profile = _flat(summer_weekend_factor=1.0)
    shape = _shape_around(profile, first, last)
    hour = np.asarray(profile.hour_of_day) / np.mean(profile.hour_of_day)
    dow = np.asarray(profile.day_of_week) / np.mean(profile.day_of_week)
    local = _local(shape.starts.astype(float))
    expected = np.array([hour[t.hour] * dow[t.weekday()] for t in local])
    np.testing.assert_allclose(shape.factor, expected, rtol=1e-9)


def test_bank_holiday_factor() -> None:
    profile = _flat()
    shape = _shape_around(profile, date(2024, 5, 6), date(2024, 5, 14))
    for hour in (3, 12, 19):
        ratio = _factor_at(shape, datetime(2024, 5, 6, hour)) / _factor_at(
            shape, datetime(2024, 5, 13, hour)
        )
        assert ratio == pytest.approx(profile.bank_holiday_factor)


def test_new_years_eve_surge() -> None:
    profile = _flat()
    shape = _shape_around(profile, date(2024, 12, 17), date(2025, 1, 9))
    # Tuesday 31 December from 18:00, against Tuesday 17 December.
    assert _factor_at(shape, datetime(2024, 12, 31, 20)) / _factor_at(
        shape, datetime(2024, 12, 17, 20)
    ) == pytest.approx(profile.new_years_eve_factor)
    assert _factor_at(shape, datetime(2024, 12, 31, 12)) == pytest.approx(
        _factor_at(shape, datetime(2024, 12, 17, 12))
    )
    # The small hours of New Year's Day (a bank holiday too), against the next Wednesday.
    assert _factor_at(shape, datetime(2025, 1, 1, 3)) / _factor_at(
        shape, datetime(2025, 1, 8, 3)
    ) == pytest.approx(profile.new_years_eve_factor * profile.bank_holiday_factor)


def test_summer_weekend_surge() -> None:
    profile = _flat()
    shape = _shape_around(profile, date(2024, 5, 10), date(2024, 7, 15))
    for may, july in (
        (datetime(2024, 5, 11, 14), datetime(2024, 7, 13, 14)),  # Saturday afternoon
        (datetime(2024, 5, 10, 20), datetime(2024, 7, 12, 20)),  # Friday evening
    ):
        assert _factor_at(shape, july) / _factor_at(shape, may) == pytest.approx(
            profile.summer_weekend_factor
        )
    # A July Friday morning is an ordinary weekday.
    assert _factor_at(shape, datetime(2024, 7, 12, 10)) == pytest.approx(
        _factor_at(shape, datetime(2024, 5, 10, 10))
    )


def test_major_incident_day() -> None:
    profile = _flat(major_incident_days=["2024-03-14"], major_incident_factor=2.5)
    shape = _shape_around(profile, date(2024, 3, 7), date(2024, 3, 15))
    assert _factor_at(shape, datetime(2024, 3, 14, 15)) / _factor_at(
        shape, datetime(2024, 3, 7, 15)
    ) == pytest.approx(2.5)


def test_annual_cycle_peaks_in_summer() -> None:
    profile = load_profile("default").model_copy(update={"summer_weekend_factor": 1.0})
    january = _shape_around(profile, date(2024, 1, 8), date(2024, 1, 22)).factor.mean()
    july = _shape_around(profile, date(2024, 7, 8), date(2024, 7, 22)).factor.mean()
    a = profile.seasonal_amplitude
    assert july / january == pytest.approx((1 + a) / (1 - a), rel=0.01)


def test_a_year_of_demand_averages_one() -> None:
    """So that contacts_per_year means contacts in a year."""
    shape = _shape_around(load_profile("default"), date(2024, 1, 1), date(2025, 1, 1))
    assert 0.99 < shape.factor.mean() < 1.02


def test_growth_trend() -> None:
    shape = DemandShape(np.array([0, int(YEAR_SECONDS)]), np.ones(2))
    first, after_a_year = shape.expected(220_000, 0.08, origin=0.0)
    assert after_a_year / first == pytest.approx(1.08)
