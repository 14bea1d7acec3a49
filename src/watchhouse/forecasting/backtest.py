"""The daily models and their rolling-origin backtest (statsforecast).

Candidates: MSTL, AutoETS, AutoARIMA and Theta (DynamicOptimizedTheta), the mean of the
first three (a forecast combination; its band is the mean of theirs) and the seasonal naive
baseline. The forecast is the mean of the two single
models with the lowest backtest MASE (best_pair, combine). Before every fit, unusual days are
replaced by their weekday's median (clean).

Each fold estimates the special days' effects from the days before its origin only
(day_effects.estimate_effects), divides them out of the training days, fits every candidate
and puts the effects back on the held-out days, so a holiday's factor never sees the days it is
scored on. Daily MASE is scaled by the in-sample seasonal naive error (same day last week) of
the first fold's training days; days standing in for missing ones are not scored.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from watchhouse.forecasting.day_effects import DayEffects, SpecialDays, estimate_effects

BASELINE = "SeasonalNaive"
FITTED = ("MSTL", "AutoETS", "AutoARIMA", "Theta")
ENSEMBLE = "Ensemble"  # the mean of the first three fitted models (forecast combination)
ENSEMBLE_OF = FITTED[:3]
CANDIDATES = (*FITTED, ENSEMBLE, BASELINE)
SINGLE = (*FITTED, BASELINE)  # the models the combination of the two best is drawn from
PAIR = "+"  # a combination's name: its members joined by PAIR ("MSTL+AutoETS")
WEEK = 7
YEAR = 365
ARIMA_DAYS = 2 * YEAR
CLEAN_WEEKS = 4  # an unusual day is judged against the same weekday up to 4 weeks either side
CLEAN_IQR = 3.0  # ... and is unusual beyond 3 interquartile ranges of every day's deviation


def clean(y: np.ndarray) -> np.ndarray:
    """The daily series the models are fitted on, with unusual days replaced (as R's
    forecast::tsoutliers does, with its 3-IQR limits): each day's deviation from the median
    of the same weekday up to CLEAN_WEEKS weeks either side (within the series); days whose
    deviation lies beyond CLEAN_IQR interquartile ranges outside the quartiles of every day's
    deviation take that median instead.

    Why: one odd week (a storm, an outage, the days around a holiday the calendar does not
    name, or a holiday whose factor is poorly known) is otherwise copied forward by the
    seasonal models for the whole horizon. Scores are always on the actual days."""
    values = np.asarray(y, dtype=float)
    n = values.size
    if n < 2 * WEEK:
        return values
    lags = [WEEK * k for k in range(1, CLEAN_WEEKS + 1)]
    shifted = np.full((n, 2 * len(lags)), np.nan)
    for j, lag in enumerate(lags):
        shifted[lag:, 2 * j] = values[:-lag]
        shifted[:-lag, 2 * j + 1] = values[lag:]
    enough = np.sum(~np.isnan(shifted), axis=1) >= 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with no neighbour
        expected = np.nanmedian(shifted, axis=1)
    deviation = np.where(enough, values - expected, np.nan)
    known = deviation[~np.isnan(deviation)]
    if known.size < 2 * WEEK:
        return values
    q1, q3 = np.quantile(known, [0.25, 0.75])
    spread = CLEAN_IQR * (q3 - q1)
    unusual = enough & ((deviation < q1 - spread) | (deviation > q3 + spread))
    return np.where(unusual, np.maximum(expected, 0.0), values)


@dataclass(frozen=True, slots=True)
class ModelScore:
    """A candidate's rolling-origin backtest: MASE and prediction-interval coverage (daily)."""

    model: str
    mase: float
    coverage: float  # of the model's own prediction intervals, before calibration
    widen: float = 1.0  # factor on the interval's half-width that would have covered `level`


@dataclass(frozen=True, slots=True)
class Backtest:
    """Per channel: every candidate's score and each fold's held-out days (ds, y, imputed, and
    per model its forecast, -lo and -hi, with the fold's day effects put back)."""

    scores: dict[str, tuple[ModelScore, ...]]
    windows: dict[str, list[pd.DataFrame]]


