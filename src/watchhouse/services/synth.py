"""Generate the synthetic force into the configured database or into Parquet files.

After each month the freed memory is handed back to the system (glibc's `malloc_trim`):
without it glibc's heap kept what every month freed and grew by about 160 MiB over ten
years at full scale, though the live data did not grow (bench/README.md). It changes nothing
that is generated.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watchhouse.db import bulk
from watchhouse.db.repositories import incidents as incident_repo
from watchhouse.io.synth_parquet import ParquetSink
from watchhouse.services.context import AppContext
from watchhouse.synth.generator import SyntheticForce, month_starts
from watchhouse.synth.profile import load_profile
from watchhouse.synth.schema import TABLE_ORDER

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SynthRequest:
    """What to generate."""

    profile: str = "default"
    start: date = date(2024, 1, 1)
    end: date = date(2025, 1, 1)
    scale: float = 1.0
    seed: int = 1
    settle_incidents: bool = False


def _find_malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None on systems without it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc (musl, for one)
        return None
    return trim


_MALLOC_TRIM = _find_malloc_trim()


def release_freed_memory() -> None:
    """Hand the memory a finished period freed back to the system instead of keeping it."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def periods(request: SynthRequest) -> int:
    """How many monthly periods a request covers (for progress bars)."""
    return len(month_starts(request.start, request.end)) - 1


def synth_to_parquet(
    request: SynthRequest, directory: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Write the synthetic force to DIR/<table>.parquet; returns rows written per table."""
    force = SyntheticForce(
        load_profile(request.profile),
        seed=request.seed,
        scale=request.scale,
        start=request.start,
        end=request.end,
        settle_incidents=request.settle_incidents,
    )
    total = periods(request)
    with ParquetSink(directory) as sink:
        for done, tables in enumerate(force, start=1):
            sink.write(tables)
            release_freed_memory()
            if progress:
                progress(done, total)
    return sink.rows


def synth_to_database(
    ctx: AppContext, request: SynthRequest, progress: Progress | None = None
) -> dict[str, int]:
    """Load the synthetic force into the store in one transaction: all of it or nothing."""
    rows: dict[str, int] = {}
    total = periods(request)
    with ctx.db.transaction() as session:
        if bulk.count_rows(session=session, table_name="synthetic_ground_truth"):
            raise RuntimeError(
                "the store already holds a synthetic force; generate into a fresh database"
            )
        first_ids = {
            name: bulk.next_id(session=session, table_name=name)
            for name in TABLE_ORDER
            if "id" in bulk.table(name).columns
        }
        force = SyntheticForce(
            load_profile(request.profile),
            seed=request.seed,
            scale=request.scale,
            start=request.start,
            end=request.end,
            first_ids=first_ids,
            settle_incidents=request.settle_incidents,
        )
        for done, tables in enumerate(force, start=1):
            for name in TABLE_ORDER:
                if name in tables:
                    data = tables[name]
                    if name == "incidents":
                        # Incidents and crimes point at each other: the closure's crime is
                        # linked once both are stored (below).
                        data = data.drop_columns(["closure_crime_id"])
                    bulk.insert_arrow(session=session, table_name=name, data=data)
                    rows[name] = rows.get(name, 0) + tables[name].num_rows
            release_freed_memory()
            if progress:
                progress(done, total)
        incident_repo.link_recorded_crimes(session=session)
        bulk.reset_sequences(session=session, table_names=TABLE_ORDER)
    return rows
