"""Forecast any series from a CSV file (`watchhouse forecast-file`), and read a force's events
calendar, with the same engine as `watchhouse forecast` on the store.

The input is either one row per contact (a time column only) or counts per interval (a time
and a count column), at any interval that divides a day. Times are ISO 8601; those without an
offset are local times in the policy's zone (the repeated autumn hour is read in file order).
Each time is put in the interval of its local day that it falls in (intervals run from local
midnight, so a spring day has fewer and an autumn day more).

Missing is not zero: a local day without a single row is missing (with one row per contact,
so is everything before the first contact and after the last); within a day that has rows,
an interval without one is zero (closed hours are often left out of exports). Missing days
are left out of the scores and stand in for the fit as the same weekday's median nearby (see
forecasting/demand.py).

The output CSV has one row per interval: its start (ISO 8601 with the local offset), the
expected count and the band's lower and upper edges; only numbers and times, so it is safe
to open in a spreadsheet (no cell can start a formula).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.forecasting.demand import (
    ChannelForecast,
    ChannelHistory,
    ForecastInputError,
    ForecastOptions,
    PlannedEvent,
    forecast_demand,
    interval_starts,
)

Say = Callable[[str, int, int], None]  # stage, done, total
CALENDAR_COLUMNS = ("first_day", "last_day", "name", "effect", "channels")
OUTPUT_COLUMNS = ("interval_start", "mean", "lower", "upper")


@dataclass(frozen=True)
class FileForecast:
    """A file's forecast, the number of intervals read and how many of them were missing."""

    forecast: ChannelForecast
    intervals: int
    missing: int
    timezone: str


