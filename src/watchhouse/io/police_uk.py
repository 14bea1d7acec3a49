"""data.police.uk CSV files: street-level crime, outcomes, and stop and search.

The kind of file is told by its header. Every value is checked with vectorised pyarrow compute
functions (no Python loop over rows except to hash each kept row into its row key). Good rows
come out as a pyarrow table in the store's column names; bad ones as rejections.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.io.csv_table import (
    TextTable,
    UnreadableFile,
    name_list,
    read_header,
    read_text_table,
)

__all__ = [
    "KINDS",
    "OUTCOMES",
    "STOP_AND_SEARCH",
    "STREET_CRIME",
    "ParsedFile",
    "PoliceUkKind",
    "PublishedColumn",
    "UnreadableFile",
    "check_rows",
    "detect_kind",
    "force_from_filename",
    "parse_file",
    "read_header",
]
from watchhouse.io.rejects import Rejection

Check = Literal["text", "month", "longitude", "latitude", "timestamp", "boolean"]

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
NUMBER_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
)
KEY_BYTES = 16  # short keys keep the unique index small, which speeds every insert
FIELD_SEPARATOR = "\x1f"
OCCURRENCE_SEPARATOR = "\x1e"
# data.police.uk's file names: YYYY-MM-<force>-street, -outcomes, -stop-and-search.
_PUBLISHED_FILE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-(?P<force>.+)-(?P<kind>street|outcomes|stop-and-search)$"
)


@dataclass(frozen=True)
class PublishedColumn:
    """One column as data.police.uk publishes it, where it is stored and how it is checked."""

    header: str
    column: str
    check: Check = "text"
    required: bool = False


@dataclass(frozen=True)
class PoliceUkKind:
    """One kind of data.police.uk file."""

    name: str
    label: str
    table: str
    columns: tuple[PublishedColumn, ...]
    needs_force: bool = False  # stop and search: the force is part of each row (and its key)
    force_column: str = "published_force"  # where the force the file came from is stored

    @property
    def headers(self) -> tuple[str, ...]:
        """The published header, in the published order."""
        return tuple(c.header for c in self.columns)

    @property
    def store_columns(self) -> tuple[str, ...]:
        """The columns a parsed file fills, in insert order."""
        return ("row_key", self.force_column, *(c.column for c in self.columns))


_PLACE = (
    PublishedColumn("Longitude", "longitude", "longitude"),
    PublishedColumn("Latitude", "latitude", "latitude"),
    PublishedColumn("Location", "location"),
    PublishedColumn("LSOA code", "lsoa_code"),
    PublishedColumn("LSOA name", "lsoa_name"),
)
STREET_CRIME = PoliceUkKind(
    "street_crime",
    "street-level crime",
    "police_uk_crimes",
    (
        PublishedColumn("Crime ID", "crime_id"),
        PublishedColumn("Month", "month", "month", required=True),
        PublishedColumn("Reported by", "reported_by", required=True),
        PublishedColumn("Falls within", "falls_within", required=True),
        *_PLACE,
        PublishedColumn("Crime type", "crime_type", required=True),
        PublishedColumn("Last outcome category", "last_outcome_category"),
        PublishedColumn("Context", "context"),
    ),
)
OUTCOMES = PoliceUkKind(
    "outcomes",
    "outcomes",
    "police_uk_outcomes",
    (
        PublishedColumn("Crime ID", "crime_id", required=True),
        PublishedColumn("Month", "month", "month", required=True),
        PublishedColumn("Reported by", "reported_by", required=True),
        PublishedColumn("Falls within", "falls_within", required=True),
        *_PLACE,
        PublishedColumn("Outcome type", "outcome_type", required=True),
    ),
)
STOP_AND_SEARCH = PoliceUkKind(
    "stop_and_search",
    "stop and search",
    "police_uk_stop_searches",
    (
        PublishedColumn("Type", "search_type", required=True),
        PublishedColumn("Date", "searched_at", "timestamp", required=True),
        PublishedColumn("Part of a policing operation", "part_of_policing_operation", "boolean"),
        PublishedColumn("Policing operation", "policing_operation"),
        PublishedColumn("Latitude", "latitude", "latitude"),
        PublishedColumn("Longitude", "longitude", "longitude"),
        PublishedColumn("Gender", "gender"),
        PublishedColumn("Age range", "age_range"),
        PublishedColumn("Self-defined ethnicity", "self_defined_ethnicity"),
        PublishedColumn("Officer-defined ethnicity", "officer_defined_ethnicity"),
        PublishedColumn("Legislation", "legislation"),
        PublishedColumn("Object of search", "object_of_search"),
        PublishedColumn("Outcome", "outcome"),
        PublishedColumn(
            "Outcome linked to object of search", "outcome_linked_to_object", "boolean"
        ),
        PublishedColumn(
            "Removal of more than just outer clothing",
            "removal_of_more_than_outer_clothing",
            "boolean",
        ),
    ),
    needs_force=True,
    force_column="force",
)
KINDS = (STREET_CRIME, OUTCOMES, STOP_AND_SEARCH)


def detect_kind(header: Sequence[str]) -> PoliceUkKind:
    """The kind whose published columns the header holds (any order), or UnreadableFile."""
    names = [h.strip() for h in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UnreadableFile(f"the header repeats columns: {name_list(repeated)}")
    for kind in KINDS:
        if set(names) == set(kind.headers):
            return kind
    closest = min(KINDS, key=lambda k: len(set(k.headers) ^ set(names)))
    missing = [h for h in closest.headers if h not in names]
    extra = [n for n in names if n not in closest.headers]
    details = []
    if missing:
        details.append(f"missing {name_list(missing)}")
    if extra:
        details.append(f"unexpected {name_list(extra)}")
    raise UnreadableFile(
        "not a data.police.uk street-level crime, outcomes or stop and search file: "
        f"closest is {closest.label} ({'; '.join(details)})"
    )


def force_from_filename(path: Path) -> str | None:
    """The force in a file's published name (`2024-01-<force>-street`, `-outcomes`,
    `-stop-and-search`), as data.police.uk names it (e.g. `west-yorkshire`)."""
    match = _PUBLISHED_FILE.match(path.stem)
    return match.group("force") if match else None


@dataclass
class ParsedFile:
    """A file checked: its kind, its good rows ready to store (with their row keys), and its
    rejections."""

    kind: PoliceUkKind
    rows_read: int
    good: pa.Table
    row_keys: list[bytes]
    rejections: list[Rejection] = field(default_factory=list)
    published_force: str | None = None  # the force the file came from, when known

    @property
    def rows_rejected(self) -> int:
        """Rows refused (each counted once, however many of its values were wrong)."""
        return self.rows_read - int(self.good.num_rows)

    def keyed(self) -> pa.Table:
        """The good rows with their row keys, columns named and ordered as `kind.store_columns`."""
        keys = pa.array(self.row_keys, pa.binary(KEY_BYTES))
        return self.good.add_column(0, "row_key", keys).select(list(self.kind.store_columns))

    def chunks(self, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The good rows as tuples in `kind.store_columns` order, `size` at a time."""
        stored = [name for name in self.kind.store_columns if name != "row_key"]
        for start in range(0, int(self.good.num_rows), size):
            part = self.good.slice(start, size)
            columns = [self.row_keys[start : start + size]]
            columns.extend(part.column(name).to_pylist() for name in stored)
            yield list(zip(*columns, strict=True))


