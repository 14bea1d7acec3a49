"""Contact demand forecasts per channel at 15- or 30-minute intervals, with statsforecast.

How (and why this way): three years of 15-minute history is about 105,000 points per channel,
too many for seasonal models with a yearly cycle to fit quickly. So the models are fitted to
**daily totals** (local days), where weekly (7) and annual (365) seasonality are cheap, and
each day's forecast is spread over its intervals by an **intraday profile** fitted from the
recent weeks of history, one per day of the week (bank holidays use Sunday's). This keeps a
12-week forecast for all channels within seconds and is the usual workforce-planning practice.

- Candidates: MSTL (weekly + annual seasonality when the history allows, trend by AutoETS),
  AutoETS (weekly season) and the seasonal naive baseline (same day last week). Each channel's
  model is chosen by a rolling-origin backtest on its own history (lowest MASE); the report
  gives every candidate's MASE and prediction-interval coverage beside the baseline's.
- Bank holidays (England and Wales, from `holidays`): the history's bank holidays are measured
  against the same weekday around them, divided out before fitting and put back on the
  forecast. Planner-supplied events multiply the days they cover by their uplift.
- Prediction intervals, calibrated on the intervals themselves (split conformal): each
  interval's spread is sqrt((daily sd x share)^2 + mean x dispersion), the daily model's
  uncertainty spread by the profile plus the intraday noise, whose dispersion (variance over
  mean, 1 for Poisson) is measured on the history around the profile; the band is mean +/- c x
  spread, where c is the `level` quantile of |actual - mean| / spread over the rolling-origin
  backtest's held-out intervals (the backtest's daily forecasts spread by a profile fitted
  before each origin). The coverage reported per channel (`interval_coverage`) is cross-fitted:
  each window scored with the c of the other windows (in-sample with one window). The daily
  models' own coverage stays in `ModelScore.coverage`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import TYPE_CHECKING

import holidays
import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pandas and statsforecast load only when a forecast runs (fast CLI start)
    import pandas as pd

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

BASELINE = "SeasonalNaive"
CANDIDATES = ("MSTL", "AutoETS", BASELINE)
WEEK = 7
YEAR = 365


class ForecastInputError(ValueError):
    """History or options a forecast cannot be made from, saying which and why."""


@dataclass(frozen=True, slots=True)
class ChannelHistory:
    """Contacts per interval for one channel: regular UTC interval starts (epoch seconds)."""

    channel: str
    starts: Ints
    counts: Floats


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """A known event the planner expects to change demand (e.g. a festival weekend)."""

    name: str
    first_day: date
    last_day: date
    uplift: float  # 1.3 = 30% more contacts on each day of the event
    channels: frozenset[str] | None = None  # None: every channel

    def covers(self, channel: str, day: date) -> bool:
        """True if the event applies to this channel on this local day."""
        in_range = self.first_day <= day <= self.last_day
        return in_range and (self.channels is None or channel in self.channels)


@dataclass(frozen=True, slots=True)
class ForecastOptions:
    """How far ahead, how finely, and how the models are tested."""

    interval_minutes: int
    horizon_days: int
    timezone: str
    level: int = 80
    backtest_windows: int = 3
    annual_min_days: int = 2 * YEAR
    profile_weeks: int = 8


@dataclass(frozen=True, slots=True)
class ModelScore:
    """A candidate's rolling-origin backtest: MASE and prediction-interval coverage (daily)."""

    model: str
    mase: float
    coverage: float  # of the model's own prediction intervals, before calibration
    widen: float = 1.0  # factor on the interval's half-width that would have covered `level`


@dataclass(frozen=True, slots=True)
class ChannelForecast:
    """One channel's forecast per interval, the model chosen and how every candidate scored."""

    channel: str
    model: str
    scores: tuple[ModelScore, ...]
    bank_holiday_factor: float
    starts: Ints  # UTC epoch seconds of each interval
    mean: Floats
    lower: Floats
    upper: Floats
    interval_coverage: float = float("nan")  # held-out backtest intervals inside the band
    calibration: float = 1.0  # c: the band's half-width in spreads

    def score(self, model: str) -> ModelScore:
        """The backtest score of one candidate."""
        return next(s for s in self.scores if s.model == model)