def _problem(where: str, reason: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(where, reason)])


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError as exc:
        raise _problem(str(path), "no such file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _problem(str(path), f"not a readable CSV file: {exc}") from exc


def _times(text: pd.Series, column: str, timezone: str) -> pd.DatetimeIndex:
    """Parse ISO times (local when no offset), naming the first bad row (header = row 1)."""
    stripped = text.str.strip()
    with_offset = stripped.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    parsed = pd.to_datetime(
        stripped, errors="coerce", format="ISO8601", utc=bool(with_offset.any())
    )
    bad = parsed.isna().to_numpy() | (with_offset != with_offset[0])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        why = "is not a time" if parsed.isna().iloc[row] else "mixes times with and without offset"
        raise _problem(column, f"row {row + 2}: {stripped.iloc[row]!r} {why}")
    if with_offset.any():
        return pd.DatetimeIndex(parsed).tz_convert(timezone)
    naive = pd.DatetimeIndex(parsed)
    try:
        return naive.tz_localize(timezone, ambiguous="infer", nonexistent="shift_forward")
    except (ValueError, TypeError):  # cannot infer: read a repeated hour as the first
        flags = np.ones(len(naive), dtype=bool)
        return naive.tz_localize(timezone, ambiguous=flags, nonexistent="shift_forward")


def _bins(local: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """UTC epoch start of the interval of its local day each time falls in."""
    midnight = local.normalize()
    seconds = (local.asi8 - midnight.asi8) // 10**9
    step = interval_minutes * 60
    return np.asarray(midnight.asi8 // 10**9 + seconds // step * step, dtype=np.int64)


def read_series(
    path: Path,
    *,
    time_column: str,
    count_column: str | None,
    interval_minutes: int,
    timezone: str,
    name: str = "series",
) -> tuple[ChannelHistory, int]:
    """A file's series per interval (NaN where missing) and how many intervals are missing."""
    if interval_minutes < 1 or 1440 % interval_minutes:
        raise _problem("interval", f"{interval_minutes} minutes does not divide a day")
    table = _read(path)
    for column in (time_column, count_column):
        if column is not None and column not in table.columns:
            raise _problem(
                column, f"no column {column!r} in {path.name} (it has {', '.join(table.columns)})"
            )
    if table.empty:
        raise _problem(str(path), "no rows")
    local = _times(table[time_column], time_column, timezone)
    bins = _bins(local, interval_minutes)
    if count_column is not None:
        counts = pd.to_numeric(table[count_column].str.strip(), errors="coerce").to_numpy()
        bad = np.isnan(counts) | (counts < 0) | np.isinf(counts)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            value = table[count_column].iloc[row]
            raise _problem(count_column, f"row {row + 2}: {value!r} is not a count (0 or more)")
    else:
        counts = np.ones(bins.size)
    first_day, last_day = min(local).date(), max(local).date()
    starts = interval_starts(
        first_day,
        (last_day - first_day).days + 1,
        interval_minutes=interval_minutes,
        timezone=timezone,
    )
    at = np.searchsorted(starts, bins)
    totals = np.bincount(at, weights=counts, minlength=starts.size)[: starts.size]
    seen = np.bincount(at, minlength=starts.size)[: starts.size] > 0
    values = totals.astype(float)
    day = pd.to_datetime(starts, unit="s", utc=True).tz_convert(timezone).date
    _, index = np.unique(day, return_inverse=True)
    day_has_rows = np.bincount(index, weights=seen.astype(float)) > 0
    values[~day_has_rows[index]] = np.nan  # a day without a single row is missing
    if count_column is None:  # one row per contact: outside the file's span is missing
        values[(starts + interval_minutes * 60 <= bins.min()) | (starts > bins.max())] = np.nan
    missing = int(np.isnan(values).sum())
    return ChannelHistory(name, starts, values), missing


def read_calendar(path: Path) -> list[PlannedEvent]:
    """A force's events calendar: first_day, [last_day], name, [effect], [channels].

    effect: a number (1.3 = 30% more contacts), `sunday` (like a Sunday) or `holiday` / empty
    (like a bank holiday: learnt from the history, by name); channels: `;`-separated, empty
    for every channel."""
    table = _read(path)
    table.columns = [c.strip().lower() for c in table.columns]
    if "date" in table.columns and "first_day" not in table.columns:
        table = table.rename(columns={"date": "first_day"})
    for column in ("first_day", "name"):
        if column not in table.columns:
            raise _problem(column, f"the calendar {path.name} needs a {column!r} column")
    events = []
    for i, row in enumerate(table.to_dict("records")):
        where = f"{path.name} row {i + 2}"
        try:
            first = date.fromisoformat(row["first_day"].strip())
            last = date.fromisoformat((row.get("last_day") or "").strip() or first.isoformat())
        except ValueError as exc:
            raise _problem(where, f"a day is not an ISO date (YYYY-MM-DD): {exc}") from exc
        if last < first:
            raise _problem(where, "last_day is before first_day")
        name = row["name"].strip()
        if not name:
            raise _problem(where, "no name")
        effect = (row.get("effect") or "").strip().lower()
        channels_text = (row.get("channels") or "").strip()
        channels = (
            frozenset(c.strip() for c in channels_text.split(";") if c.strip())
            if channels_text
            else None
        )
        if effect in ("", "holiday"):
            events.append(PlannedEvent(name, first, last, channels=channels, kind="holiday"))
        elif effect == "sunday":
            events.append(PlannedEvent(name, first, last, channels=channels, kind="sunday"))
        else:
            try:
                uplift = float(effect)
            except ValueError as exc:
                raise _problem(
                    where, f"effect {effect!r}: a number (1.3), 'sunday' or 'holiday'"
                ) from exc
            if not 0 < uplift < 100:
                raise _problem(where, f"effect {uplift} must be above 0")
            events.append(PlannedEvent(name, first, last, uplift, channels))
    return events


def forecast_file(
    history: ChannelHistory,
    missing: int,
    *,
    options: ForecastOptions,
    events: Sequence[PlannedEvent] = (),
    say: Callable[[str], None] = lambda _: None,
) -> FileForecast:
    """Forecast one series read from a file (too little history: ValidationFailed)."""
    try:
        [forecast] = forecast_demand([history], options=options, events=events, say=say)
    except ForecastInputError as exc:
        raise _problem("history", str(exc)) from exc
    return FileForecast(forecast, int(history.starts.size), missing, options.timezone)


def write_forecast(path: Path, result: FileForecast) -> Path:
    """Write interval start (ISO, local offset), mean, lower, upper: numbers and times only."""
    f = result.forecast
    local = pd.to_datetime(f.starts, unit="s", utc=True).tz_convert(result.timezone)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT_COLUMNS)
        for start, mean, lower, upper in zip(local, f.mean, f.lower, f.upper, strict=True):
            writer.writerow(
                [start.isoformat(), f"{mean:.4f}", f"{max(lower, 0.0):.4f}", f"{upper:.4f}"]
            )
    return path
