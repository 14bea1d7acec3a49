"""Contact demand forecasts per channel at any interval that divides a day, with statsforecast.

How (and why this way): three years of 15-minute history is about 105,000 points per channel,
too many for seasonal models with a yearly cycle to fit quickly. So the models are fitted to
**daily totals** (local days), where weekly (7) and annual (365) seasonality are cheap, and
each day's forecast is spread over its intervals by an **intraday profile** fitted from the
recent weeks of history, one per day of the week and one for holidays (learnt from every
holiday in the history when it holds at least four; Sunday's otherwise). This keeps a 12-week
forecast for all channels within seconds and is the usual workforce-planning practice.

- Candidates: MSTL (weekly + annual seasonality when the history allows, trend by AutoETS),
  AutoETS (weekly season), AutoARIMA (weekly season), Theta (dynamic optimised, weekly
  season), the seasonal naive baseline (same day last week) and, reported beside them, the
  mean of the first three (Ensemble). Each is scored
  by a rolling-origin backtest on the channel's own history (daily MASE); the forecast is the
  mean of the two single models with the lowest MASE (backtest.best_pair: less noisy than
  the one best of a few windows). The report gives every candidate's MASE and coverage.
- Unusual days (backtest.clean) are replaced by their weekday's median before fitting.
- Special days (day_effects.py): the region's bank holidays and the planner's events. Their
  effects are estimated inside each backtest fold from the days before its origin (no leak),
  divided out before fitting and put back on the forecast.
- Missing data: an interval whose count is NaN is missing, not zero. A day missing any
  interval is left out of the scores and stands in for the fit as the median of the same
  weekday up to four weeks either side.
- Prediction bands (bands.py): each interval's spread is sqrt((daily sd x share)^2 + mean x
  dispersion), the daily model's uncertainty spread by the profile plus the intraday noise
  (dispersion: variance over mean around the profile, 1 for Poisson); the band's two tails are
  calibrated separately, per demand level, on the backtest's held-out open intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from watchhouse.forecasting.backtest import (
    BASELINE,
    CANDIDATES,
    WEEK,
    ModelScore,
    backtest,
    best_pair,
    combine,
    fit_and_forecast,
    score_models,
)
from watchhouse.forecasting.bands import BandCoverage, HeldOut, cross_fitted
from watchhouse.forecasting.day_effects import (
    HolidayRegionError,
    PlannedEvent,
    SpecialDays,
    bank_holidays,
    estimate_effects,
    region_holidays,
    special_days,
)

__all__ = [
    "BASELINE",
    "CANDIDATES",
    "ChannelForecast",
    "ChannelHistory",
    "ForecastInputError",
    "ForecastOptions",
    "ModelScore",
    "PlannedEvent",
    "bank_holidays",
    "forecast_demand",
    "interval_starts",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
YEAR = 365
HOLIDAY_KIND = 7  # profile row of the holiday shape
MIN_HOLIDAYS_FOR_SHAPE = 4


class ForecastInputError(ValueError):
    """History or options a forecast cannot be made from, saying which and why."""


@dataclass(frozen=True, slots=True)
class ChannelHistory:
    """Contacts per interval for one channel: increasing UTC interval starts (epoch seconds);
    a NaN count is a missing interval (no data), not a quiet one."""

    channel: str
    starts: Ints
    counts: Floats


@dataclass(frozen=True, slots=True)
class ForecastOptions:
    """How far ahead, how finely, whose holidays, and how the models are tested."""

    interval_minutes: int
    horizon_days: int
    timezone: str
    level: int = 80
    backtest_windows: int = 3
    annual_min_days: int = 2 * YEAR
    profile_weeks: int = 8
    holiday_region: str | None = "ENG"  # see day_effects.region_holidays; None: no holidays


@dataclass(frozen=True, slots=True)
class ChannelForecast:
    """One channel's forecast per interval, the model chosen and how every candidate scored."""

    channel: str
    model: str
    scores: tuple[ModelScore, ...]
    bank_holiday_factor: float  # pooled over the history's holidays
    starts: Ints  # UTC epoch seconds of each interval
    mean: Floats
    lower: Floats
    upper: Floats
    interval_coverage: float = float("nan")  # held-out open intervals inside the band
    calibration: float = 1.0  # the band's median half-width in spreads
    coverage_below: float = float("nan")  # held-out open intervals below the band
    coverage_above: float = float("nan")  # ... and above it
    open_intervals: int = 0  # held-out open intervals scored
    holiday_factors: dict[str, float] = field(default_factory=dict)  # holidays with their own

    def score(self, model: str) -> ModelScore:
        """The backtest score of one candidate."""
        return next(s for s in self.scores if s.model == model)


