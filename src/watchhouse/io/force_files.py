"""Reading the files of a force export: header variations, null tokens, the row filter.

Columns are found by name in each file's own header, so weekly files whose columns moved, or
gained or lost a column, read the same. A mapped column a file lacks, or that its header names
twice, is reported once per file (as a warning on row 1) and never used silently: a missing
optional column reads as empty, and a repeated one is used only where every copy agrees.
"""

from __future__ import annotations

import csv
import glob
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from watchhouse.io.csv_table import UnreadableFile, value_problem
from watchhouse.io.force_mapping import ForceMapping
from watchhouse.io.rejects import Rejection

REQUIRED_FIELDS = ("external_ref", "presented_at")
ATTRIBUTE_VALUE_LIMIT = 1000
ALL_OTHER_COLUMNS = "*"
REPORT_SUFFIX = ".rejected.csv"


class Conflict(str):
    """The value of a column the header repeats, where the copies differ (shown joined)."""

    __slots__ = ()


@dataclass
class FileLayout:
    """Where each column the mapping reads sits in one file's header, and what was reported."""

    positions: dict[str, tuple[int, ...]]
    width: int
    attributes: tuple[str, ...]
    warnings: list[Rejection] = field(default_factory=list)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files from arguments that are files, folders (their *.csv, by name) or glob patterns;
    each file once, in the order given; the importer's own `*.rejected.csv` reports are skipped.
    Raises UnreadableFile for an argument that gives no file."""
    files: list[Path] = []
    for item in inputs:
        text = str(item)
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        elif any(c in text for c in "*?["):
            found = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
        else:
            found = [item]
        if item.is_dir() or found != [item]:
            found = [p for p in found if not p.name.endswith(REPORT_SUFFIX)]
        if not found:
            raise UnreadableFile(f"{item}: no CSV files there")
        files.extend(p for p in found if p not in files)
    return files


def layout(
    header: list[str],
    mapping: ForceMapping,
    file_name: str,
    required: tuple[str, ...] = REQUIRED_FIELDS,
) -> FileLayout:
    """Match the mapping's columns to one header; raise UnreadableFile when a required field
    has none of its columns."""
    where: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        where.setdefault(name, []).append(index)
    wanted: list[str] = []
    for name in mapping.columns:
        wanted.extend(mapping.columns_of(name))
    wanted.extend(mapping.row_filter)
    for needed in required:
        if not any(c in where for c in mapping.columns_of(needed)):
            raise UnreadableFile(
                f"{file_name} lacks the column of {needed}: "
                f"{' or '.join(mapping.columns_of(needed))}"
            )
    missing_filter = [c for c in mapping.row_filter if c not in where]
    if missing_filter:
        raise UnreadableFile(
            f"{file_name} lacks the filter's columns: {', '.join(sorted(missing_filter))}"
        )
    result = FileLayout(positions={}, width=len(header), attributes=())
    reported: set[str] = set()
    for column in dict.fromkeys(wanted):
        if column in reported:
            continue
        reported.add(column)
        places = where.get(column)
        if places is None:
            result.warnings.append(
                Rejection(1, column, "", "warning: the file has no such column; read as empty")
            )
            continue
        if len(places) > 1:
            result.warnings.append(
                Rejection(
                    1,
                    column,
                    "",
                    f"warning: the header names this column {len(places)} times (fields "
                    f"{', '.join(str(p + 1) for p in places)}); used only where every copy "
                    "agrees, a row where they differ has the value refused",
                )
            )
        result.positions[column] = tuple(places)
    result.attributes = _attribute_columns(header, mapping, set(wanted))
    for column in result.attributes:
        result.positions.setdefault(column, tuple(where[column]))
    return result


def _attribute_columns(header: list[str], mapping: ForceMapping, used: set[str]) -> tuple[str, ...]:
    """The columns carried with each record as attributes: those the mapping keeps, and the
    force's identifier columns (the import takes those out into identifiers)."""
    identifiers = [c for c in mapping.identifiers.values() if c in header]
    if ALL_OTHER_COLUMNS in mapping.attributes:
        return tuple(dict.fromkeys(c for c in header if c and c not in used))
    return tuple(dict.fromkeys([*(c for c in mapping.attributes if c in header), *identifiers]))