def bank_holidays(first: date, last: date) -> set[date]:
    """Bank holidays in England and Wales between two days (inclusive)."""
    years = range(first.year, last.year + 1)
    days = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return {d for d in days if first <= d <= last}


def _check(histories: Sequence[ChannelHistory], options: ForecastOptions) -> None:
    if options.interval_minutes not in (15, 30, 60):
        raise ForecastInputError("interval_minutes must be 15, 30 or 60")
    if not 1 <= options.horizon_days <= 7 * 12:
        raise ForecastInputError("horizon_days must be between 1 and 84 (12 weeks)")
    if not histories:
        raise ForecastInputError("no channel history given")
    step = options.interval_minutes * 60
    for h in histories:
        if h.starts.shape != h.counts.shape or h.starts.size < 2:
            raise ForecastInputError(f"{h.channel}: starts and counts must be equal, non-empty")
        if np.any(np.diff(h.starts) != step):
            raise ForecastInputError(
                f"{h.channel}: interval starts must be consecutive {options.interval_minutes}-"
                "minute steps with no gaps (fill quiet intervals with 0)"
            )
        if np.any(h.counts < 0) or not np.all(np.isfinite(h.counts)):
            raise ForecastInputError(f"{h.channel}: counts must be finite and not negative")


def _local(starts: Ints, timezone: str) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.to_datetime(starts, unit="s", utc=True).tz_convert(timezone)


def _daily(history: ChannelHistory, options: ForecastOptions) -> pd.Series:
    """Totals per whole local day (a day missing any of its intervals is left out)."""
    import pandas as pd

    local = _local(history.starts, options.timezone)
    frame = pd.DataFrame({"day": local.date, "y": history.counts})
    sums = frame.groupby("day")["y"].agg(["sum", "size"])
    midnights = pd.DatetimeIndex(pd.to_datetime(sums.index)).tz_localize(options.timezone)
    following = (pd.DatetimeIndex(pd.to_datetime(sums.index)) + pd.Timedelta(days=1)).tz_localize(
        options.timezone
    )
    expected = (following.asi8 - midnights.asi8) // (options.interval_minutes * 60 * 10**9)
    series = sums.loc[sums["size"].to_numpy() == expected, "sum"].astype(float)
    series.index = pd.DatetimeIndex(pd.to_datetime(series.index))
    return series


def _holiday_factor(daily: pd.Series, bank: set[date]) -> float:
    """Median ratio of bank-holiday demand to the same weekday one and two weeks either side."""
    values = dict(zip(daily.index.date, daily.to_numpy(), strict=True))
    ratios = []
    for day in sorted(bank):
        if day not in values:
            continue
        around = [
            values[d]
            for k in (-14, -7, 7, 14)
            if (d := day + timedelta(days=k)) in values and d not in bank
        ]
        if len(around) >= 2 and np.mean(around) > 0:
            ratios.append(values[day] / float(np.mean(around)))
    if len(ratios) < 2:
        return 1.0
    return float(np.clip(np.median(ratios), 0.2, 5.0))


def _models(annual: bool) -> list[object]:
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    seasons = [WEEK, YEAR] if annual else [WEEK]
    return [
        MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"), alias="MSTL"),
        AutoETS(season_length=WEEK, alias="AutoETS"),
        SeasonalNaive(season_length=WEEK, alias=BASELINE),
    ]


def _day_factors(
    channel: str,
    days: Sequence[date],
    bank: set[date],
    factor: float,
    events: Sequence[PlannedEvent],
) -> Floats:
    out = np.ones(len(days))
    for i, day in enumerate(days):
        if day in bank:
            out[i] *= factor
        for event in events:
            if event.covers(channel, day):
                out[i] *= event.uplift
    return out


