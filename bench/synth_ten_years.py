"""Benchmark: ten years of the default synthetic force to Parquet, with peak memory year by year.

    uv run python bench/synth_ten_years.py

Target (issue 3): ten years must work, streamed month by month with memory flat. Prints the
time, the rows written and the process's peak memory (max RSS, MiB) at the end of each year.
"""

import json
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from watchhouse.services.synth import SynthRequest, synth_to_parquet

marks = []


def progress(done, total):
    marks.append((done, round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))


t = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    rows = synth_to_parquet(
        SynthRequest(start=date(2020, 1, 1), end=date(2030, 1, 1), seed=5), Path(tmp), progress
    )
print(
    json.dumps(
        {
            "seconds": round(time.perf_counter() - t, 1),
            "contacts": rows["contacts"],
            "rows": sum(rows.values()),
            "peak_mib_by_year": [m for d, m in marks if d % 12 == 0],
        }
    )
)
