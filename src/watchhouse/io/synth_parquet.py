"""Writes the synthetic force's monthly tables to Parquet, one file per table, streamed."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq


class ParquetSink:
    """Appends each table's monthly chunks as row groups of DIR/<table>.parquet."""

    def __init__(self, directory: Path) -> None:
        """Write into the directory (created if missing); existing files are replaced."""
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Append one period's tables."""
        for name, table in tables.items():
            writer = self._writers.get(name)
            if writer is None:
                writer = pq.ParquetWriter(
                    self.directory / f"{name}.parquet", table.schema, compression="zstd"
                )
                self._writers[name] = writer
            writer.write_table(table)
            self.rows[name] = self.rows.get(name, 0) + table.num_rows

    def close(self) -> None:
        """Finish every file."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> ParquetSink:
        """Use as a context manager."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the files."""
        self.close()