def _scores(
    cv: pd.DataFrame, train: dict[str, Floats], factors: dict[str, dict[date, float]], level: int
) -> dict[str, tuple[ModelScore, ...]]:
    """MASE (scaled by the in-sample seasonal naive error) and coverage, per channel and model."""
    out: dict[str, tuple[ModelScore, ...]] = {}
    for channel, rows in cv.groupby("unique_id"):
        y = train[str(channel)]
        scale = float(np.mean(np.abs(y[WEEK:] - y[:-WEEK]))) or 1.0
        adjust = np.array([factors[str(channel)].get(d, 1.0) for d in rows["ds"].dt.date])
        actual = rows["y"].to_numpy() * adjust
        scores = []
        for model in CANDIDATES:
            predicted = rows[model].to_numpy() * adjust
            lo = rows[f"{model}-lo-{level}"].to_numpy() * adjust
            hi = rows[f"{model}-hi-{level}"].to_numpy() * adjust
            mase = float(np.mean(np.abs(actual - predicted)) / scale)
            coverage = float(np.mean((actual >= lo) & (actual <= hi)))
            half = np.maximum((hi - lo) / 2, 1e-9)
            widen = float(np.quantile(np.abs(actual - predicted) / half, level / 100))
            scores.append(ModelScore(model, mase, coverage, float(np.clip(widen, 0.5, 20.0))))
        out[str(channel)] = tuple(scores)
    return out


