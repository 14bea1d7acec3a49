"""Benchmark: ten years of the default synthetic force to Parquet, with memory year by year.

    uv run python bench/synth_ten_years.py                  # ten years of the default profile
    uv run python bench/synth_ten_years.py --steady         # the same without demand growth
    uv run python bench/synth_ten_years.py --years 3 --scale 0.3   # a quicker look

Target (issue 3): ten years must work, streamed month by month with memory flat. Prints, at
the end of each year, the contacts generated that year, the process's peak memory so far
(max RSS, MiB) and its resident memory at that moment (RSS, MiB; Linux only).

The default profile's demand grows every year (999 by 8%, live chat by 15%, online reports by
10%, 101 by 2%), so a month in year ten holds about 1.7 times the contacts of a month in year
one, and the memory a month needs grows with it. `--steady` sets every channel's growth to
zero, so what is left is what the years themselves cost.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from watchhouse.services.synth import SynthRequest, synth_to_parquet
from watchhouse.synth.profile import load_profile

START_YEAR = 2020


def peak_mib() -> int:
    """The process's peak resident memory so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def resident_mib() -> int | None:
    """The process's resident memory now (None where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return None
    return round(pages * resource.getpagesize() / 2**20)


def steady_profile(directory: Path) -> str:
    """A profile file: the default with no demand growth on any channel."""
    lines = ['name = "steady"']
    for channel in load_profile("default").channels:
        lines += [f'[channels."{channel}"]', "annual_growth = 0.0"]
    path = directory / "steady.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def main() -> None:
    """Generate, then print the time, rows and memory by year as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--steady", action="store_true", help="no demand growth")
    args = parser.parse_args()
    marks: list[tuple[int, int, int | None]] = []

    def progress(done: int, total: int) -> None:
        if done % 12 == 0 or done == total:
            marks.append((done, peak_mib(), resident_mib()))

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        request = SynthRequest(
            profile=steady_profile(Path(tmp)) if args.steady else "default",
            start=date(START_YEAR, 1, 1),
            end=date(START_YEAR + args.years, 1, 1),
            scale=args.scale,
            seed=5,
        )
        began = time.perf_counter()
        rows = synth_to_parquet(request, Path(tmp) / "out", progress)
        seconds = time.perf_counter() - began
        # One row group per month in each file.
        metadata = pq.ParquetFile(Path(tmp) / "out" / "contacts.parquet").metadata
        monthly = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "contacts": rows["contacts"],
                "rows": sum(rows.values()),
                "contacts_by_year": [sum(monthly[i : i + 12]) for i in range(0, len(monthly), 12)],
                "peak_mib_by_year": [peak for _, peak, _ in marks],
                "rss_mib_by_year": [rss for _, _, rss in marks],
            }
        )
    )


if __name__ == "__main__":
    main()
