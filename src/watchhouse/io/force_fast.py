"""The force-export importer's fast path: a whole file's clean rows read column by column.

pyarrow reads the file and parses and localises every time column at once; codes, postcodes,
neighbourhoods and dates are checked once per distinct value by the row reader's own methods.
A row is clean when every value passed those checks, its first time columns are present where
fallbacks exist, no time is in a clock change, and its times are in order: it becomes a record
here. Every other row goes to the row-by-row reader (`force_export._RowReader`), which gives
the exact reasons, fallbacks and clock-change inference, so the result is the same as reading
every row one by one (tests/io/test_force_fast_path.py checks that on the end-to-end export).
Times are read vectorised with the first `formats.datetime` pattern only, and only when they
read back exactly; any other value goes row by row. Files the fast path does not cover (another
delimiter or encoding, a repeated mapped column, `%z`, a UTC-offset column, malformed records)
are read row by row whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.io.csv_table import ENCODING, read_text_table
from watchhouse.io.force_files import FileLayout, RawRow, attributes_of
from watchhouse.io.force_mapping import ForceMapping
from watchhouse.io.force_times import TIME_CHAIN, UNCHECKED_ORDER

# Fields read by one of the row reader's methods, value by value (cached per distinct value).
CHECKED_FIELDS = (
    "external_ref",
    "channel",
    "origin",
    "abandoned",
    "caller_given_name",
    "caller_family_name",
    "caller_date_of_birth",
    "caller_telephone",
    "caller_postcode",
    "location_description",
    "postcode",
    "neighbourhood",
    "grade",
    "body_worn_video",
)
TIME_FIELDS = tuple(name for name, _ in TIME_CHAIN)
_MISSING = object()
Check = Callable[[str, str], Any]  # (field, value) -> our value, or _BAD


class Bad:
    """A value the row reader refused (the row goes the slow way)."""


BAD = Bad()


def covers(mapping: ForceMapping, found: FileLayout) -> bool:
    """Whether the fast path can read this file."""
    return (
        mapping.delimiter == ","
        and mapping.encoding == ENCODING
        and "%z" not in mapping.datetime_formats[0]
        and all(len(p) == 1 for p in found.positions.values())
        and "utc_offset" not in mapping.columns
    )


def read_fast(
    path: Path,
    header: list[str],
    mapping: ForceMapping,
    found: FileLayout,
    check: Check,
    zone: str,
) -> Iterator[tuple[int, dict[str, Any] | RawRow | None]] | None:
    """Each record in file order: its row number and its fields (clean), a RawRow for the row
    reader, or None (left out by the filter). None when the file has malformed records."""
    text = read_text_table(path, header)
    if text.malformed:
        return None
    table = text.table
    numbers = text.row_numbers.tolist()
    columns: dict[str, pa.ChunkedArray] = {
        column: _nulls_blank(table.column(places[0]), mapping.null_tokens)
        for column, places in found.positions.items()
    }
    keep = np.ones(table.num_rows, dtype=bool)
    for column, accepted in mapping.row_filter.items():
        inside = pc.is_in(columns[column], value_set=pa.array(sorted(accepted), pa.string()))
        keep &= np.asarray(inside.to_numpy(zero_copy_only=False), dtype=bool)
    kept = np.flatnonzero(keep)
    taken = {c: values.take(pa.array(kept)) for c, values in columns.items()}
    lists = {c: values.to_pylist() for c, values in taken.items()}
    size = len(kept)
    clean = np.ones(size, dtype=bool)
    fields: dict[str, list[Any]] = {}
    for name in CHECKED_FIELDS:
        column = mapping.columns.get(name, "")
        values = lists[column] if column in lists else [""] * size
        fields[name], bad = _checked(name, values, check)
        clean &= ~bad
    summary = mapping.columns.get("summary", "")
    fields["summary"] = lists[summary] if summary in lists else [""] * size
    seconds: dict[str, np.ndarray] = {}
    for name in TIME_FIELDS:
        columns_of = mapping.columns_of(name)
        if not columns_of or columns_of[0] not in taken:
            fields[name] = [None] * size
            continue
        moments, present, bad, utc = _times(taken[columns_of[0]], mapping.datetime_formats[0], zone)
        if len(columns_of) > 1:
            bad |= ~present  # an empty first column: the fallback is the row reader's
        clean &= ~bad
        seconds[name] = np.where(present & ~bad, moments, np.iinfo(np.int64).min)
        fields[name] = _datetimes(utc)
    clean &= ~_out_of_order(seconds)
    presented = seconds.get("presented_at")
    if presented is not None:
        clean &= presented != np.iinfo(np.int64).min
    answered = seconds.get("answered_at")
    if answered is not None:
        abandoned = np.array([v is True for v in fields["abandoned"]], dtype=bool)
        clean &= ~(abandoned & (answered != np.iinfo(np.int64).min))
    if mapping.default_settlement is None:
        needs = [
            bool(g) or bool(d) or bool(p)
            for g, d, p in zip(
                fields["grade"], fields["location_description"], fields["postcode"], strict=True
            )
        ]
        clean &= ~(
            np.array(needs, dtype=bool) & np.array([n is None for n in fields["neighbourhood"]])
        )
    return _rows(numbers, keep, kept, clean, fields, lists, found.attributes)


def _rows(
    numbers: list[int],
    keep: np.ndarray,
    kept: np.ndarray,
    clean: np.ndarray,
    fields: dict[str, list[Any]],
    lists: dict[str, list[str]],
    attribute_columns: tuple[str, ...],
) -> Iterator[tuple[int, dict[str, Any] | RawRow | None]]:
    position = {int(k): i for i, k in enumerate(kept)}
    names = list(fields)
    for index, number in enumerate(numbers):
        if not keep[index]:
            yield number, None
            continue
        at = position[index]
        if clean[at]:
            row = {name: fields[name][at] for name in names}
            if attribute_columns:
                raw = RawRow(number, {c: lists[c][at] for c in attribute_columns})
                row["attributes"] = attributes_of(raw, attribute_columns)
            yield number, row
        else:
            yield number, RawRow(number, {c: values[at] for c, values in lists.items()})


def _nulls_blank(values: pa.ChunkedArray, tokens: frozenset[str]) -> pa.ChunkedArray:
    if not tokens:
        return values
    null = pc.is_in(pc.utf8_upper(values), value_set=pa.array(sorted(tokens), pa.string()))
    return pc.if_else(null, "", values)


def _checked(name: str, values: list[str], check: Check) -> tuple[list[Any], np.ndarray]:
    cache: dict[str, Any] = {}
    result: list[Any] = []
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        found = cache.get(value, _MISSING)
        if found is _MISSING:
            found = cache[value] = check(name, value)
        if found is BAD:
            bad[i] = True
            result.append(None)
        else:
            result.append(found)
    return result, bad


def _times(
    values: pa.ChunkedArray, pattern: str, zone: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.ChunkedArray]:
    """Seconds since 1970 UTC, whether a value is present, and whether it is bad or in a clock
    change (either way the row reader decides); and the times as an Arrow array."""
    present = np.asarray(
        pc.greater(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False), dtype=bool
    )
    wall = pc.strptime(values, format=pattern, unit="s", error_is_null=True)
    early = pc.assume_timezone(wall, timezone=zone, ambiguous="earliest", nonexistent="earliest")
    late = pc.assume_timezone(wall, timezone=zone, ambiguous="latest", nonexistent="latest")
    parsed = np.asarray(pc.is_valid(wall).to_numpy(zero_copy_only=False), dtype=bool)
    moments = pc.cast(pc.fill_null(pc.cast(early, pa.int64()), 0), pa.int64()).to_numpy()
    later = pc.cast(pc.fill_null(pc.cast(late, pa.int64()), 0), pa.int64()).to_numpy()
    # Read back: a value pyarrow read but that is not exactly in the pattern (and so perhaps
    # not what Python's strptime would make of it, or in the mapping's next pattern) goes to
    # the row reader.
    again = pc.fill_null(pc.equal(pc.strftime(wall, format=pattern), values), False)
    exact = np.asarray(again.to_numpy(zero_copy_only=False), dtype=bool)
    bad = (present & ~(parsed & exact)) | (moments != later)
    return np.asarray(moments), present, bad, early


def _datetimes(utc: pa.ChunkedArray) -> list[datetime | None]:
    naive = pc.cast(pc.cast(utc, pa.int64()), pa.timestamp("s")).to_pylist()
    return [None if v is None else v.replace(tzinfo=UTC) for v in naive]


def _out_of_order(seconds: dict[str, np.ndarray]) -> np.ndarray:
    """Rows where a time precedes the nearest present earlier time it must follow."""
    none = np.iinfo(np.int64).min
    size = len(next(iter(seconds.values()))) if seconds else 0
    wrong = np.zeros(size, dtype=bool)
    for name, before_names in TIME_CHAIN:
        moment = seconds.get(name)
        if moment is None or name in UNCHECKED_ORDER:
            continue
        nearest = np.full(size, none, dtype=np.int64)
        for before in reversed(before_names):
            earlier = seconds.get(before)
            if earlier is not None:
                nearest = np.where(earlier != none, earlier, nearest)
        wrong |= (moment != none) & (nearest != none) & (moment < nearest)
    return wrong
