"""`watchhouse forecast-file` on crafted CSV files: counts per interval across both of
Europe/London's clock changes with a gap, one row per contact, a calendar, and bad input."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from watchhouse import cli

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

ZONE = "Europe/London"
FAST_POLICY = """
[planning]
backtest_windows = 2
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data directory and a policy with a quick backtest."""
    policy = tmp_path / "policy.toml"
    policy.write_text(FAST_POLICY)
    return {"WATCHHOUSE_DATA_DIR": str(tmp_path), "WATCHHOUSE_POLICY_FILE": str(policy)}


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, list(args), env=env)
    unboxed = re.sub(r"[\u2500-\u257f]", " ", result.output)
    return result.exit_code, " ".join(unboxed.split())


def _hourly(first: date, last: date, seed: int) -> pd.DataFrame:
    """Hourly counts in local time (naive, as a spreadsheet would hold them) with a pattern."""
    local = pd.date_range(
        pd.Timestamp(first).tz_localize(ZONE),
        pd.Timestamp(last).tz_localize(ZONE),
        freq="60min",
        inclusive="left",
    )
    hour = np.asarray(local.hour)
    mean = (
        20
        * (1 + 0.8 * np.cos(2 * np.pi * (hour - 15) / 24))
        * np.where(np.asarray(local.weekday) >= 5, 1.3, 1.0)
    )
    counts = np.random.default_rng(seed).poisson(mean)
    return pd.DataFrame(
        {"when": local.tz_localize(None).strftime("%Y-%m-%d %H:%M"), "calls": counts}
    )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_counts_across_both_clock_changes_with_a_gap(env: dict[str, str], tmp_path: Path) -> None:
    frame = _hourly(date(2024, 3, 1), date(2024, 10, 20), seed=3)
    gap = (frame["when"] >= "2024-06-01") & (frame["when"] < "2024-06-15")
    frame = frame[~gap]  # two weeks with no data: missing, not closed
    source = tmp_path / "calls.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "forecast.csv"
    code, output = _run(
        env,
        "forecast-file",
        str(source),
        "--time-column",
        "when",
        "--count-column",
        "calls",
        "--interval",
        "60",
        "--horizon-days",
        "14",
        "--holidays",
        "none",
        "--out",
        str(out),
    )
    assert code == 0, output
    assert "MASE" in output and "SeasonalNaive" in output and "open intervals" in output
    rows = _read(out)
    assert list(rows[0]) == ["interval_start", "mean", "lower", "upper"]
    days = pd.Series([r["interval_start"][:10] for r in rows]).value_counts()
    assert days["2024-10-27"] == 25  # the autumn day has 25 hours
    assert days["2024-10-20"] == 24 and len(days) == 14
    assert rows[0]["interval_start"] == "2024-10-20T00:00:00+01:00"
    assert any(r["interval_start"] == "2024-10-27T01:00:00+00:00" for r in rows)  # repeated hour
    mean = np.array([float(r["mean"]) for r in rows])
    assert mean.sum() / 14 == pytest.approx(frame["calls"].tail(28 * 24).sum() / 28, rel=0.15)
    for r in rows:  # numbers and times only: safe in a spreadsheet
        assert float(r["lower"]) <= float(r["mean"]) <= float(r["upper"])
        assert r["interval_start"][0] not in "=+-@"


def test_one_row_per_contact_at_fifteen_minutes(env: dict[str, str], tmp_path: Path) -> None:
    frame = _hourly(date(2024, 1, 1), date(2024, 4, 15), seed=9)
    local = pd.to_datetime(frame["when"]).dt.tz_localize(ZONE, ambiguous="infer")
    rng = np.random.default_rng(1)
    times = np.repeat(local.to_numpy(), frame["calls"].to_numpy())
    times = pd.DatetimeIndex(times) + pd.to_timedelta(rng.uniform(0, 3600, times.size), unit="s")
    source = tmp_path / "contacts.csv"
    pd.DataFrame({"received": times.tz_convert(ZONE).map(lambda t: t.isoformat())}).to_csv(
        source, index=False
    )
    out = tmp_path / "forecast.csv"
    code, output = _run(
        env,
        "forecast-file",
        str(source),
        "--time-column",
        "received",
        "--interval",
        "15",
        "--horizon-days",
        "7",
        "--holidays",
        "GB-SCT",
        "--out",
        str(out),
    )
    assert code == 0, output
    rows = _read(out)
    assert len(rows) == 7 * 96
    per_day = sum(float(r["mean"]) for r in rows) / 7
    assert per_day == pytest.approx(times.size / 105, rel=0.2)


def test_unknown_column_is_refused_naming_the_columns(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    _hourly(date(2024, 1, 1), date(2024, 1, 3), seed=1).to_csv(source, index=False)
    code, output = _run(
        env,
        "forecast-file",
        str(source),
        "--time-column",
        "time",
        "--interval",
        "60",
        "--horizon-days",
        "7",
        "--out",
        str(tmp_path / "o.csv"),
    )
    assert code == 2
    assert "no column 'time'" in output and "when, calls" in output


def test_an_unparseable_time_is_refused_with_its_row(env: dict[str, str], tmp_path: Path) -> None:
    frame = _hourly(date(2024, 1, 1), date(2024, 1, 3), seed=1)
    frame.loc[4, "when"] = "yesterday"
    source = tmp_path / "calls.csv"
    frame.to_csv(source, index=False)
    code, output = _run(
        env,
        "forecast-file",
        str(source),
        "--time-column",
        "when",
        "--count-column",
        "calls",
        "--interval",
        "60",
        "--horizon-days",
        "7",
        "--out",
        str(tmp_path / "o.csv"),
    )
    assert code == 2
    assert "row 6: 'yesterday' is not a time" in output
    assert not (tmp_path / "o.csv").exists()


def test_too_little_history_and_a_bad_interval_are_refused(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    _hourly(date(2024, 1, 1), date(2024, 1, 20), seed=1).to_csv(source, index=False)
    common = ["--time-column", "when", "--count-column", "calls", "--horizon-days", "7"]
    out = ["--out", str(tmp_path / "o.csv")]
    code, output = _run(env, "forecast-file", str(source), *common, "--interval", "60", *out)
    assert code == 2 and "need at least 35 whole days" in output
    code, output = _run(env, "forecast-file", str(source), *common, "--interval", "7", *out)
    assert code == 2 and "7 minutes does not divide a day" in output


def test_a_calendar_uplift_changes_only_its_day(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    _hourly(date(2024, 1, 1), date(2024, 4, 1), seed=4).to_csv(source, index=False)
    calendar = tmp_path / "events.csv"
    strike_day = date(2024, 4, 3)  # a Wednesday in the horizon
    calendar.write_text(f"first_day,last_day,name,effect,channels\n{strike_day},,strike,0.5,\n")
    out = tmp_path / "forecast.csv"
    args = ["--time-column", "when", "--count-column", "calls", "--interval", "60"]
    code, output = _run(
        env,
        "forecast-file",
        str(source),
        *args,
        "--horizon-days",
        "7",
        "--holidays",
        "none",
        "--calendar",
        str(calendar),
        "--out",
        str(out),
    )
    assert code == 0, output
    rows = _read(out)
    by_day: dict[str, float] = {}
    for r in rows:
        by_day[r["interval_start"][:10]] = by_day.get(r["interval_start"][:10], 0) + float(
            r["mean"]
        )
    wednesday = by_day[strike_day.isoformat()]
    tuesday = by_day[(strike_day - timedelta(days=1)).isoformat()]
    assert wednesday == pytest.approx(0.5 * tuesday, rel=0.15)
