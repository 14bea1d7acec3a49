"""Special days: each nation's and country's holidays, each holiday's own effect, a force's
events (an uplift, like a Sunday, or learnt like a holiday), estimated only from the past."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from watchhouse.forecasting.day_effects import (
    HolidayRegionError,
    PlannedEvent,
    estimate_effects,
    region_holidays,
    special_days,
)

pytestmark = pytest.mark.unit

FIRST, LAST = date(2021, 1, 1), date(2024, 12, 31)


def test_scottish_holidays_are_scotlands_not_englands() -> None:
    scotland = region_holidays("SCT", FIRST, LAST)
    assert date(2024, 1, 2) in scotland  # 2 January
    assert date(2023, 8, 7) in scotland  # summer bank holiday: first Monday of August
    assert date(2024, 12, 2) in scotland  # St Andrew's Day (30th a Saturday: the Monday)
    assert date(2024, 4, 1) not in scotland  # Easter Monday is England's
    assert date(2023, 8, 28) not in scotland  # England's late-August bank holiday
    assert region_holidays("GB-SCT", FIRST, LAST) == scotland


def test_northern_irish_holidays_include_st_patrick_and_the_twelfth() -> None:
    ni = region_holidays("NIR", FIRST, LAST)
    assert date(2024, 3, 18) in ni  # St Patrick's Day (17th a Sunday: the Monday)
    assert date(2023, 7, 12) in ni  # Battle of the Boyne
    assert date(2024, 4, 1) in ni  # Easter Monday
    assert date(2023, 3, 17) not in region_holidays("ENG", FIRST, LAST)


def test_a_us_state_calendar_and_no_holidays_at_all() -> None:
    new_york = region_holidays("US-NY", FIRST, LAST)
    assert date(2024, 11, 28) in new_york  # Thanksgiving
    assert date(2024, 7, 4) in new_york
    assert date(2024, 12, 26) not in new_york  # Boxing Day is not
    assert region_holidays("none", FIRST, LAST) == {}
    assert region_holidays(None, FIRST, LAST) == {}


def test_an_unknown_region_is_refused_saying_what_is_allowed() -> None:
    with pytest.raises(HolidayRegionError, match=r"unknown holiday region 'XX'.*GB-SCT"):
        region_holidays("XX", FIRST, LAST)


def _daily(effects: dict[date, float]) -> pd.Series:
    days = pd.date_range(FIRST, LAST, freq="D")
    rng = np.random.default_rng(5)
    level = 1000 * np.where(days.weekday == 6, 0.6, 1.0) * rng.normal(1, 0.02, len(days))
    factor = np.array([effects.get(d.date(), 1.0) for d in days])
    return pd.Series(level * factor, index=days)


def test_each_holiday_seen_often_enough_gets_its_own_factor() -> None:
    bank = region_holidays("ENG", FIRST, LAST)
    truth = {d: 0.3 if name == "Christmas Day" else 0.8 for d, name in bank.items()}
    special = special_days("999", bank, [])
    found = estimate_effects(_daily(truth), special, until=LAST, days=sorted(bank))
    assert found.by_name["Christmas Day"] == pytest.approx(0.3, abs=0.05)
    assert found.pooled == pytest.approx(0.8, abs=0.05)
    assert found.factors[date(2024, 12, 25)] == pytest.approx(0.3, abs=0.05)
    assert found.factors[date(2024, 5, 6)] == pytest.approx(0.8, abs=0.05)  # early May


def test_effects_are_estimated_only_from_days_up_to_the_origin() -> None:
    bank = region_holidays("ENG", FIRST, LAST)
    truth = {d: 0.3 if d.year == 2024 else 0.9 for d in bank}  # 2024's holidays changed
    special = special_days("999", bank, [])
    before = estimate_effects(_daily(truth), special, until=date(2023, 12, 31), days=sorted(bank))
    assert before.pooled == pytest.approx(0.9, abs=0.05)  # 2024 unseen


def test_a_forces_events_uplift_act_like_a_sunday_or_are_learnt_by_name() -> None:
    festival = date(2024, 8, 3)
    events = [
        PlannedEvent("festival", festival, festival + timedelta(days=1), 1.5),
        PlannedEvent("strike", date(2024, 9, 4), date(2024, 9, 4), kind="sunday"),
        PlannedEvent("fair", date(2023, 6, 7), date(2023, 6, 7), kind="holiday"),
        PlannedEvent("fair", date(2024, 6, 5), date(2024, 6, 5), kind="holiday"),
        PlannedEvent("chat outage", festival, festival, 3.0, channels=frozenset({"live_chat"})),
    ]
    truth = {date(2023, 6, 7): 2.0, date(2024, 6, 5): 2.0}
    special = special_days("999", {}, events)
    found = estimate_effects(
        _daily(truth),
        special,
        until=LAST,
        days=[festival, festival + timedelta(days=1), date(2024, 9, 4), date(2024, 6, 5)],
    )
    assert found.factors[festival] == pytest.approx(1.5)  # not 4.5: the outage is chat's
    assert found.factors[date(2024, 9, 4)] == pytest.approx(0.6, abs=0.05)  # Sunday's level
    assert found.by_name["fair"] == pytest.approx(2.0, abs=0.1)
