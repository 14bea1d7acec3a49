"""Benchmark: every measure, every period kind and every cut, for one year of the default
synthetic force, on DuckDB against a plain pandas implementation of the same measures.

    uv run --group bench python bench/measures.py [--data DIR] [--runs 3]

Target (issue 5): under 5 s on this 2-core machine and at least 10 times faster than pandas,
with identical results (asserted). Both start from the same prepared Arrow tables (the
snapshot's Parquet files read by analytics/tables.py, timed separately): DuckDB's time
includes loading them and building its fact tables; pandas' includes its merges. The year is
generated with the synthetic force (`--data` reuses a directory of Parquet files).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measures_pandas

from watchhouse.analytics import tables
from watchhouse.analytics.catalogue import Cut, Period, specs
from watchhouse.analytics.engine import MeasureEngine
from watchhouse.analytics.model import MeasureParams
from watchhouse.services.synth import SynthRequest, synth_to_parquet

START, END = date(2024, 1, 1), date(2024, 12, 31)
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def engine_run(prepared: dict[str, pa.Table], params: MeasureParams) -> tuple[pa.Table, float]:
    """Load the tables into DuckDB, build the facts and compute everything; (result, seconds)."""
    began = time.perf_counter()
    with MeasureEngine(prepared) as engine:
        result = engine.compute_table(
            specs(), params, periods=list(Period), cuts=list(Cut), start=START, end=END
        )
    return result, time.perf_counter() - began


def pandas_run(prepared: dict[str, pa.Table], params: MeasureParams) -> tuple[pa.Table, float]:
    """The same with pandas; (result, seconds)."""
    began = time.perf_counter()
    result = measures_pandas.compute(prepared, params, start=START, end=END)
    return result, time.perf_counter() - began


def keyed(table: pa.Table) -> dict[tuple[object, ...], tuple[object, ...]]:
    """Rows by (measure, period, period_start, cut, cut_value)."""
    return {
        (r["measure"], r["period"], r["period_start"], r["cut"], r["cut_value"]): (
            r["value"],
            r["numerator"],
            r["denominator"],
        )
        for r in table.to_pylist()
    }


def largest_difference(mine: pa.Table, theirs: pa.Table) -> float:
    """Assert both hold the same rows and values; return the largest relative difference."""
    left, right = keyed(mine), keyed(theirs)
    missing = left.keys() ^ right.keys()
    assert not missing, f"{len(missing)} rows differ, e.g. {sorted(missing, key=str)[:3]}"
    worst = 0.0
    for key, values in left.items():
        for a, b in zip(values, right[key], strict=True):
            if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
                a_none = a is None or (isinstance(a, float) and math.isnan(a))
                b_none = b is None or (isinstance(b, float) and math.isnan(b))
                assert a_none and b_none, (key, a, b)
                continue
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (key, a, b)
            if a != b:
                worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
    return worst


def main() -> None:
    """Generate (or reuse) the year, run both side by side, check and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a directory of Parquet tables to reuse")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--duckdb-only", action="store_true", help="time DuckDB alone (no baseline, no check)"
    )
    args = parser.parse_args()
    scratch = None
    data = args.data
    if data is None or not (data / "contacts.parquet").exists():
        if data is None:
            scratch = tempfile.TemporaryDirectory(prefix="watchhouse-bench-measures-")
            data = Path(scratch.name)
        print(f"generating one year of the default force into {data} ...", flush=True)
        synth_to_parquet(SynthRequest(start=date(2024, 1, 1), end=date(2025, 1, 1), seed=11), data)
    params = MeasureParams(as_of_us=int(AS_OF.timestamp() * 1_000_000))
    began = time.perf_counter()
    from_parquet = tables.read_tables(data, timezone="Europe/London", use_prepared=False)
    parquet_seconds = time.perf_counter() - began
    # What a snapshot does once when it is written (services.measures.take_snapshot): keep the
    # prepared tables (microseconds, local days) beside the Parquet as Arrow IPC files.
    began = time.perf_counter()
    tables.write_prepared(data, timezone="Europe/London")
    write_seconds = time.perf_counter() - began
    began = time.perf_counter()
    prepared = tables.read_tables(data, timezone="Europe/London")
    read_seconds = time.perf_counter() - began
    same = all(prepared[name].equals(from_parquet[name]) for name in from_parquet)
    del from_parquet
    contacts = prepared["contacts"].num_rows
    rows_in = sum(t.num_rows for t in prepared.values())
    duck_times, panda_times = [], []
    duck = panda = None
    for _ in range(args.runs):
        duck, seconds = engine_run(prepared, params)
        duck_times.append(seconds)
        if args.duckdb_only:
            continue
        panda, seconds = pandas_run(prepared, params)
        panda_times.append(seconds)
    if args.duckdb_only:
        print(
            f"read {read_seconds:.2f} s prepared ({parquet_seconds:.2f} s from Parquet, prepared"
            f" once in {write_seconds:.2f} s, {'identical' if same else 'DIFFERENT'}); "
            f"DuckDB median {statistics.median(duck_times):.2f} s "
            f"over {args.runs} runs {[round(t, 2) for t in duck_times]}"
        )
        return
    assert duck is not None and panda is not None
    worst = largest_difference(duck, panda)
    d, p = statistics.median(duck_times), statistics.median(panda_times)
    measures = len(specs())
    combos = sum(len(s.definition.cuts) for s in specs()) * len(Period)
    print(f"input: {contacts:,} contacts, {rows_in:,} rows in the measure tables")
    print(f"read and prepare the Parquet tables (before): {parquet_seconds:.2f} s")
    print(f"prepare once into Arrow IPC files (at snapshot time): {write_seconds:.2f} s")
    print(
        f"read the prepared snapshot (now): {read_seconds:.2f} s;"
        f" {'identical to' if same else 'DIFFERENT FROM'} the Parquet read"
    )
    print(
        f"{measures} measures x every cut x {len(Period)} period kinds "
        f"({combos} measure-cut-period combinations, {duck.num_rows:,} values)"
    )
    print(
        f"DuckDB (load + facts + every measure): median {d:.2f} s over {args.runs} runs "
        f"{[round(t, 2) for t in duck_times]}"
    )
    print(
        f"pandas baseline:                       median {p:.2f} s over {args.runs} runs "
        f"{[round(t, 2) for t in panda_times]}"
    )
    print(f"ratio {p / d:.1f}x; results identical (largest relative difference {worst:.1e})")
    print(
        f"DuckDB with the read: {read_seconds + d:.2f} s (target < 5 s); with the Parquet read"
        f" and prepare as before: {parquet_seconds + d:.2f} s"
    )
    if scratch:
        scratch.cleanup()


if __name__ == "__main__":
    main()