def parse_file(path: Path, *, limits: Mapping[str, int], force: str | None = None) -> ParsedFile:
    """Read and check a data.police.uk file; `limits` are the store's text column lengths."""
    header = read_header(path)
    kind = detect_kind(header)
    force_name = (force or force_from_filename(path) or "").strip() or None
    if kind.needs_force and not force_name:
        raise UnreadableFile(
            f"{path.name}: a stop and search file does not name its force; give --force "
            "or keep the published file name (YYYY-MM-<force>-stop-and-search.csv)"
        )
    if force_name and len(force_name) > limits.get(kind.force_column, len(force_name)):
        raise UnreadableFile(f"force name {force_name!r} is too long")
    text = read_text_table(path, header)
    return check_rows(kind, text, limits=limits, force=force_name)


def check_rows(
    kind: PoliceUkKind, text: TextTable, *, limits: Mapping[str, int], force: str | None
) -> ParsedFile:
    """Check every value of every record; keep the rows with no problem, keyed."""
    # Checking is pyarrow compute (C, no GIL) and hashing is Python: run them side by side.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="police-uk-check") as pool:
        checking = pool.submit(_check_columns, kind, text, limits)
        # Only stop and search rows key on the force (the other files name it in their rows).
        texts, first_keys = _first_keys(kind, text.table, force if kind.needs_force else None)
        bad, converted, rejections = checking.result()
    keep = pa.array(~bad)
    columns = {
        name: array.filter(keep) if bad.any() else array for name, array in converted.items()
    }
    rows = int(np.count_nonzero(~bad))
    columns[kind.force_column] = pa.array([force] * rows, pa.string())
    good = pa.table({name: columns[name] for name in kind.store_columns if name != "row_key"})
    kept = np.flatnonzero(~bad).tolist()
    keys = _number_copies([first_keys[i] for i in kept], [texts[i] for i in kept])
    return ParsedFile(kind, text.records, good, keys, rejections, force)


