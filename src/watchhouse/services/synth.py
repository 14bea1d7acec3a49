"""Generate the synthetic force into the configured database or into Parquet files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watchhouse.db import bulk
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
                    bulk.insert_arrow(session=session, table_name=name, data=tables[name])
                    rows[name] = rows.get(name, 0) + tables[name].num_rows
            if progress:
                progress(done, total)
        bulk.reset_sequences(session=session, table_names=TABLE_ORDER)
    return rows