def models(annual: bool, only: set[str] | None = None) -> list[object]:
    """The candidate models (weekly season; MSTL also annual when the history allows)."""
    # statsforecast costs seconds of CPU to import (numba): only where a forecast runs, so the
    # web app and the light commands start without it (tests/web/test_app_imports.py)
    from statsforecast.models import (
        MSTL,
        AutoARIMA,
        AutoETS,
        DynamicOptimizedTheta,
        SeasonalNaive,
    )

    seasons = [WEEK, YEAR] if annual else [WEEK]
    every = [
        MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"), alias="MSTL"),
        AutoETS(season_length=WEEK, alias="AutoETS"),
        # approximation: the model search by conditional sum of squares, as R's auto.arima does
        # for long series: about 15 times faster on three years of days (measured). The
        # search is bounded: at most 3 AR and 3 MA terms, one weekly seasonal AR and MA term,
        # 4 in all (statsforecast's defaults: 5, 5, 2, 2 and 5). 0.6 of the default search's
        # CPU, MASE within 2% on the synthetic force and the public series (bench/README.md)
        AutoARIMA(
            season_length=WEEK,
            approximation=True,
            max_p=3,
            max_q=3,
            max_P=1,
            max_Q=1,
            max_order=4,
            alias="AutoARIMA",
        ),
        # the Theta method with its theta, smoothing and drift optimised (Fiorucci et al. 2016),
        # on the series deseasonalised by the classical weekly decomposition: cheap, and strong
        # on short or level-shifting series
        DynamicOptimizedTheta(season_length=WEEK, alias="Theta"),
        SeasonalNaive(season_length=WEEK, alias=BASELINE),
    ]
    return [m for m in every if only is None or m.alias in only]  # type: ignore[attr-defined]


def _rename(frame: pd.DataFrame, level: int) -> pd.DataFrame:
    """Short band column names, and the ensemble's columns when its members are all there."""
    frame = frame.rename(
        columns={
            c: c.replace(f"-lo-{level}", "-lo").replace(f"-hi-{level}", "-hi")
            for c in frame.columns
        }
    )
    if all(m in frame.columns for m in ENSEMBLE_OF):
        for suffix in ("", "-lo", "-hi"):
            frame[ENSEMBLE + suffix] = frame[[m + suffix for m in ENSEMBLE_OF]].mean(axis=1)
    return frame


def members(model: str) -> set[str]:
    """The single models a forecast is made of (the Ensemble's three, a pair's two)."""
    if model == ENSEMBLE:
        return set(ENSEMBLE_OF)
    return set(model.split(PAIR))


def combine(frame: pd.DataFrame, model: str) -> pd.DataFrame:
    """Add a pair's columns (forecast, -lo, -hi): the mean of its members' (in place)."""
    if PAIR in model:
        names = model.split(PAIR)
        for suffix in ("", "-lo", "-hi"):
            frame[model + suffix] = frame[[m + suffix for m in names]].mean(axis=1)
    return frame


def best_pair(scores: tuple[ModelScore, ...]) -> str:
    """The combination of the two single models with the lowest backtest MASE."""
    single = sorted((s for s in scores if s.model in SINGLE), key=lambda s: s.mase)
    return PAIR.join(s.model for s in single[:2])


def _forecast(
    frame: pd.DataFrame, names: set[str], *, annual: bool, horizon: int, level: int
) -> pd.DataFrame:
    """The named models' forecasts (AutoARIMA on the last ARIMA_DAYS days only: it has no
    annual term, and its search costs grow with the length), with short band names."""
    from statsforecast import StatsForecast

    parts = []
    rest = names - {"AutoARIMA", "Theta"}
    if rest:
        engine = StatsForecast(models=models(annual, rest), freq="D", n_jobs=1)
        parts.append(engine.forecast(df=frame, h=horizon, level=[level]))
    if "Theta" in names:
        parts.append(_theta_forecast(frame, annual=annual, horizon=horizon, level=level))
    if "AutoARIMA" in names:
        recent = frame.groupby("unique_id", sort=False).tail(ARIMA_DAYS)
        engine = StatsForecast(models=models(annual, {"AutoARIMA"}), freq="D", n_jobs=1)
        with warnings.catch_warnings():  # the search's rejected candidates, not the fit
            warnings.filterwarnings("ignore", message="possible convergence problem")
            arima = engine.forecast(df=recent, h=horizon, level=[level])
        parts.append(arima)
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part, on=["unique_id", "ds"], how="inner")
    return _rename(merged, level)