def _check_columns(
    kind: PoliceUkKind, text: TextTable, limits: Mapping[str, int]
) -> tuple[np.ndarray, dict[str, pa.Array], list[Rejection]]:
    """Which rows have a problem, every column in its stored type, and the rejections."""
    bad = np.zeros(text.table.num_rows, dtype=bool)
    rejections = list(text.malformed)
    converted: dict[str, pa.Array] = {}
    for published in kind.columns:
        values = text.table.column(published.header)
        problems, converted[published.column] = _check(published, values, limits)
        for mask, reason in problems:
            bad |= mask
            for index in np.flatnonzero(mask):
                rejections.append(
                    Rejection(
                        int(text.row_numbers[index]),
                        published.header,
                        str(values[int(index)].as_py()),
                        reason,
                    )
                )
    return bad, converted, rejections


def _check(
    published: PublishedColumn, values: pa.StringArray, limits: Mapping[str, int]
) -> tuple[list[tuple[np.ndarray, str]], pa.Array]:
    """The problems found in one column (mask, reason) and the column in its stored type."""
    empty = _numpy(pc.equal(pc.utf8_length(values), 0))
    problems: list[tuple[np.ndarray, str]] = []
    if published.required:
        problems.append((empty, "required value is missing"))
    check = published.check
    if check == "text":
        limit = limits.get(published.column)
        if limit is not None:
            too_long = _numpy(pc.greater(pc.utf8_length(values), limit))
            problems.append((too_long, f"longer than {limit} characters"))
        return problems, pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), values)
    if check == "month":
        wrong = ~empty & ~_numpy(pc.match_substring_regex(values, MONTH_PATTERN))
        problems.append((wrong, "not a month in the form YYYY-MM"))
        return problems, values
    if check in ("longitude", "latitude"):
        return _check_coordinate(check, values, empty, problems)
    if check == "timestamp":
        return _check_timestamp(values, empty, problems)
    lowered = pc.utf8_lower(values)
    wrong = ~_numpy(pc.is_in(lowered, pa.array(["true", "false", ""])))
    problems.append((wrong, "not True, False or empty"))
    flags = pc.if_else(
        pa.array(empty | wrong), pa.scalar(None, pa.bool_()), pc.equal(lowered, "true")
    )
    return problems, flags


