"""Synthetic forces generated once per test run and shared by the synth tests.

Generating is quick (a month at 2% of the default force takes well under a second), but the
statistical tests want a few thousand contacts, so each force is built once per session.
The control-room queues always run at full size, whatever the scale: a small scale only thins
the contacts that are kept, so answer times can be tested on small forces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from watchhouse.synth.generator import SyntheticForce
from watchhouse.synth.profile import load_profile

# Six months spanning the clock change (BST from 31 March) and five bank holidays.
MAIN_START, MAIN_END = date(2024, 1, 1), date(2024, 7, 1)
MAIN_SCALE, MAIN_SEED = 0.05, 2024
# Two winter months for comparing the shipped staffing profiles.
QUEUE_START, QUEUE_END = date(2024, 1, 1), date(2024, 3, 1)
QUEUE_SCALE, QUEUE_SEED = 0.02, 7


@dataclass
class Generated:
    """Every table the generator yielded, concatenated, and the force that made them."""

    force: SyntheticForce
    tables: dict[str, pa.Table]

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def col(self, table: str, name: str) -> np.ndarray:
        """A column as numpy: object arrays for text, dates and nullable flags; NaN for null."""
        column = self.tables[table].column(name)
        if (
            pa.types.is_string(column.type)
            or pa.types.is_date(column.type)
            or (pa.types.is_boolean(column.type) and column.null_count)
        ):
            return np.array(column.to_pylist(), dtype=object)
        if column.null_count:
            return np.array([np.nan if v is None else v for v in column.to_pylist()], dtype=float)
        return np.asarray(column.to_numpy(zero_copy_only=False))

    def seconds(self, table: str, name: str) -> np.ndarray:
        """A timestamp column as epoch seconds, NaN where missing."""
        column = self.tables[table].column(name).cast(pa.int64())
        values = np.asarray(column.fill_null(0).to_numpy(zero_copy_only=False), dtype=float) / 1e6
        values[np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = np.nan
        return values


def generate(profile: str, *, seed: int, scale: float, start: date, end: date) -> Generated:
    """Run the generator over the range and concatenate each table's monthly chunks."""
    force = SyntheticForce(load_profile(profile), seed=seed, scale=scale, start=start, end=end)
    chunks: dict[str, list[pa.Table]] = {}
    for tables in force:
        for name, table in tables.items():
            chunks.setdefault(name, []).append(table)
    return Generated(force, {name: pa.concat_tables(parts) for name, parts in chunks.items()})


@pytest.fixture(scope="session")
def main_force() -> Generated:
    """Six months of the default force at 5%: about 17,000 contacts."""
    return generate("default", seed=MAIN_SEED, scale=MAIN_SCALE, start=MAIN_START, end=MAIN_END)


@pytest.fixture(scope="session")
def staffing_forces() -> dict[str, Generated]:
    """The same two winter months under each shipped profile, at 2%."""
    return {
        name: generate(name, seed=QUEUE_SEED, scale=QUEUE_SCALE, start=QUEUE_START, end=QUEUE_END)
        for name in ("special_measures", "default", "well_staffed")
    }


@pytest.fixture(scope="session")
def make_force() -> Callable[..., Generated]:
    """generate(profile, seed=, scale=, start=, end=) for tests that need their own force."""
    return generate
