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

from watchhouse.io.rejects import CONTROL, Rejection, shown

ENCODING = "utf-8-sig"

# No value the store keeps is longer than this: a longer one rejects its row, not the file.
MAX_VALUE_CHARS = 10_000
# The csv module refuses (the whole file) a field over 128 KiB by default; read fields up to
# 64 MiB so that one over-long value rejects only its row.
MAX_FIELD_BYTES = 64 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_BYTES))

_CONTROL_RE2 = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{7f}-\\x{9f}]"  # rejects.CONTROL for RE2


def value_problem(value: str) -> str | None:
    """Why a value read from a file cannot be stored (a control character, or longer than
    any field holds), or None."""
    found = CONTROL.search(value)
    if found is not None:
        character = f"U+{ord(found.group()):04X}"
        return f"contains a control character ({character}) at position {found.start() + 1}"
    if len(value) > MAX_VALUE_CHARS:
        return f"longer than {MAX_VALUE_CHARS} characters"
    return None


def name_list(names: Sequence[str], most: int = 10) -> str:
    """Column names for a message, the first few of a long list and how many more."""
    listed = ", ".join(shown(n, 60) for n in names[:most])
    return listed if len(names) <= most else f"{listed} and {len(names) - most} more"


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
    """Trim every value, reject records holding a value no field may store (control
    characters, over-long) and drop records whose every value is blank."""
    trimmed = pa.table(
        {name: pc.utf8_trim_whitespace(table.column(name)) for name in table.column_names}
    )
    trimmed, numbers, unstorable = _reject_unstorable(trimmed, numbers)
    malformed = sorted([*malformed, *unstorable], key=lambda r: r.row)
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


def _reject_unstorable(
    table: pa.Table, numbers: np.ndarray
) -> tuple[pa.Table, np.ndarray, list[Rejection]]:
    """Take out the records with a value that `value_problem` refuses, one rejection each
    naming the row and the (first) column at fault."""
    if not table.num_rows:
        return table, numbers, []
    bad = np.zeros(table.num_rows, dtype=bool)
    rejections: list[Rejection] = []
    for name in table.column_names:
        values = table.column(name)
        if not _may_be_unstorable(values):
            continue
        suspect = pc.or_(
            pc.match_substring_regex(values, _CONTROL_RE2),
            pc.greater(pc.utf8_length(values), MAX_VALUE_CHARS),
        )
        for index in np.flatnonzero(np.asarray(suspect.to_numpy(zero_copy_only=False))):
            if bad[index]:
                continue
            value = str(values[int(index)].as_py())
            reason = value_problem(value)
            if reason is not None:
                bad[index] = True
                rejections.append(Rejection(int(numbers[index]), name, value, reason))
    if not bad.any():
        return table, numbers, []
    return table.filter(pa.array(~bad)), numbers[~bad], rejections


def _may_be_unstorable(values: pa.ChunkedArray) -> bool:
    """Whether any value may hold a control character or be over-long: a scan of the raw
    UTF-8 bytes (a C0 control other than tab, line feed and carriage return; DEL; or the
    lead byte of a C1 control), far cheaper than the regular expression it spares."""
    if values.type != pa.string():
        return True
    for chunk in values.chunks:
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
        start = int(offsets[chunk.offset])
        end = int(offsets[chunk.offset + len(chunk)])
        if end - start == 0:
            continue
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[start:end]
        if np.any(np.diff(offsets[chunk.offset : chunk.offset + len(chunk) + 1]) > MAX_VALUE_CHARS):
            return True
        low = data < 0x20
        if np.any(low & (data != 0x09) & (data != 0x0A) & (data != 0x0D)):
            return True
        if np.any((data == 0x7F) | (data == 0xC2)):
            return True
    return False


def _blank(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    mask = pc.equal(pc.utf8_length(values), 0)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
