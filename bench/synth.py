"""Benchmark: the synthetic force, one year of the default profile, to Parquet and to SQLite.

    uv run python bench/synth.py [--years 1] [--long-years 3] [--repeat 1]

Targets (issue 3): a year to Parquet in under 60 s and into SQLite in under 3 minutes on
this 2-core machine, peak memory under 4 GiB, and memory flat for long ranges (streamed by
month). Each run is a separate process so its peak memory (max RSS) is its own.

Baseline, run side by side in this process: loading the same month of generated tables
with the SQLAlchemy ORM (`session.add_all`, one object per row) against watchhouse's bulk
loader (`db.bulk.insert_arrow`); the ratio is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
from watchhouse.config import Settings
from watchhouse.services.context import build_context
from watchhouse.services.synth import SynthRequest, synth_to_database, synth_to_parquet
target, years, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
request = SynthRequest(start=date(2024, 1, 1), end=date(2024 + years, 1, 1), seed=11)
began = time.perf_counter()
if target == "parquet":
    rows = synth_to_parquet(request, out)
else:
    ctx = build_context(Settings(data_dir=out, database_url=f"sqlite:///{out / 'bench.sqlite3'}"))
    began = time.perf_counter()
    rows = synth_to_database(ctx, request)
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "contacts": rows["contacts"],
                  "rows": sum(rows.values())}))
"""


def run_child(target: str, years: int) -> dict[str, float]:
    """Generate in a fresh process and return its time, peak memory and row counts."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, target, str(years), tmp],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def loader_baseline() -> dict[str, float]:
    """Bulk loader against the ORM, on the same month of generated contacts."""
    from watchhouse.db import bulk
    from watchhouse.db.engine import Database
    from watchhouse.db.migrate import upgrade
    from watchhouse.db.tables import ContactRow
    from watchhouse.synth.generator import SyntheticForce
    from watchhouse.synth.profile import load_profile

    force = SyntheticForce(
        load_profile("default"), seed=11, scale=1.0, start=date(2024, 1, 1), end=date(2024, 2, 1)
    )
    tables = next(iter(force))
    parents = ("neighbourhoods", "users", "locations", "people", "telephone_numbers")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for method in ("bulk", "orm"):
            url = f"sqlite:///{tmp}/{method}.sqlite3"
            upgrade(url)
            db = Database(url)
            with db.transaction() as session:
                for name in parents:
                    bulk.insert_arrow(session=session, table_name=name, data=tables[name])
            contacts = tables["contacts"]
            began = time.perf_counter()
            with db.transaction() as session:
                if method == "bulk":
                    bulk.insert_arrow(session=session, table_name="contacts", data=contacts)
                else:
                    session.add_all(ContactRow(**row) for row in contacts.to_pylist())
            results[method] = contacts.num_rows / (time.perf_counter() - began)
            db.dispose()
    results["rows"] = float(tables["contacts"].num_rows)
    return results


def main() -> None:
    """Run the benchmark and print a results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--long-years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(
        f"command: uv run python bench/synth.py --years {args.years} "
        f"--long-years {args.long_years} --repeat {args.repeat}"
    )
    for target, limit in (("parquet", 60.0), ("sqlite", 180.0)):
        runs = [run_child(target, args.years) for _ in range(args.repeat)]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        print(
            f"{args.years} year to {target:8s}: median {seconds:6.1f} s (target < {limit:.0f} s), "
            f"peak {peak:6.0f} MiB (target < 4096), {int(runs[0]['contacts']):,} contacts, "
            f"{int(runs[0]['rows']):,} rows"
        )
    if args.long_years > args.years:
        short = run_child("parquet", args.years)
        long = run_child("parquet", args.long_years)
        print(
            f"memory flat: peak {short['peak_mib']:.0f} MiB for {args.years} y, "
            f"{long['peak_mib']:.0f} MiB for {args.long_years} y "
            f"(ratio {long['peak_mib'] / short['peak_mib']:.2f}); "
            f"{long['seconds']:.1f} s for {args.long_years} y"
        )
    base = loader_baseline()
    print(
        f"loader, one month of contacts ({int(base['rows']):,} rows) into SQLite: "
        f"bulk {base['bulk']:,.0f} rows/s, ORM baseline {base['orm']:,.0f} rows/s, "
        f"ratio {base['bulk'] / base['orm']:.1f}x"
    )


if __name__ == "__main__":
    main()
