"""Benchmark: forecast plus staffing for 12 weeks of 15-minute intervals from 3 years of history,
every planned channel (999, 101, live chat, online), with the default policy.

Setup (not timed): three years of the default synthetic force written to Parquet (or an
existing directory given with --parquet). Timed, in one process:

1. history: contacts.parquet read with pyarrow and counted per channel per 15 minutes;
   handling time and patience estimated from the last eight weeks;
2. forecast: `forecast_demand` (rolling-origin backtest of MSTL, AutoETS and seasonal naive,
   the chosen model per channel, spread to intervals);
3. staffing: the requirement per interval (Erlang C / A, chat concurrency, workload), the
   simulation check of the first week, and the rosters (one pattern week per four weeks:
   quick covers, then HiGHS given the policy's time limit, or --roster-seconds).

With --old-roster S, the same pattern weeks are rostered again the old way, side by side (not
in the timed total): the relaxation rounded, then HiGHS alone for S seconds (10 was the old
default), with cost, time and gap per channel against the best bound either run proved.

Baseline, side by side: MSTL fitted directly on the 15-minute series (daily 96 and weekly 672
seasonality) for one channel over its last --baseline-weeks weeks, the approach the daily
fit replaces.

    uv run python bench/planning.py [--parquet DIR] [--roster-seconds S] [--old-roster 10]
        [--baseline-weeks 26]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS

from watchhouse.forecasting.demand import ChannelHistory, ForecastOptions, forecast_demand
from watchhouse.forecasting.rostering import weekly_roster
from watchhouse.forecasting.staffing import StaffingTarget, handling_estimates, requirement
from watchhouse.policy import load_policy
from watchhouse.services import staffing_plans
from watchhouse.services.context import AppContext
from watchhouse.services.staffing_plans import roster_channel, simulation_check
from watchhouse.services.synth import SynthRequest, synth_to_parquet

START, END = date(2022, 1, 1), date(2025, 1, 1)
STEP = 15 * 60


def _history(path: Path, channels: list[str]) -> tuple[list[ChannelHistory], dict[str, Any]]:
    table = pq.read_table(
        path, columns=["channel", "presented_at", "answered_at", "ended_at", "abandoned"]
    )
    unit = table.schema.field("presented_at").type.unit
    divisor = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    epoch = pc.cast(table["presented_at"], "int64").to_numpy() // divisor
    channel = table["channel"].to_numpy(zero_copy_only=False)
    first = int(datetime(START.year, 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(END.year, 1, 1, tzinfo=UTC).timestamp())
    starts = np.arange(first, last, STEP, dtype=np.int64)
    histories, facts = [], {}
    recent = epoch >= last - 8 * 7 * 86400
    answered = pc.cast(table["answered_at"], "int64").to_numpy(zero_copy_only=False)
    ended = pc.cast(table["ended_at"], "int64").to_numpy(zero_copy_only=False)
    abandoned = table["abandoned"].to_numpy(zero_copy_only=False)
    for name in channels:
        mine = channel == name
        counts = np.bincount((epoch[mine] - first) // STEP, minlength=starts.size)[: starts.size]
        histories.append(ChannelHistory(name, starts, counts.astype(np.float64)))
        sample = mine & recent
        served = sample & ~abandoned
        handle = (ended[served] - answered[served]) / divisor
        wait = (answered[served] - epoch[served] * divisor) / divisor
        facts[name] = handling_estimates(
            handling_seconds=float(np.nansum(handle)),
            handled=int(np.sum(~np.isnan(handle))),
            answered_wait_seconds=float(np.nansum(wait)),
            answered_waited=int(np.sum(wait > 0)),
            abandoned=int(np.sum(sample & abandoned)),
            abandoned_wait_seconds=None,
        )
    return histories, facts


def _old_rosters(
    ctx: AppContext,
    policy: Any,
    rostered: list[tuple[str, np.ndarray, list[datetime], float, float, float]],
    seconds: float,
) -> None:
    """Roster the same weeks the old way (rounding, then HiGHS alone) and print both."""
    old_planning = policy.planning.model_copy(update={"roster_time_limit_seconds": seconds})
    old_ctx = cast(
        AppContext, SimpleNamespace(policy=policy.model_copy(update={"planning": old_planning}))
    )
    solvers = vars(staffing_plans)  # the old way: no dives, so rounding then HiGHS alone
    new_solver = solvers["weekly_roster"]
    solvers["weekly_roster"] = partial(weekly_roster, dive_thresholds=())
    try:
        print(f"rosters side by side: old = rounding then HiGHS alone {seconds:g} s per week")
        for channel, staff, starts, new_seconds, new_cost, new_gap in rostered:
            began = time.perf_counter()
            _, _, _, costs, old_gap = roster_channel(
                old_ctx, channel, staff, starts, lambda *_: None, [0], 1
            )
            old_seconds, old_cost = time.perf_counter() - began, sum(costs)
            print(
                f"  {channel:13} new {new_seconds:5.1f} s cost {new_cost:8.1f} gap {new_gap:.1%}"
                f" | old {old_seconds:5.1f} s cost {old_cost:8.1f} gap {old_gap:.1%}"
                f" | new/old cost {new_cost / old_cost:.3f}"
            )
    finally:
        solvers["weekly_roster"] = new_solver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", type=Path, help="an existing synthetic force in Parquet")
    parser.add_argument("--roster-seconds", type=float, help="HiGHS time limit per pattern week")
    parser.add_argument("--old-roster", type=float, help="also roster the old way, S seconds")
    parser.add_argument("--baseline-weeks", type=int, default=26)
    args = parser.parse_args()
    policy = load_policy()
    planning = policy.planning
    if args.roster_seconds is not None:
        planning = planning.model_copy(update={"roster_time_limit_seconds": args.roster_seconds})
        policy = policy.model_copy(update={"planning": planning})
    ctx = cast(AppContext, SimpleNamespace(policy=policy))
    channels = [c.value for c in planning.channels]
    print(f"python {platform.python_version()} on {platform.machine()}, shared 2-core machine")
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.parquet or Path(scratch)
        if args.parquet is None:
            began = time.perf_counter()
            rows = synth_to_parquet(SynthRequest(start=START, end=END), directory)
            print(
                f"setup: {rows['contacts']:,} contacts ({START} to {END}) to Parquet in "
                f"{time.perf_counter() - began:.1f} s (not timed)"
            )
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        cpu_began = time.process_time()
        began = time.perf_counter()
        histories, facts = _history(directory / "contacts.parquet", channels)
        timings["history"] = time.perf_counter() - began
        cpu["history"] = time.process_time() - cpu_began

        began = time.perf_counter()
        options = ForecastOptions(
            interval_minutes=planning.interval_minutes,
            horizon_days=7 * planning.horizon_weeks,
            timezone=policy.force.timezone,
            level=planning.prediction_level,
            backtest_windows=planning.backtest_windows,
            profile_weeks=planning.profile_weeks,
        )
        forecasts = forecast_demand(histories, options=options)
        timings["forecast"] = time.perf_counter() - began
        cpu["forecast"] = time.process_time() - cpu_began - sum(cpu.values())

        began = time.perf_counter()
        lines = []
        rostered: list[tuple[str, np.ndarray, list[datetime], float, float, float]] = []
        for f in forecasts:
            rule = planning.channels[f.channel]  # type: ignore[index]
            aht, patience = facts[f.channel]
            target = StaffingTarget(
                method=rule.method,
                aht_seconds=rule.aht_seconds or aht or 300.0,
                shrinkage=rule.shrinkage,
                target_seconds=rule.target_seconds
                or (policy.emergency_answer.standard_seconds if f.channel == "999" else None)
                or policy.non_emergency_answer.answer_target_seconds,
                service_level=rule.service_level or policy.emergency_answer.standard_share,
                max_abandonment=rule.max_abandonment
                or (
                    policy.non_emergency_answer.max_abandonment_share
                    if f.channel == "101"
                    else None
                ),
                patience_seconds=rule.patience_seconds or patience or 1e9,
                max_concurrent_chats=rule.max_concurrent_chats,
                max_occupancy=rule.max_occupancy,
                minimum_handlers=rule.minimum_handlers,
            )
            need = requirement(f.mean, target=target, interval_minutes=planning.interval_minutes)
            flags: list[dict[str, float]] = []
            if target.method != "workload":
                _, flags = simulation_check(ctx, target, f.mean, need)
            starts = [datetime.fromtimestamp(int(s), UTC) for s in f.starts]
            roster_began = time.perf_counter()
            _, _, ftes, costs, gap = roster_channel(
                ctx, f.channel, need.staff, starts, lambda *_: None, [0], 1
            )
            rostered.append(
                (f.channel, need.staff, starts, time.perf_counter() - roster_began, sum(costs), gap)
            )
            baseline = f.score("SeasonalNaive")
            chosen = f.score(f.model)
            lines.append(
                f"  {f.channel:13} {f.model:8} MASE {chosen.mase:.3f} (seasonal naive "
                f"{baseline.mase:.3f}), daily model's coverage {chosen.coverage:.0%} (naive "
                f"{baseline.coverage:.0%}), band {f.interval_coverage:.1%} of held-out "
                f"intervals (c {f.calibration:.2f}); {target.describe()}; handlers mean "
                f"{need.handlers.mean():.1f} peak {need.handlers.max()}; FTE {np.mean(ftes):.1f}; "
                f"roster gap {gap:.1%}; simulation flags {len(flags)}"
            )
        timings["staffing"] = time.perf_counter() - began
        cpu["staffing"] = time.process_time() - cpu_began - sum(cpu.values())
        intervals = forecasts[0].starts.size
        print(
            f"history {histories[0].starts.size:,} intervals per channel; forecast "
            f"{intervals:,} intervals x {len(forecasts)} channels"
        )
        print("\n".join(lines))
        total = sum(timings.values())
        print(
            "timed: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
            + f"; total {total:.1f} s wall (target < 60 s), {sum(cpu.values()):.1f} s CPU in "
            "this process ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in cpu.items())
            + f"); roster time limit {planning.roster_time_limit_seconds:g} s per pattern week"
        )

        if args.old_roster is not None:
            _old_rosters(ctx, policy, rostered, args.old_roster)

        if args.baseline_weeks:
            history = histories[0]
            keep = args.baseline_weeks * 7 * 96
            frame = pd.DataFrame(
                {
                    "unique_id": history.channel,
                    "ds": pd.to_datetime(history.starts[-keep:], unit="s"),
                    "y": history.counts[-keep:],
                }
            )
            began = time.perf_counter()
            model = MSTL(season_length=[96, 672], trend_forecaster=AutoETS(model="ZZN"))
            StatsForecast(models=[model], freq="15min").forecast(df=frame, h=84 * 96, level=[80])
            seconds = time.perf_counter() - began
            print(
                f"baseline: MSTL on the 15-minute series, one channel ({history.channel}), "
                f"{args.baseline_weeks} weeks of history, one fit and no backtest: {seconds:.1f} s"
            )


if __name__ == "__main__":
    main()
