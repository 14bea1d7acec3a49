"""Small array helpers shared by the generator's parts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from watchhouse.synth.schema import SCHEMAS, TS


def ts(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds (NaN for none) as UTC microsecond timestamps."""
    values = np.asarray(seconds, dtype=np.float64)
    missing = np.isnan(values)
    micros = np.where(missing, 0, np.round(values * 1e6)).astype(np.int64)
    return pa.array(micros, type=TS, mask=missing)


def ids(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Integer ids with optional missing ones."""
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=missing)


def lognormal_minutes(
    rng: np.random.Generator, median: np.ndarray | float, sigma: float, size: int
) -> np.ndarray:
    """Durations in seconds with the given median (minutes) and spread."""
    return np.asarray(median) * 60.0 * np.exp(rng.normal(0.0, sigma, size))


def pick(
    rng: np.random.Generator, options: Sequence[str], weights: Sequence[float], size: int
) -> np.ndarray:
    """Random labels by weight."""
    p = np.asarray(weights, dtype=float)
    return np.array(options, dtype=object)[rng.choice(len(options), size=size, p=p / p.sum())]


def table(name: str, columns: dict[str, object]) -> pa.Table:
    """An Arrow table of the named schema from columns (arrays or lists)."""
    schema = SCHEMAS[name]
    arrays = []
    for f in schema:
        value = columns[f.name]
        arrays.append(value if isinstance(value, pa.Array) else pa.array(value, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
