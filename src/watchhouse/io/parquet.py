"""Writing store tables to Parquet with pyarrow, a chunk at a time.

Each table goes to `<table>.parquet` through a `.partial` file that is renamed only when every
table of the export has been written, so a failed export leaves no half-written file behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "text": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "json": pa.string(),
    "binary": pa.binary(),
}


def schema_for(kinds: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema for columns of these kinds (JSON is written as its text)."""
    return pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in kinds.items()])


def partial_path(path: Path) -> Path:
    """Where a Parquet file is written before the export succeeds."""
    return path.with_name(path.name + ".partial")


class ParquetTableWriter:
    """Writes one table's chunks of rows (tuples in column order) to a `.partial` file."""

    def __init__(self, path: Path, kinds: Mapping[str, str]) -> None:
        """Open `<path>.partial` for writing with the schema of these columns."""
        self.path = path
        self.kinds = dict(kinds)
        self.schema = schema_for(kinds)
        self.rows = 0
        self._writer = pq.ParquetWriter(partial_path(path), self.schema, compression="zstd")

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append a chunk of rows."""
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        arrays = []
        for (name, kind), values in zip(self.kinds.items(), columns, strict=True):
            if kind == "json":
                values = tuple(None if v is None else json.dumps(v) for v in values)
            arrays.append(pa.array(values, type=ARROW_TYPES[kind]))
            del name
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows += len(rows)

    def close(self) -> None:
        """Finish the file (still under its `.partial` name)."""
        self._writer.close()

    def __enter__(self) -> ParquetTableWriter:
        """Use as a context manager: the file is closed on leaving."""
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        """Close the file."""
        self.close()


def publish(paths: Sequence[Path]) -> None:
    """Rename every `.partial` file to its final name."""
    for path in paths:
        partial_path(path).replace(path)


def discard(paths: Sequence[Path]) -> None:
    """Remove the `.partial` files of a failed export."""
    for path in paths:
        partial_path(path).unlink(missing_ok=True)