def _theta_forecast(frame: pd.DataFrame, *, annual: bool, horizon: int, level: int) -> pd.DataFrame:
    """Theta's forecasts, its interval rescaled to the deseasonalised fit's residual spread.

    Why: statsforecast (2.1) simulates Theta's interval on the deseasonalised series but takes
    its sigma from the residuals with the weekly seasonal component put back (added, when the
    series has a zero day and the decomposition is additive; multiplied otherwise). On a
    series with closed days (a bank's weekends) the weekly pattern itself then counts as
    noise: the 80% interval was 16 times too wide on a simulated series and held every
    held-out day of the bank. The simulated paths are linear in sigma, so the half-widths
    scale by sigma(deseasonalised residuals) / sigma(residuals used)."""
    from statsforecast import StatsForecast

    engine = StatsForecast(models=models(annual, {"Theta"}), freq="D", n_jobs=1)
    engine.fit(df=frame)
    out = engine.predict(h=horizon, level=[level])
    ratio = {
        str(uid): theta_sigma_ratio(fitted.model_)
        for uid, fitted in zip(engine.uids, engine.fitted_[:, 0], strict=True)
    }
    factor = out["unique_id"].astype(str).map(ratio).to_numpy(dtype=float)
    mean = out["Theta"].to_numpy()
    for side in ("lo", "hi"):
        column = f"Theta-{side}-{level}"
        out[column] = mean + (out[column].to_numpy() - mean) * factor
    return out


def theta_sigma_ratio(fit: Mapping[str, Any]) -> float:
    """sigma of a statsforecast Theta fit's deseasonalised residuals over the sigma its
    interval was simulated with (1.0 when the fit was not deseasonalised)."""
    residuals = np.asarray(fit["residuals"], dtype=float)
    if not fit.get("decompose", False) or residuals.size < 5:
        return 1.0
    seasonal = np.asarray(fit["seas_forecast"]["mean"], dtype=float)
    m, n = seasonal.size, residuals.size
    repeated = seasonal[(np.arange(n) - n) % m]  # the decomposition's (periodic) seasonal
    if fit["decomposition_type"] == "multiplicative":
        own = residuals / repeated
    else:
        own = residuals - repeated
    used = float(np.std(residuals[3:], ddof=1))
    return float(np.std(own[3:], ddof=1)) / used if used > 0 else 1.0


def _observed(series: pd.Series, imputed: set[date]) -> pd.Series:
    return series[[d not in imputed for d in series.index.date]]


