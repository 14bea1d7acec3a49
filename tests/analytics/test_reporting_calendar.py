"""The reporting calendar (issue 14): policy [reporting] time_zone and week_starts decide the
local days and weeks the measures and the board count in. A centre in America/New_York with
weeks from Sunday sees its own days and weeks, across the autumn clock change (US daylight
time ended at 02:00 on Sunday 2 November 2025: 01:00 to 02:00 happened twice)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Period
from watchhouse.analytics.model import MeasureParams
from watchhouse.policy import PolicyError, load_policy
from watchhouse.policy.model import ReportingPolicy
from watchhouse.services import board
from watchhouse.services.measures import measure_params

pytestmark = pytest.mark.unit

AS_OF = utc(2025, 12, 1)


@pytest.fixture
def centre() -> Force:
    force = Force()
    force.contact(utc(2025, 11, 2, 3, 30))  # Sat 1 Nov 23:30 EDT (London: Sun 2 Nov 03:30)
    force.contact(utc(2025, 11, 2, 5, 30))  # Sun 2 Nov 01:30 EDT, the first 01:30
    force.contact(utc(2025, 11, 2, 6, 30))  # Sun 2 Nov 01:30 EST, the second
    force.contact(utc(2025, 11, 3, 4, 30))  # Sun 2 Nov 23:30 EST (London: Mon 3 Nov)
    force.contact(utc(2025, 11, 9, 4, 59))  # Sat 8 Nov 23:59 EST (London: Sun 9 Nov)
    force.contact(utc(2025, 11, 9, 5, 0))  # Sun 9 Nov 00:00 EST
    return force


def _counts(force: Force, period: Period, params: MeasureParams) -> dict[str, float | None]:
    return {
        v.period_label: v.value
        for v in force.values(
            "contact.demand",
            start=date(2025, 10, 26),
            end=date(2025, 11, 9),
            period=period,
            params=params,
        )
        if v.value
    }


def test_a_new_york_centre_with_sunday_weeks_counts_its_own_local_days_and_weeks(centre):
    new_york = MeasureParams(
        as_of_us=int(AS_OF.timestamp() * 1e6), timezone="America/New_York", week_start=6
    )
    assert _counts(centre, Period.DAY, new_york) == {
        "2025-11-01": 1,
        "2025-11-02": 3,  # both 01:30s and 23:30 EST
        "2025-11-08": 1,
        "2025-11-09": 1,
    }
    assert _counts(centre, Period.WEEK, new_york) == {
        "w/c 2025-10-26": 1,
        "w/c 2025-11-02": 4,
        "w/c 2025-11-09": 1,
    }
    london = MeasureParams(as_of_us=int(AS_OF.timestamp() * 1e6))  # the default calendar
    assert _counts(centre, Period.DAY, london) == {
        "2025-11-02": 3,
        "2025-11-03": 1,
        "2025-11-09": 2,
    }
    # Monday weeks: 27 Oct to Sun 2 Nov, 3 to Sun 9 Nov
    assert _counts(centre, Period.WEEK, london) == {"2025-W44": 3, "2025-W45": 3}


def test_the_policy_gives_the_measures_and_the_board_the_reporting_calendar(tmp_path: Path):
    default = load_policy()
    assert (default.reporting_zone, default.reporting.week_start) == ("Europe/London", 0)
    file = tmp_path / "policy.toml"
    file.write_text('[reporting]\ntime_zone = "America/New_York"\nweek_starts = "Sunday"\n')
    policy = load_policy(file)
    assert (policy.reporting_zone, policy.reporting.week_start) == ("America/New_York", 6)

    class Ctx:
        pass

    ctx = Ctx()
    ctx.policy = policy  # type: ignore[attr-defined]
    params = measure_params(ctx, as_of=AS_OF)  # type: ignore[arg-type]
    assert (params.timezone, params.week_start) == ("America/New_York", 6)
    # The board's weeks for November 2025 end with the last Sunday-to-Saturday week in it.
    starts = board._window(Period.WEEK, date(2025, 11, 1), 1, week_start=6)
    assert starts[-1] == date(2025, 11, 23) and starts[-1].weekday() == 6
    assert board._window(Period.WEEK, date(2025, 11, 1), 1)[-1] == date(2025, 11, 24)
    assert policy.reporting.model_copy(update={"week_starts": "monday"}).week_start == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[reporting]\ntime_zone = "America/New_Yrok"\n', "unknown time zone 'America/New_Yrok'"),
        ('[reporting]\nweek_starts = "Sun"\n', "'Sun' is not a day of the week"),
    ],
)
def test_a_bad_reporting_calendar_is_refused_at_policy_load(tmp_path: Path, text, message):
    file = tmp_path / "policy.toml"
    file.write_text(text)
    with pytest.raises(PolicyError, match="reporting") as refused:
        load_policy(file)
    assert message in str(refused.value)
    assert isinstance(ReportingPolicy().week_start, int)
