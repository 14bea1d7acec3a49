"""The force-export importer's fast path: a whole file's clean rows read column by column.

pyarrow reads the file and parses and localises every time column at once; codes, postcodes,
neighbourhoods and dates are checked once per distinct value by the row reader's own methods,
text limits by length. A row is clean when every value passed those checks, its first time
columns are present where fallbacks exist, no time is in a clock change, and its times are in
order: it stays in Arrow columns (`RECORD_SCHEMA`, attributes as JSON text) all the way to the
store. Every other row goes to the row-by-row reader (`force_export._RowReader`), which gives
the exact reasons, fallbacks and clock-change inference, so the result is the same as reading
every row one by one (tests/io/test_command_and_control_end_to_end.py checks that on the
end-to-end export). Times are read vectorised with the first `formats.datetime` pattern only,
and only when they read back exactly; any other value goes row by row. Files the fast path
does not cover (another delimiter or encoding, a repeated mapped column, `%z`, a UTC-offset
column, records with too many or too few fields) are read row by row whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.io.csv_table import ENCODING, read_text_table
from watchhouse.io.force_files import ATTRIBUTE_VALUE_LIMIT, FileLayout, RawRow
from watchhouse.io.force_mapping import ForceMapping
from watchhouse.io.force_times import ISO_SECONDS, TIME_CHAIN, UNCHECKED_ORDER
from watchhouse.io.rejects import Rejection

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
TEXT_FIELDS = frozenset(
    {
        "external_ref",
        "caller_given_name",
        "caller_family_name",
        "caller_telephone",
        "location_description",
    }
)
INCIDENT_TIMES = (
    "incident_created_at",
    "incident_deployed_at",
    "incident_arrived_at",
    "incident_closed_at",
)
TIME_TYPE = pa.timestamp("us", tz="UTC")
# A good record as Arrow columns: the `ForceRecord` fields in stored form (enums as their
# values, attributes as JSON text), and its row number.
RECORD_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("external_ref", pa.string()),
        ("channel", pa.string()),
        ("origin", pa.string()),
        ("presented_at", TIME_TYPE),
        ("answered_at", TIME_TYPE),
        ("ended_at", TIME_TYPE),
        ("abandoned", pa.bool_()),
        ("caller_given_name", pa.string()),
        ("caller_family_name", pa.string()),
        ("caller_date_of_birth", pa.date32()),
        ("caller_telephone", pa.string()),
        ("caller_postcode", pa.string()),
        ("location_description", pa.string()),
        ("postcode", pa.string()),
        ("neighbourhood", pa.string()),
        ("settlement", pa.string()),
        ("summary", pa.string()),
        ("grade", pa.int64()),
        ("incident_created_at", TIME_TYPE),
        ("incident_deployed_at", TIME_TYPE),
        ("incident_arrived_at", TIME_TYPE),
        ("incident_closed_at", TIME_TYPE),
        ("body_worn_video", pa.bool_()),
        ("attributes", pa.string()),
    ]
)
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


@dataclass
class FastRead:
    """A file read column by column: its clean rows as Arrow columns (`RECORD_SCHEMA`), the
    rows the row reader must read (in file order), the rows the filter left out, and the
    records refused before any field was read (a value no field may store)."""

    clean: pa.Table
    slow: list[RawRow]
    filtered: int
    refused: list[Rejection]


def read_fast(
    path: Path,
    header: list[str],
    mapping: ForceMapping,
    found: FileLayout,
    check: Check,
    zone: str,
    text_limits: Mapping[str, int],
    settlements: Mapping[str, str],
) -> FastRead | None:
    """The file's clean rows as columns and the rest for the row reader; None when the file
    has malformed records (too many or too few fields: the row reader numbers them)."""
    text = read_text_table(path, header)
    if any(not r.column for r in text.malformed):
        return None
    table = text.table
    numbers = text.row_numbers
    columns: dict[str, pa.ChunkedArray] = {
        column: _nulls_blank(table.column(places[0]), mapping.null_tokens)
        for column, places in found.positions.items()
    }
    keep = np.ones(table.num_rows, dtype=bool)
    for column, accepted in mapping.row_filter.items():
        inside = pc.is_in(columns[column], value_set=pa.array(sorted(accepted), pa.string()))
        keep &= np.asarray(inside.to_numpy(zero_copy_only=False), dtype=bool)
    kept = np.flatnonzero(keep)
    taken = {c: values.take(pa.array(kept)).combine_chunks() for c, values in columns.items()}
    size = len(kept)
    clean = np.ones(size, dtype=bool)
    fields: dict[str, pa.Array] = {}
    bads: dict[str, np.ndarray] = {}
    for name in CHECKED_FIELDS:
        column = mapping.columns.get(name, "")
        values = taken.get(column)
        if name in TEXT_FIELDS:
            fields[name], bads[name] = _text(name, values, size, text_limits.get(name))
        else:
            kind = RECORD_SCHEMA.field(name).type
            fields[name], bads[name] = _checked(name, values, size, check, kind)
    # A record the force started has no public channel, whatever its channel column holds.
    public = pc.fill_null(pc.equal(fields["origin"], "public"), True)
    bads["channel"] &= _true(public)
    fields["channel"] = pc.if_else(public, fields["channel"], pa.scalar(None, pa.string()))
    for bad in bads.values():
        clean &= ~bad
    summary = taken.get(mapping.columns.get("summary", ""))
    fields["summary"] = summary if summary is not None else pa.array([""] * size, pa.string())
    seconds: dict[str, np.ndarray] = {}
    none = np.iinfo(np.int64).min
    for name, before_names in TIME_CHAIN:
        candidates = [c for c in mapping.columns_of(name) if c in taken]
        if not candidates:
            fields[name] = pa.nulls(size, TIME_TYPE)
            continue
        # As the row reader does: the first present column whose time is not before the
        # nearest earlier time already read (fallback columns after the first); a row where
        # every present column is before it, or any present value is bad or in the clock
        # change, goes to the row reader.
        nearest = np.full(size, none, dtype=np.int64)
        if name not in UNCHECKED_ORDER:
            for before in reversed(before_names):
                earlier = seconds.get(before)
                if earlier is not None:
                    nearest = np.where(earlier != none, earlier, nearest)
        chosen = np.full(size, none, dtype=np.int64)
        times: pa.Array = pa.nulls(size, TIME_TYPE)
        undecided = np.ones(size, dtype=bool)
        any_present = np.zeros(size, dtype=bool)
        for column in candidates:
            moments, present, bad, utc = _times(taken[column], mapping.datetime_formats[0], zone)
            clean &= ~bad
            any_present |= present
            take = undecided & present & ~bad & ((nearest == none) | (moments >= nearest))
            chosen = np.where(take, moments, chosen)
            times = pc.if_else(pa.array(take), pc.cast(utc, TIME_TYPE), times)
            undecided &= ~take
        clean &= ~(undecided & any_present)
        seconds[name] = chosen
        fields[name] = times
    clean &= ~_out_of_order(seconds)
    presented = seconds.get("presented_at")
    if presented is not None:
        clean &= presented != np.iinfo(np.int64).min
    answered = seconds.get("answered_at")
    abandoned = _true(fields["abandoned"])
    if answered is not None:
        clean &= ~(abandoned & (answered != np.iinfo(np.int64).min))
    graded = np.asarray(pc.is_valid(fields["grade"]).to_numpy(zero_copy_only=False), dtype=bool)
    hood = fields["neighbourhood"]
    if mapping.default_settlement is None:
        needs = graded | _filled(fields["location_description"]) | _filled(fields["postcode"])
        clean &= ~(needs & ~np.asarray(pc.is_valid(hood).to_numpy(zero_copy_only=False)))
    attributes, long = _attributes(taken, found.attributes, size)
    clean &= ~long
    fields["attributes"] = attributes
    fields["abandoned"] = pa.array(abandoned)
    fields["origin"] = pc.fill_null(fields["origin"], "public")
    default = mapping.default_settlement.value if mapping.default_settlement else None
    fields["settlement"] = _settlement(hood, settlements, default)
    ungraded = pa.array(~graded)
    for name in INCIDENT_TIMES:
        fields[name] = pc.if_else(ungraded, pa.scalar(None, TIME_TYPE), fields[name])
    fields["body_worn_video"] = pc.if_else(
        ungraded, pa.scalar(None, pa.bool_()), fields["body_worn_video"]
    )
    fields["incident_created_at"] = pc.if_else(
        pc.and_(pa.array(graded), pc.is_null(fields["incident_created_at"])),
        fields["presented_at"],
        fields["incident_created_at"],
    )
    fields["row"] = pa.array(numbers[kept], pa.int64())
    chosen = pa.array(clean)
    good = pa.table([fields[f.name].filter(chosen) for f in RECORD_SCHEMA], schema=RECORD_SCHEMA)
    slow_at = np.flatnonzero(~clean)
    slow_values = {c: values.take(pa.array(slow_at)).to_pylist() for c, values in taken.items()}
    slow_numbers = numbers[kept][slow_at].tolist()
    slow = [
        RawRow(number, {c: values[i] for c, values in slow_values.items()})
        for i, number in enumerate(slow_numbers)
    ]
    return FastRead(good, slow, int(table.num_rows - size), list(text.malformed))


def _true(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _filled(values: pa.Array) -> np.ndarray:
    """Present and not empty."""
    filled = pc.fill_null(pc.greater(pc.utf8_length(values), 0), False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _settlement(hood: pa.Array, settlements: Mapping[str, str], default: str | None) -> pa.Array:
    """Each row's settlement: its neighbourhood's, or the mapping's default."""
    codes = sorted(settlements)
    where = pc.index_in(hood, value_set=pa.array(codes, pa.string()))
    values = pa.array([settlements[c] for c in codes], pa.string())
    found = values.take(where) if codes else pa.nulls(len(hood), pa.string())
    return pc.fill_null(found, pa.scalar(default, pa.string()))