def backtest(
    daily: Mapping[str, pd.Series],
    imputed: Mapping[str, set[date]],
    special: Mapping[str, SpecialDays],
    *,
    windows: int,
    horizon: int,
    level: int,
    annual: bool,
) -> Backtest:
    """Fit every candidate at each origin with that fold's day effects; score per channel."""
    last_day = max(s.index[-1] for s in daily.values()).date()
    folds: dict[str, list[pd.DataFrame]] = {c: [] for c in daily}
    for k in range(windows):
        cutoff = last_day - timedelta(days=(windows - k) * horizon)
        held = [cutoff + timedelta(days=j) for j in range(1, horizon + 1)]
        frames, effects = [], {}
        for channel, series in daily.items():
            train = series[series.index.date <= cutoff]
            effects[channel] = estimate_effects(
                _observed(train, imputed[channel]),
                special[channel],
                until=cutoff,
                days=list(train.index.date) + held,
            )
            y = clean(train.to_numpy() / effects[channel].of(list(train.index.date)))
            frames.append(pd.DataFrame({"unique_id": channel, "ds": train.index, "y": y}))
        out = _forecast(
            pd.concat(frames, ignore_index=True),
            set(CANDIDATES) - {ENSEMBLE},
            annual=annual,
            horizon=horizon,
            level=level,
        )
        for channel, series in daily.items():
            rows = out[out["unique_id"] == channel].sort_values("ds").reset_index(drop=True)
            factor = effects[channel].of(held)
            for column in rows.columns:
                if column not in ("unique_id", "ds"):
                    rows[column] = rows[column].to_numpy() * factor
            rows["y"] = series.reindex(pd.DatetimeIndex(rows["ds"])).to_numpy()
            rows["imputed"] = [d in imputed[channel] for d in held]
            rows["cutoff"] = pd.Timestamp(cutoff)
            folds[channel].append(rows)
    scores = {
        channel: score_models(
            daily[channel], imputed[channel], folds[channel], windows, CANDIDATES, level
        )
        for channel in daily
    }
    return Backtest(scores, folds)


def score_models(
    series: pd.Series,
    imputed: set[date],
    folds: list[pd.DataFrame],
    windows: int,
    names: tuple[str, ...],
    level: int,
) -> tuple[ModelScore, ...]:
    """The named models' daily MASE and interval coverage over the backtest's folds."""
    horizon = len(folds[0]) if folds else 0
    train = series.iloc[: len(series) - windows * horizon]
    values = train.to_numpy()
    missing = np.array([d in imputed for d in train.index.date])
    pairs = ~(missing[WEEK:] | missing[:-WEEK])
    diffs = np.abs(values[WEEK:] - values[:-WEEK])[pairs]
    scale = float(np.mean(diffs)) if diffs.size else 1.0
    scale = scale or 1.0
    rows = pd.concat(folds, ignore_index=True)
    rows = rows[~rows["imputed"].to_numpy(dtype=bool)]
    actual = rows["y"].to_numpy(dtype=float)
    scores = []
    for model in names:
        predicted = rows[model].to_numpy()
        lo, hi = rows[f"{model}-lo"].to_numpy(), rows[f"{model}-hi"].to_numpy()
        error = np.abs(actual - predicted)
        mase = float(np.mean(error) / scale) if error.size else float("nan")
        coverage = float(np.mean((actual >= lo) & (actual <= hi))) if error.size else float("nan")
        half = np.maximum((hi - lo) / 2, 1e-9)
        widen = float(np.quantile(error / half, level / 100)) if error.size else 1.0
        scores.append(ModelScore(model, mase, coverage, float(np.clip(widen, 0.5, 20.0))))
    return tuple(scores)


def fit_and_forecast(
    daily: Mapping[str, pd.Series],
    effects: Mapping[str, DayEffects],
    chosen: Mapping[str, str],
    horizon: int,
    level: int,
    annual: bool,
) -> dict[str, pd.DataFrame]:
    """Each channel's forecast by its chosen model, on the whole history, effects put back."""
    out: dict[str, pd.DataFrame] = {}
    for model in sorted(set(chosen.values())):
        frames = []
        for channel in (c for c in daily if chosen[c] == model):
            series = daily[channel]
            y = clean(series.to_numpy() / effects[channel].of(list(series.index.date)))
            frames.append(pd.DataFrame({"unique_id": channel, "ds": series.index, "y": y}))
        result = _forecast(
            pd.concat(frames, ignore_index=True),
            members(model),
            annual=annual,
            horizon=horizon,
            level=level,
        )
        combine(result, model)
        for channel, rows in result.groupby("unique_id"):
            rows = rows.sort_values("ds").reset_index(drop=True)
            factor = effects[str(channel)].of([d.date() for d in rows["ds"]])
            for column in (model, f"{model}-lo", f"{model}-hi"):
                rows[column] = rows[column].to_numpy() * factor
            out[str(channel)] = rows
    return out