def _profile(
    history: ChannelHistory, options: ForecastOptions, bank: set[date], end: int | None = None
) -> Floats:
    """Share of each day-kind's contacts by local slot: rows Monday..Sunday, columns slots
    (from the profile weeks before `end`, epoch seconds; default the end of the history)."""
    slots = 24 * 60 // options.interval_minutes
    last = int(history.starts[-1]) if end is None else end
    keep = (history.starts >= last - options.profile_weeks * 7 * 86400) & (history.starts <= last)
    local = _local(history.starts[keep], options.timezone)
    kinds = np.where(np.isin(local.date, np.array(sorted(bank), dtype=object)), 6, local.weekday)
    slot = (local.hour * 60 + local.minute) // options.interval_minutes
    table = np.zeros((7, slots))
    np.add.at(table, (kinds, slot), history.counts[keep])
    # Shrink each day's shape towards the all-days shape (lightly smoothed) by a few contacts'
    # worth per slot, so a quiet channel's profile is not just its noise; busy channels keep
    # their own shape almost exactly.
    overall = table.sum(axis=0) + 1e-3
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
    bank: set[date],
    z: float,
    dispersion: float = 1.0,
) -> tuple[Ints, Floats, Floats, Floats]:
    """Daily forecast -> intervals (UTC starts), DST-safe, with interval-level bands of
    z spreads either side (spread: see the module's docstring)."""
    import pandas as pd

    first = pd.Timestamp(days[0]).tz_localize(options.timezone)
    end = pd.Timestamp(days[-1] + timedelta(days=1)).tz_localize(options.timezone)
    local = pd.date_range(first, end, freq=f"{options.interval_minutes}min", inclusive="left")
    day_of = {d: i for i, d in enumerate(days)}
    index = np.array([day_of[d] for d in local.date])
    kinds = np.where(np.isin(local.date, np.array(sorted(bank), dtype=object)), 6, local.weekday)
    slot = (local.hour * 60 + local.minute) // options.interval_minutes
    share = profile[kinds, slot]
    share = share / np.bincount(index, weights=share)[index]  # shares of each day sum to 1
    interval_mean = mean[index] * share
    spread = np.sqrt((sd[index] * share) ** 2 + dispersion * interval_mean + 1e-9)
    lower = np.maximum(interval_mean - z * spread, 0.0)
    starts = (local.tz_convert("UTC").asi8 // 10**9).astype(np.int64)
    return starts, interval_mean, lower, interval_mean + z * spread


def _dispersion(history: ChannelHistory, options: ForecastOptions, bank: set[date]) -> float:
    """Intraday noise: variance over mean of the recent intervals around the profile's expected
    count (each day's total times the profile share); 1 for Poisson, more when overdispersed."""
    profile = _profile(history, options, bank)
    keep = history.starts >= history.starts[-1] - options.profile_weeks * 7 * 86400
    local = _local(history.starts[keep], options.timezone)
    counts = history.counts[keep]
    kinds = np.where(np.isin(local.date, np.array(sorted(bank), dtype=object)), 6, local.weekday)
    slot = (local.hour * 60 + local.minute) // options.interval_minutes
    _, day = np.unique(local.date, return_inverse=True)
    share = profile[kinds, slot]
    share = share / np.bincount(day, weights=share)[day]
    expected = np.bincount(day, weights=counts)[day] * share
    busy = expected > 0.5
    if busy.sum() < 10:
        return 1.0
    ratio = float(np.sum((counts[busy] - expected[busy]) ** 2) / np.sum(expected[busy]))
    return float(np.clip(ratio, 1.0, 50.0))


def _calibrate(
    history: ChannelHistory,
    rows: pd.DataFrame,
    model: str,
    adjust: dict[date, float],
    options: ForecastOptions,
    bank: set[date],
    z: float,
    dispersion: float,
) -> tuple[float, float]:
    """(c, held-out coverage): the `level` quantile of the backtest intervals' |error| over
    spread, and the share of each window's intervals inside c of the other windows."""
    import pandas as pd

    level = options.level
    scores: list[Floats] = []
    for _, window in rows.groupby("cutoff"):
        window = window.sort_values("ds")
        days = [d.date() for d in window["ds"]]
        factor = np.array([adjust.get(d, 1.0) for d in days])
        mean = np.maximum(window[model].to_numpy(), 0.0) * factor
        width = (window[f"{model}-hi-{level}"] - window[f"{model}-lo-{level}"]).to_numpy()
        sd = width * factor / (2 * z)
        origin = pd.Timestamp(days[0]).tz_localize(options.timezone).value // 10**9
        profile = _profile(history, options, bank, end=int(origin) - 1)
        starts, m, _, hi = _spread(days, mean, sd, profile, options, bank, 1.0, dispersion)
        at = np.searchsorted(history.starts, starts)
        found = (at < history.starts.size) & (
            history.starts[np.minimum(at, history.starts.size - 1)] == starts
        )
        actual = history.counts[at[found]]
        spread = (hi - m)[found]
        scores.append(np.abs(actual - m[found]) / spread)
    if not scores or sum(s.size for s in scores) == 0:
        return z, float("nan")
    everything = np.concatenate(scores)
    c = float(np.quantile(everything, level / 100))
    if len(scores) == 1:
        return c, float(np.mean(everything <= c))
    held_out = []
    for k, window_scores in enumerate(scores):
        others = np.concatenate([s for j, s in enumerate(scores) if j != k])
        held_out.append(window_scores <= np.quantile(others, level / 100))
    return c, float(np.mean(np.concatenate(held_out)))


def forecast_demand(
    histories: Sequence[ChannelHistory],
    *,
    options: ForecastOptions,
    events: Sequence[PlannedEvent] = (),
    say: Callable[[str], None] = lambda _: None,
) -> list[ChannelForecast]:
    """Forecast each channel: backtest the candidates, choose by MASE, spread to intervals."""
    import pandas as pd
    from statsforecast import StatsForecast

    _check(histories, options)
    daily = {h.channel: _daily(h, options) for h in histories}
    n_days = min(len(s) for s in daily.values())
    h = options.horizon_days
    windows = min(options.backtest_windows, (n_days - 4 * WEEK) // h)
    if windows < 1:
        raise ForecastInputError(
            f"need at least {4 * WEEK + h} whole days of history to test a {h}-day forecast; "
            f"the shortest channel has {n_days}"
        )
    annual = n_days - windows * h >= options.annual_min_days
    first_day = min(s.index[0] for s in daily.values()).date()
    last_day = max(s.index[-1] for s in daily.values()).date()
    ahead = [last_day + timedelta(days=k) for k in range(1, h + 1)]
    bank = bank_holidays(first_day - timedelta(days=1), ahead[-1] + timedelta(days=1))
    factor = {c: _holiday_factor(s, bank) for c, s in daily.items()}
    frames, train, factors = [], {}, {}
    for channel, series in daily.items():
        series = series[series.index.date <= last_day]
        adj = np.array([factor[channel] if d in bank else 1.0 for d in series.index.date])
        y = series.to_numpy() / adj
        frames.append(pd.DataFrame({"unique_id": channel, "ds": series.index, "y": y}))
        train[channel] = y[: len(y) - windows * h]
        factors[channel] = {d: f for d, f in zip(series.index.date, adj, strict=True) if f != 1}
    frame = pd.concat(frames, ignore_index=True)
    engine = StatsForecast(models=_models(annual), freq="D", n_jobs=1)
    say(f"backtesting {len(CANDIDATES)} models over {windows} windows of {h} days")
    cv = engine.cross_validation(
        df=frame, h=h, step_size=h, n_windows=windows, level=[options.level]
    )
    scores = _scores(cv, train, factors, options.level)
    say("forecasting")
    chosen = {c: min(scores[c], key=lambda s: s.mase) for c in daily}
    forecast = pd.concat(  # each channel by its chosen model only
        StatsForecast(
            models=[m for m in _models(annual) if m.alias == model],  # type: ignore[attr-defined]
            freq="D",
            n_jobs=1,
        ).forecast(
            df=frame[frame["unique_id"].isin([c for c in daily if chosen[c].model == model])],
            h=h,
            level=[options.level],
        )
        for model in sorted({s.model for s in chosen.values()})
    )
    z = NormalDist().inv_cdf(0.5 + options.level / 200)
    results = []
    for history in histories:
        channel = history.channel
        best = chosen[channel]
        rows = forecast[forecast["unique_id"] == channel].sort_values("ds")
        if [d.date() for d in rows["ds"]] != ahead:
            raise ForecastInputError(f"{channel}: history does not end on the same day as others")
        multiplier = _day_factors(channel, ahead, bank, factor[channel], events)
        mean = np.maximum(rows[best.model].to_numpy(), 0.0) * multiplier
        width = rows[f"{best.model}-hi-{options.level}"] - rows[f"{best.model}-lo-{options.level}"]
        sd = width.to_numpy() * multiplier / (2 * z)
        dispersion = _dispersion(history, options, bank)
        c, coverage = _calibrate(
            history,
            cv[cv["unique_id"] == channel],
            best.model,
            factors[channel],
            options,
            bank,
            z,
            dispersion,
        )
        starts, m, lo, hi = _spread(
            ahead, mean, sd, _profile(history, options, bank), options, bank, c, dispersion
        )
        results.append(
            ChannelForecast(
                channel,
                best.model,
                scores[channel],
                factor[channel],
                starts,
                m,
                lo,
                hi,
                interval_coverage=coverage,
                calibration=c,
            )
        )
    return results


def interval_starts(first_day: date, days: int, *, interval_minutes: int, timezone: str) -> Ints:
    """UTC epoch starts of every interval in [first_day, first_day + days) local time."""
    import pandas as pd

    first = pd.Timestamp(first_day).tz_localize(timezone)
    end = pd.Timestamp(first_day + timedelta(days=days)).tz_localize(timezone)
    local = pd.date_range(first, end, freq=f"{interval_minutes}min", inclusive="left")
    starts: Ints = (local.tz_convert("UTC").asi8 // 10**9).astype(np.int64)
    return starts