def _check(histories: Sequence[ChannelHistory], options: ForecastOptions) -> None:
    if not 1 <= options.interval_minutes <= 1440 or 1440 % options.interval_minutes:
        raise ForecastInputError("interval_minutes must divide a day (e.g. 5, 15, 30, 60, 1440)")
    if not 1 <= options.horizon_days <= 366:
        raise ForecastInputError("horizon_days must be between 1 and 366")
    if not histories:
        raise ForecastInputError("no channel history given")
    for h in histories:
        if h.starts.shape != h.counts.shape or h.starts.size < 2:
            raise ForecastInputError(f"{h.channel}: starts and counts must be equal, non-empty")
        if np.any(np.diff(h.starts) <= 0):
            raise ForecastInputError(f"{h.channel}: interval starts must be increasing")
        if np.any(h.counts < 0) or np.any(np.isinf(h.counts)):
            raise ForecastInputError(f"{h.channel}: counts must be finite and not negative")


def _local(starts: Ints, timezone: str) -> pd.DatetimeIndex:
    return pd.to_datetime(starts, unit="s", utc=True).tz_convert(timezone)


def _daily(history: ChannelHistory, options: ForecastOptions) -> tuple[pd.Series, set[date]]:
    """Totals per local day from the first whole day to the last, and the days standing in
    for missing ones (a day missing any interval: the median of the same weekday nearby)."""
    local = _local(history.starts, options.timezone)
    valid = ~np.isnan(history.counts)
    frame = pd.DataFrame({"day": local.date, "y": np.nan_to_num(history.counts), "ok": valid})
    sums = frame.groupby("day").agg(y=("y", "sum"), ok=("ok", "sum"))
    days = pd.DatetimeIndex(pd.to_datetime(sums.index))
    elapsed = (days + pd.Timedelta(days=1)).tz_localize(options.timezone).asi8 - days.tz_localize(
        options.timezone
    ).asi8
    expected = -(-elapsed // (options.interval_minutes * 60 * 10**9))
    whole = sums["ok"].to_numpy() == expected
    if not whole.any():
        raise ForecastInputError(f"{history.channel}: no whole day of history")
    observed = pd.Series(sums["y"].to_numpy()[whole].astype(float), index=days[whole])
    full = pd.date_range(observed.index[0], observed.index[-1], freq="D")
    series = observed.reindex(full)
    missing = series.index[series.isna()]
    for day in missing:
        near = [day + pd.Timedelta(days=7 * k) for k in (-4, -3, -2, -1, 1, 2, 3, 4)]
        values = observed.reindex(near).dropna()
        series[day] = float(values.median()) if len(values) else 0.0
    return series.astype(float), {d.date() for d in missing}


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_numbers(local: pd.DatetimeIndex) -> Ints:
    """Local day of each time as days since 1970-01-01 (integers: fast to compare)."""
    found: Ints = np.asarray(local.tz_localize(None).asi8 // (86400 * 10**9), dtype=np.int64)
    return found


def _in_days(numbers: Ints, days: Iterable[date]) -> NDArray[np.bool_]:
    wanted = np.array([d.toordinal() - _EPOCH_ORDINAL for d in days], dtype=np.int64)
    return np.isin(numbers, wanted)


def _kinds(local: pd.DatetimeIndex, special: SpecialDays, holiday_shape: bool) -> Ints:
    """Profile row per interval: weekday 0..6, holidays 7 (or Sunday's), `sunday` events 6."""
    numbers = _day_numbers(local)
    kinds = np.asarray(local.weekday).copy()
    if special.sundays:
        kinds[_in_days(numbers, special.sundays)] = 6
    if special.holidays:
        kinds[_in_days(numbers, special.holidays)] = HOLIDAY_KIND if holiday_shape else 6
    return kinds.astype(np.int64)


def _slots(local: pd.DatetimeIndex, options: ForecastOptions) -> Ints:
    slots = 24 * 60 // options.interval_minutes
    slot = (np.asarray(local.hour) * 60 + np.asarray(local.minute)) // options.interval_minutes
    found: Ints = np.minimum(slot, slots - 1).astype(np.int64)
    return found


def _profile(
    history: ChannelHistory, options: ForecastOptions, special: SpecialDays, end: int | None = None
) -> Floats:
    """Share of each day-kind's contacts by local slot: rows Monday..Sunday and holidays,
    columns slots (the profile weeks before `end`, epoch seconds; holidays from all history)."""
    slots = 24 * 60 // options.interval_minutes
    last = int(history.starts[-1]) if end is None else end
    before = (history.starts <= last) & ~np.isnan(history.counts)
    local_all = _local(history.starts[before], options.timezone)
    numbers = _day_numbers(local_all)
    holiday = _in_days(numbers, special.holidays)
    recent = history.starts[before] >= last - options.profile_weeks * 7 * 86400
    keep = recent | holiday
    local = local_all[keep]
    counts = history.counts[before][keep]
    holiday_days = int(np.unique(numbers[holiday]).size)
    kinds = _kinds(local, special, holiday_days >= MIN_HOLIDAYS_FOR_SHAPE)
    table = np.zeros((8, slots))
    np.add.at(table, (kinds, _slots(local, options)), counts)
    if holiday_days < MIN_HOLIDAYS_FOR_SHAPE:
        table[HOLIDAY_KIND] = table[6]
    # Shrink each day's shape towards the all-days shape (lightly smoothed) by a few contacts'
    # worth per slot, so a quiet channel's profile is not just its noise; busy channels keep
    # their own shape almost exactly.
    overall = table[:7].sum(axis=0) + 1e-3
    overall = (np.roll(overall, 1) + overall + np.roll(overall, -1)) / 3
    prior = 4.0 * slots * overall / overall.sum()
    table = table + prior
    shares: Floats = table / table.sum(axis=1, keepdims=True)
    return shares


def _spread(
    days: Sequence[date],
    mean: Floats,
    sd: Floats,
    profile: Floats,
    options: ForecastOptions,
    special: SpecialDays,
    dispersion: float,
) -> tuple[Ints, Floats, Floats]:
    """Daily forecast -> intervals (UTC starts, DST-safe): expected counts and their spread."""
    starts = interval_starts(
        days[0], len(days), interval_minutes=options.interval_minutes, timezone=options.timezone
    )
    local = _local(starts, options.timezone)
    day_of = {d: i for i, d in enumerate(days)}
    index = np.array([day_of[d] for d in local.date])
    share = profile[_kinds(local, special, True), _slots(local, options)]
    share = share / np.bincount(index, weights=share)[index]  # shares of each day sum to 1
    interval_mean = mean[index] * share
    spread = np.sqrt((sd[index] * share) ** 2 + dispersion * interval_mean + 1e-9)
    return starts, interval_mean, spread


def _dispersion(history: ChannelHistory, options: ForecastOptions, special: SpecialDays) -> float:
    """Intraday noise: variance over mean of the recent intervals around the profile's expected
    count (each day's total times the profile share); 1 for Poisson, more when overdispersed."""
    profile = _profile(history, options, special)
    keep = history.starts >= history.starts[-1] - options.profile_weeks * 7 * 86400
    local = _local(history.starts[keep], options.timezone)
    counts = history.counts[keep]
    _, day = np.unique(local.date, return_inverse=True)
    gaps = np.bincount(day, weights=np.isnan(counts).astype(float))[day] > 0
    share = profile[_kinds(local, special, True), _slots(local, options)]
    share = share / np.bincount(day, weights=share)[day]
    expected = np.bincount(day, weights=np.nan_to_num(counts))[day] * share
    busy = (expected > 0.5) & ~gaps
    if busy.sum() < 10:
        return 1.0
    ratio = float(np.sum((counts[busy] - expected[busy]) ** 2) / np.sum(expected[busy]))
    return float(np.clip(ratio, 1.0, 50.0))


def _held_out(
    history: ChannelHistory,
    window: pd.DataFrame,
    model: str,
    options: ForecastOptions,
    special: SpecialDays,
    z: float,
    dispersion: float,
) -> HeldOut:
    """One backtest window's intervals (with data) under the chosen model, for calibration."""
    window = window.sort_values("ds")
    days = [d.date() for d in window["ds"]]
    mean = np.maximum(window[model].to_numpy(), 0.0)
    sd = (window[f"{model}-hi"] - window[f"{model}-lo"]).to_numpy() / (2 * z)
    origin = pd.Timestamp(days[0]).tz_localize(options.timezone).value // 10**9
    profile = _profile(history, options, special, end=int(origin) - 1)
    starts, m, spread = _spread(days, mean, sd, profile, options, special, dispersion)
    at = np.minimum(np.searchsorted(history.starts, starts), history.starts.size - 1)
    found = history.starts[at] == starts
    actual = np.where(found, history.counts[at], np.nan)
    keep = ~np.isnan(actual)
    return HeldOut(m[keep], spread[keep], actual[keep])


def forecast_demand(
    histories: Sequence[ChannelHistory],
    *,
    options: ForecastOptions,
    events: Sequence[PlannedEvent] = (),
    say: Callable[[str], None] = lambda _: None,
) -> list[ChannelForecast]:
    """Forecast each channel: backtest the candidates, choose by MASE, spread to intervals."""
    _check(histories, options)
    daily, imputed = {}, {}
    for history in histories:
        daily[history.channel], imputed[history.channel] = _daily(history, options)
    n_days = min(len(s) for s in daily.values())
    h = options.horizon_days
    windows = min(options.backtest_windows, (n_days - 4 * WEEK) // h)
    if windows < 1:
        raise ForecastInputError(
            f"need at least {4 * WEEK + h} whole days of history to test a {h}-day forecast; "
            f"the shortest channel has {n_days}"
        )
    last_day = max(s.index[-1] for s in daily.values()).date()
    for channel, series in daily.items():
        if series.index[-1].date() != last_day:
            raise ForecastInputError(f"{channel}: history does not end on the same day as others")
    first_day = min(s.index[0] for s in daily.values()).date()
    ahead = [last_day + timedelta(days=k) for k in range(1, h + 1)]
    try:
        bank = region_holidays(options.holiday_region, first_day, ahead[-1])
    except HolidayRegionError as exc:
        raise ForecastInputError(str(exc)) from exc
    special = {c: special_days(c, bank, events) for c in daily}
    annual = n_days - windows * h >= options.annual_min_days
    say(f"backtesting {len(CANDIDATES)} models over {windows} windows of {h} days")
    tested = backtest(
        daily, imputed, special, windows=windows, horizon=h, level=options.level, annual=annual
    )
    say("forecasting")
    chosen = {}
    for c in daily:  # the mean of the two best single models, scored on the same folds
        pair = best_pair(tested.scores[c])
        for window in tested.windows[c]:
            combine(window, pair)
        [score] = score_models(
            daily[c], imputed[c], tested.windows[c], windows, (pair,), options.level
        )
        tested.scores[c] = (*tested.scores[c], score)
        chosen[c] = score
    effects = {
        c: estimate_effects(
            s[[d not in imputed[c] for d in s.index.date]],
            special[c],
            until=last_day,
            days=list(s.index.date) + ahead,
        )
        for c, s in daily.items()
    }
    forecast = fit_and_forecast(
        daily, effects, {c: s.model for c, s in chosen.items()}, h, options.level, annual
    )
    z = NormalDist().inv_cdf(0.5 + options.level / 200)
    results = []
    for history in histories:
        channel = history.channel
        model = chosen[channel].model
        rows = forecast[channel]
        dispersion = _dispersion(history, options, special[channel])
        held_out = [
            _held_out(history, w, model, options, special[channel], z, dispersion)
            for w in tested.windows[channel]
        ]
        calibration, covered = cross_fitted(held_out, level=options.level)
        mean = np.maximum(rows[model].to_numpy(), 0.0)
        sd = (rows[f"{model}-hi"] - rows[f"{model}-lo"]).to_numpy() / (2 * z)
        profile = _profile(history, options, special[channel])
        starts, m, spread = _spread(ahead, mean, sd, profile, options, special[channel], dispersion)
        lower, upper = calibration.band(m, spread)
        results.append(
            _result(
                channel,
                chosen[channel],
                tested.scores[channel],
                effects[channel].pooled,
                (starts, m, lower, upper),
                covered,
                calibration.half_width(),
                effects[channel].by_name,
            )
        )
    return results


def _result(
    channel: str,
    best: ModelScore,
    scores: tuple[ModelScore, ...],
    pooled: float,
    intervals: tuple[Ints, Floats, Floats, Floats],
    covered: BandCoverage,
    half_width: float,
    by_name: dict[str, float],
) -> ChannelForecast:
    starts, mean, lower, upper = intervals
    return ChannelForecast(
        channel,
        best.model,
        scores,
        pooled,
        starts,
        mean,
        lower,
        upper,
        interval_coverage=covered.inside,
        calibration=half_width,
        coverage_below=covered.below,
        coverage_above=covered.above,
        open_intervals=covered.open_intervals,
        holiday_factors=by_name,
    )


def interval_starts(first_day: date, days: int, *, interval_minutes: int, timezone: str) -> Ints:
    """UTC epoch starts of every interval in [first_day, first_day + days) local time (each
    local day's intervals run from its midnight in steps of elapsed time)."""
    first = pd.Timestamp(first_day).tz_localize(timezone)
    end = pd.Timestamp(first_day + timedelta(days=days)).tz_localize(timezone)
    local = pd.date_range(first, end, freq=f"{interval_minutes}min", inclusive="left")
    if interval_minutes > 60:  # restart each local day at its midnight (23- and 25-hour days)
        midnights = pd.date_range(first, end, freq="D", inclusive="left")
        parts = [
            pd.date_range(a, b, freq=f"{interval_minutes}min", inclusive="left")
            for a, b in zip(midnights, [*midnights[1:], end], strict=True)
        ]
        local = parts[0].append(parts[1:]) if len(parts) > 1 else parts[0]
    starts: Ints = (local.tz_convert("UTC").asi8 // 10**9).astype(np.int64)
    return starts
