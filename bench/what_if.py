"""Benchmark: the planning page's what-if on the demo force, this checkout beside the code it
started from (the baseline), in one run.

    uv run python bench/what_if.py [--store data/demo/watchhouse.sqlite3] [--runs 3]
        [--baseline-ref REF]

The store is the demo's (`watchhouse demo --no-serve` builds it: fifteen months of the
synthetic force at 1% scale, a stored 12-week forecast of 15-minute intervals and the
policy's rostered plan). Each side runs in its own child process on its own copy of the store:
this checkout's code, then the baseline's (`git archive REF src`, default the merge base with
main, extracted into a temporary directory and put first on PYTHONPATH, never copied into the
repository). In each child, as the analyst does on the page: the planning page's view is made
once (untimed: the page the analyst asks from), then each what-if below is asked `--runs`
times, timing `staffing_plans.what_if` (work out, roster or not, store) and then the view of
its answer (`planning_view` with the plan and its baseline), with the default policy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASKED = [
    ("999", {"demand_change": 0.08}),
    ("101", {"demand_change": 0.08}),
    ("live_chat", {"demand_change": 0.08}),
    ("101", {"target_seconds": 60.0}),
    ("101", {"demand_change": 0.50}),
]


def worker(store: Path, runs: int) -> None:
    """In the child: ask each what-if `runs` times, print JSON with the times."""
    from watchhouse.config import Settings
    from watchhouse.services import accounts, staffing_plans
    from watchhouse.services.context import build_context
    from watchhouse.services.planning_views import planning_view

    ctx = build_context(
        Settings(environment="test", data_dir=store.parent, database_url=f"sqlite:///{store}"),
        migrate=False,
    )
    actor = accounts.sign_in(ctx, username="analyst", password="analyst-demo-pass").actor
    planning_view(ctx, forecast_run_id=None, plan_id=None)  # the page the analyst asks from
    out = []
    for channel, asked in ASKED:
        for _ in range(runs):
            request = staffing_plans.WhatIfRequest(channel=channel, **asked)  # type: ignore[arg-type]
            began = time.perf_counter()
            found = staffing_plans.what_if(ctx, actor=actor, request=request)
            middle = time.perf_counter()
            view = planning_view(
                ctx,
                forecast_run_id=None,
                plan_id=found.changed.plan_id,
                baseline_id=found.baseline.plan_id,
            )
            ended = time.perf_counter()
            row = view.comparison[0] if view.comparison else {}
            out.append(
                {
                    "channel": channel,
                    "asked": asked,
                    "what_if": middle - began,
                    "view": ended - middle,
                    "fte_change": row.get("fte_change"),
                    "basis": row.get("roster_basis", "rostered"),
                    "floor_note": row.get("floor_note", ""),
                }
            )
    print(json.dumps(out))


def _baseline_source(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "src"], check=True, capture_output=True, cwd=ROOT
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _child(code: Path | None, store: Path, runs: int) -> list[dict[str, object]]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, __file__, "--worker", str(store), "--runs", str(runs)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data/demo/watchhouse.sqlite3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-ref", help="git ref of the baseline (default: merge base)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker, args.runs)
        return 0
    ref = (
        args.baseline_ref
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
    )
    print("command:", " ".join(["uv run python bench/what_if.py", *sys.argv[1:]]))
    print(f"baseline: {ref[:12]}; load before: {Path('/proc/loadavg').read_text().strip()}")
    with tempfile.TemporaryDirectory(prefix="bench-what-if-") as scratch:
        work = Path(scratch)
        results = {}
        for side, code in (("current", None), ("baseline", _baseline_source(ref, work / "base"))):
            copy = work / side / "watchhouse.sqlite3"
            copy.parent.mkdir(parents=True)
            shutil.copy(args.store, copy)
            results[side] = _child(code, copy, args.runs)
    print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
    print(f"{'what-if':<34} {'side':<9} {'answer s (median)':>18} {'view s':>8}  FTE change")
    for index, (channel, asked) in enumerate(ASKED):
        medians = {}
        for side, found in results.items():
            rows = found[index * args.runs : (index + 1) * args.runs]
            answer = statistics.median(float(r["what_if"]) for r in rows)  # type: ignore[arg-type]
            view = statistics.median(float(r["view"]) for r in rows)  # type: ignore[arg-type]
            medians[side] = answer + view
            what = f"{channel} {asked}"
            print(
                f"{what:<34} {side:<9} {answer:>18.2f} {view:>8.2f}  {rows[0]['fte_change']} "
                f"({rows[0]['basis']})"
            )
        print(
            f"{'':<34} answer + view: current {medians['current']:.2f} s, baseline "
            f"{medians['baseline']:.2f} s, {medians['baseline'] / medians['current']:.1f}x faster"
        )
        note = results["current"][index * args.runs]["floor_note"]
        if note:
            print(f"{'':<34} says: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