def _attributes(
    taken: Mapping[str, pa.Array], columns: tuple[str, ...], size: int
) -> tuple[pa.Array, np.ndarray]:
    """The attribute columns' non-empty values as JSON text (as `json.dumps` writes the
    dict), or null; and the rows with a value over the attribute limit (the row reader
    cuts those)."""
    long = np.zeros(size, dtype=bool)
    if not columns:
        return pa.nulls(size, pa.string()), long
    pieces = []
    for column in columns:
        values = taken[column]
        long |= np.asarray(
            pc.greater(pc.utf8_length(values), ATTRIBUTE_VALUE_LIMIT).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        escaped = values
        for plain, escape in _JSON_ESCAPES:
            escaped = pc.replace_substring(escaped, pattern=plain, replacement=escape)
        key = json.dumps(column, ensure_ascii=False)
        piece = pc.binary_join_element_wise(", " + key + ': "', escaped, '"', "")
        empty = pc.equal(pc.utf8_length(values), 0)
        pieces.append(pc.if_else(empty, "", piece))
    # Each piece begins ", ": the first is cut. (No nulls: pyarrow's null_handling="skip"
    # drops rows of an all-null array.)
    joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*pieces, ""), 2)
    joined = pc.if_else(pc.equal(pc.utf8_length(joined), 0), pa.scalar(None, pa.string()), joined)
    return pc.binary_join_element_wise("{", joined, "}", ""), long