@dataclass
class RawRow:
    """One record: its row number, and the value of each column the mapping reads."""

    number: int
    values: dict[str, str]


def read_rows(
    path: Path, mapping: ForceMapping, required: tuple[str, ...] = REQUIRED_FIELDS
) -> tuple[FileLayout, list[str], Generator[tuple[int, RawRow | Rejection | None]]]:
    """The file's layout and header, then each record numbered as in the file (header = row
    1): a RawRow, its rejection (malformed, or a value no field may store, with the raw
    record or value), or None for a row the filter leaves out. Blank
    lines are skipped."""
    try:
        handle = path.open(newline="", encoding=mapping.encoding)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        reader = csv.reader(handle, delimiter=mapping.delimiter)
        header = [h.strip() for h in next(reader, [])]
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise UnreadableFile(f"{path.name} is not readable CSV: {exc}") from exc
    if not header:
        handle.close()
        raise UnreadableFile(f"{path.name} is empty: it has no header row")
    try:
        found = layout(header, mapping, path.name, required)
    except UnreadableFile:
        handle.close()
        raise
    return found, header, _records(path, handle, reader, found, mapping, header)


def _records(
    path: Path,
    handle: object,
    reader: Iterator[list[str]],
    found: FileLayout,
    mapping: ForceMapping,
    header: list[str],
) -> Generator[tuple[int, RawRow | Rejection | None]]:
    nulls = mapping.null_tokens
    single = [(c, p[0]) for c, p in found.positions.items() if len(p) == 1]
    repeated = [(c, p) for c, p in found.positions.items() if len(p) > 1]
    keep = list(mapping.row_filter.items())
    try:
        for number, record in enumerate(reader, start=2):
            if len(record) != found.width:
                if not any(v.strip() for v in record):
                    continue
                reason = f"has {len(record)} fields; the header has {found.width}"
                yield number, Rejection(number, "", mapping.delimiter.join(record), reason)
                continue
            unstorable = _unstorable(number, record, header)
            if unstorable is not None:
                yield number, unstorable
                continue
            values = {c: record[i].strip() for c, i in single}
            for column, places in repeated:
                copies = {record[i].strip() for i in places}
                values[column] = (
                    copies.pop()
                    if len(copies) == 1
                    else Conflict(" | ".join(record[i].strip() for i in places))
                )
            if nulls:
                for column, value in values.items():
                    if value and value.upper() in nulls:
                        values[column] = ""
            if keep and any(values.get(c, "") not in accepted for c, accepted in keep):
                yield number, None
                continue
            if not any(values.values()) and not any(v.strip() for v in record):
                continue
            yield number, RawRow(number, values)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path.name} is not {mapping.encoding} text: {exc}") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name} is not valid CSV: {exc}") from exc
    finally:
        handle.close()  # type: ignore[attr-defined]


def _unstorable(number: int, record: list[str], header: list[str]) -> Rejection | None:
    """The rejection of the first value no field may store (a control character, or too
    long), naming its column; None when every value can be stored."""
    for i, value in enumerate(record):
        problem = value_problem(value)
        if problem is not None:
            column = header[i] if i < len(header) else ""
            return Rejection(number, column, value, problem)
    return None


def attributes_of(row: RawRow, columns: tuple[str, ...]) -> dict[str, str] | None:
    """The row's values of the columns kept as attributes (empty ones left out), or None."""
    kept = {c: str(row.values[c])[:ATTRIBUTE_VALUE_LIMIT] for c in columns if row.values.get(c)}
    return kept or None