def _check_coordinate(
    check: str,
    values: pa.StringArray,
    empty: np.ndarray,
    problems: list[tuple[np.ndarray, str]],
) -> tuple[list[tuple[np.ndarray, str]], pa.Array]:
    bound = 180.0 if check == "longitude" else 90.0
    number = _numpy(pc.match_substring_regex(values, NUMBER_PATTERN))
    problems.append((~empty & ~number, "not a number"))
    numbers = pc.cast(
        pc.if_else(pa.array(number), values, pa.scalar(None, pa.string())), pa.float64()
    )
    outside = _numpy(pc.greater(pc.abs(numbers), bound))
    problems.append((outside, f"{check} outside -{bound:g} to {bound:g}"))
    return problems, pc.if_else(pa.array(outside), pa.scalar(None, pa.float64()), numbers)


def _check_timestamp(
    values: pa.StringArray, empty: np.ndarray, problems: list[tuple[np.ndarray, str]]
) -> tuple[list[tuple[np.ndarray, str]], pa.Array]:
    shaped = _numpy(pc.match_substring_regex(values, TIMESTAMP_PATTERN))
    problems.append((~empty & ~shaped, "not an ISO 8601 date and time with an offset"))
    candidates = pc.if_else(pa.array(shaped), values, pa.scalar(None, pa.string()))
    utc = pa.timestamp("us", tz="UTC")
    try:
        return problems, pc.cast(candidates, utc)
    except pa.ArrowInvalid:
        pass
    # Some value has the right shape but is no real moment (e.g. 30 February): find which.
    moments: list[datetime | None] = []
    impossible = np.zeros(len(values), dtype=bool)
    for index, text in enumerate(candidates.to_pylist()):
        if text is None:
            moments.append(None)
            continue
        try:
            moments.append(datetime.fromisoformat(text).astimezone(UTC))
        except ValueError:
            impossible[index] = True
            moments.append(None)
    problems.append((impossible, "not a real date and time"))
    return problems, pa.array(moments, utc)


def _numpy(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean mask as numpy, nulls counted as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _first_keys(
    kind: PoliceUkKind, table: pa.Table, force: str | None
) -> tuple[list[bytes], list[bytes]]:
    """Each row's text for its key (trimmed values in published order, after the force for
    stop and search) and the key it has as the first of its kind in the file."""
    if table.num_rows == 0:
        return [], []
    parts: list[Any] = [table.column(header) for header in kind.headers]
    if force is not None:
        parts.insert(0, pa.scalar(force, pa.string()))
    parts.append(pa.scalar(OCCURRENCE_SEPARATOR, pa.string()))
    joined = pc.binary_join_element_wise(*parts, FIELD_SEPARATOR)
    texts = pc.cast(joined, pa.binary()).to_pylist()
    blake2b = hashlib.blake2b
    return texts, [blake2b(text + b"1", digest_size=KEY_BYTES).digest() for text in texts]


def _number_copies(keys: list[bytes], texts: list[bytes]) -> list[bytes]:
    """Row keys: a 128-bit BLAKE2b digest of a row's text, then its occurrence number among
    identical rows of the file.

    Identical rows are distinct records (anti-social behaviour rows have no Crime ID), so the
    n-th copy of a row in a file gets occurrence n: a re-import matches each copy to itself.
    """
    if not keys:
        return keys
    # Equal first-occurrence keys mean equal rows: number the copies in file order.
    groups = pc.dictionary_encode(pa.array(keys, pa.binary())).indices.to_numpy()
    if groups.max() + 1 < len(keys):
        for index, count in _repeats(groups):
            keys[index] = _digest(texts[index] + str(count).encode())
    return keys


def _digest(data: bytes) -> bytes:
    """A key of KEY_BYTES bytes."""
    return hashlib.blake2b(data, digest_size=KEY_BYTES).digest()


def _repeats(groups: np.ndarray) -> list[tuple[int, int]]:
    """(position, occurrence) of every second or later copy, occurrences counted from 1."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    positions = np.arange(len(groups))
    starts = np.ones(len(groups), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.maximum.accumulate(np.where(starts, positions, 0))
    occurrence = positions - first + 1
    later = occurrence > 1
    return list(zip(order[later].tolist(), occurrence[later].tolist(), strict=True))