# As json.dumps(ensure_ascii=False) writes them; other control characters never get here.
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def _text(
    name: str, values: pa.Array | None, size: int, limit: int | None
) -> tuple[pa.Array, np.ndarray]:
    """A text field: empty is null (the reference is required), longer than the store's limit
    is bad."""
    if values is None:
        return pa.nulls(size, pa.string()), np.full(size, name == "external_ref")
    length = pc.utf8_length(values)
    bad = np.zeros(size, dtype=bool)
    if limit is not None:
        bad |= np.asarray(pc.greater(length, limit).to_numpy(zero_copy_only=False), dtype=bool)
    empty = pc.equal(length, 0)
    if name == "external_ref":
        bad |= np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)
    return pc.if_else(empty, pa.scalar(None, pa.string()), values), bad


def _nulls_blank(values: pa.ChunkedArray, tokens: frozenset[str]) -> pa.ChunkedArray:
    if not tokens:
        return values
    null = pc.is_in(pc.utf8_upper(values), value_set=pa.array(sorted(tokens), pa.string()))
    return pc.if_else(null, "", values)


def _checked(
    name: str, values: pa.Array | None, size: int, check: Check, kind: pa.DataType
) -> tuple[pa.Array, np.ndarray]:
    """A field read by the row reader's own method, once per distinct value."""
    if values is None:
        values = pa.array([""] * size, pa.string())
    encoded = pc.dictionary_encode(values)
    results = [check(name, value) for value in encoded.dictionary.to_pylist()]
    bad = np.array([r is BAD for r in results] or [False], dtype=bool)
    stored = pa.array([None if r is BAD else _plain(r) for r in results], kind)
    indices = encoded.indices
    return stored.take(indices), bad[np.asarray(indices.to_numpy(zero_copy_only=False))]


def _plain(value: Any) -> Any:
    """An enum as its stored value; anything else as it is."""
    return value.value if isinstance(value, Enum) else value


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
    if pattern == ISO_SECONDS:
        written = pc.cast(wall, pa.string())  # the same text, twenty times faster
    else:
        written = pc.strftime(wall, format=pattern)
    again = pc.fill_null(pc.equal(written, values), False)
    exact = np.asarray(again.to_numpy(zero_copy_only=False), dtype=bool)
    bad = (present & ~(parsed & exact)) | (moments != later)
    return np.asarray(moments), present, bad, early


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
