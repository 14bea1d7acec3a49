"""Read a CSV file into a table of text columns, knowing each record's row number.

The fast path is pyarrow's multi-threaded CSV reader. pyarrow cannot say where a malformed
record (too many or too few fields) was, and skipping one would shift the numbers of every
record after it, so a file with any malformed record is read again with the standard `csv`
module, which numbers every record exactly and reports the malformed ones.

Row numbers count records, the header being row 1; a record whose quoted value contains a line
break counts once. Blank lines keep their number but are not records.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from watchhouse.io.rejects import Rejection

ENCODING = "utf-8-sig"


class UnreadableFile(ValueError):
    """A file that cannot be read as the CSV it claims to be (the whole file is refused)."""


def read_header(path: Path) -> list[str]:
    """The header row's column names, stripped of spaces (a UTF-8 byte-order mark is ignored)."""
    try:
        with path.open(newline="", encoding=ENCODING) as handle:
            first = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path.name} is not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not first:
        raise UnreadableFile(f"{path.name} is empty: it has no header row")
    return [name.strip() for name in first]


@dataclass(frozen=True)
class TextTable:
    """Every well-formed record as text, trimmed of surrounding spaces, with its row number."""

    table: pa.Table
    row_numbers: np.ndarray
    malformed: list[Rejection]

    @property
    def records(self) -> int:
        """Records read: well-formed ones plus malformed ones."""
        return int(self.table.num_rows) + len(self.malformed)


def read_text_table(path: Path, header: Sequence[str]) -> TextTable:
    """Read every record after the header as text; blank records are dropped."""
    names = list(header)
    try:
        table, invalid = _read_with_arrow(path, names)
    except pa.ArrowInvalid:
        # Bad encoding or quoting: the csv module's reading says exactly where.
        return _read_with_csv_module(path, names)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc}") from exc
    if invalid:
        return _read_with_csv_module(path, names)
    return _finish(table, np.arange(2, table.num_rows + 2, dtype=np.int64), [])


def _read_with_arrow(path: Path, names: list[str]) -> tuple[pa.Table, int]:
    invalid = 0

    def count_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=[f"c{i}" for i in range(len(names))], skip_rows=1, encoding="utf8"
        ),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=count_invalid
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={f"c{i}": pa.string() for i in range(len(names))},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.rename_columns(names), invalid


def _read_with_csv_module(path: Path, names: list[str]) -> TextTable:
    width = len(names)
    columns: list[list[str]] = [[] for _ in names]
    numbers: list[int] = []
    malformed: list[Rejection] = []
    try:
        with path.open(newline="", encoding=ENCODING) as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for number, record in enumerate(reader, start=2):
                if not record:
                    continue
                if len(record) != width:
                    malformed.append(
                        Rejection(
                            number,
                            "",
                            ",".join(record)[:200],
                            f"has {len(record)} fields; the header has {width}",
                        )
                    )
                    continue
                numbers.append(number)
                for values, value in zip(columns, record, strict=True):
                    values.append(value)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path.name} is not UTF-8 text: {exc}") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name} is not valid CSV: {exc}") from exc
    table = pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(names, columns, strict=True)}
    )
    return _finish(table, np.asarray(numbers, dtype=np.int64), malformed)


def _finish(table: pa.Table, numbers: np.ndarray, malformed: list[Rejection]) -> TextTable:
    """Trim every value and drop records whose every value is blank."""
    trimmed = pa.table(
        {name: pc.utf8_trim_whitespace(table.column(name)) for name in table.column_names}
    )
    if trimmed.num_columns and trimmed.num_rows:
        # Blank records are rare: look for them among rows whose first column is blank.
        blank = _blank(trimmed.column(0))
        candidates = np.flatnonzero(blank)
        for name in trimmed.column_names[1:]:
            if not len(candidates):
                break
            still = _blank(trimmed.column(name).take(pa.array(candidates)))
            candidates = candidates[still]
        if len(candidates):
            keep = np.ones(trimmed.num_rows, dtype=bool)
            keep[candidates] = False
            trimmed = trimmed.filter(pa.array(keep))
            numbers = numbers[keep]
    return TextTable(trimmed, numbers, malformed)


def _blank(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    mask = pc.equal(pc.utf8_length(values), 0)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
