"""A force's own contact and incident export (CSV), read through its mapping file.

Each row becomes a `ForceRecord` (a contact, and an incident when it has a grade), or
rejections, or is left out by the mapping's filter. Files are read by `force_files` (header
variations, null tokens, the filter) and times by `force_times` (formats, time zones, the clock
changes, fallbacks). Row by row in Python: strptime patterns and time-zone folds are per value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from watchhouse.domain.identifiers import normalise_postcode
from watchhouse.domain.values import Channel, Origin, Settlement
from watchhouse.io import force_fast
from watchhouse.io.force_fast import RECORD_SCHEMA
from watchhouse.io.force_files import Conflict, RawRow, attributes_of, read_rows
from watchhouse.io.force_mapping import CATCH_ALL, DEFAULT_BOOLEANS, ForceMapping
from watchhouse.io.force_times import TIME_CHAIN, TimeReader, TimeRules, parse_offset
from watchhouse.io.rejects import FileChecks, Rejection

_T = TypeVar("_T")

# Store limits of the text fields (contacts and locations tables).
TEXT_LIMITS = {
    "external_ref": 80,
    "caller_given_name": 120,
    "caller_family_name": 120,
    "caller_telephone": 40,
    "location_description": 300,
}
CALLER_NAME_LIMIT = 240


@dataclass(frozen=True)
class ForceRecord:
    """One good row: a contact, and an incident when `grade` is set (all times UTC)."""

    row: int
    external_ref: str
    channel: Channel | None  # None for a record the force started (no public channel)
    presented_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    abandoned: bool = False
    caller_given_name: str | None = None
    caller_family_name: str | None = None
    caller_date_of_birth: date | None = None
    caller_telephone: str | None = None
    caller_postcode: str | None = None
    location_description: str | None = None
    postcode: str | None = None
    neighbourhood: str | None = None
    settlement: Settlement | None = None
    summary: str = ""
    grade: int | None = None
    incident_created_at: datetime | None = None
    incident_deployed_at: datetime | None = None
    incident_arrived_at: datetime | None = None
    incident_closed_at: datetime | None = None
    body_worn_video: bool | None = None
    origin: Origin = Origin.PUBLIC
    attributes: Mapping[str, str] | None = None

    @property
    def has_location(self) -> bool:
        """Whether the row says where the incident is."""
        return bool(self.location_description or self.postcode or self.neighbourhood)

    @property
    def caller_name(self) -> str | None:
        """The caller's names as one string, as the contact screen shows them."""
        names = " ".join(n for n in (self.caller_given_name, self.caller_family_name) if n)
        return names[:CALLER_NAME_LIMIT] or None


@dataclass
class ParsedExport(FileChecks):
    """A force export checked: the good records (as Arrow columns, `RECORD_SCHEMA`, in row
    order), the rejections, the rows the filter left out, and warnings (kept rows with a value
    dropped, and file-level notes on row 1)."""

    good: pa.Table = field(default_factory=RECORD_SCHEMA.empty_table)
    rows_read_fast: int = 0

    @property
    def records(self) -> list[ForceRecord]:
        """The good records one by one (for checks; the importer stores the columns)."""
        return records_of(self.good)


def records_of(table: pa.Table) -> list[ForceRecord]:
    """Records from their columns."""
    records = []
    for row in table.to_pylist():
        channel = row["channel"]
        row["channel"] = None if channel is None else Channel(channel)
        row["origin"] = Origin(row["origin"])
        settlement = row["settlement"]
        row["settlement"] = None if settlement is None else Settlement(settlement)
        attributes = row["attributes"]
        row["attributes"] = None if attributes is None else json.loads(attributes)
        records.append(ForceRecord(**row))
    return records


def table_of(records: list[ForceRecord]) -> pa.Table:
    """Records as columns (`RECORD_SCHEMA`)."""
    columns: dict[str, list[object]] = {name: [] for name in RECORD_SCHEMA.names}
    for record in records:
        for name, values in columns.items():
            value = getattr(record, name)
            if isinstance(value, Enum):
                value = value.value
            elif name == "attributes" and value is not None:
                value = json.dumps(dict(value), ensure_ascii=False)
            values.append(value)
    return pa.table(
        [pa.array(columns[f.name], f.type) for f in RECORD_SCHEMA], schema=RECORD_SCHEMA
    )


def take_attribute_columns(
    good: pa.Table, columns: Collection[str], keep: Collection[str]
) -> tuple[pa.Table, dict[str, pa.Array]]:
    """Each of these attribute columns' values (null where a record has none), read from the
    attributes' JSON text by Arrow; and the records with the columns not in `keep` taken out
    of their attributes (vectorised: no record becomes a Python object)."""
    wanted = list(dict.fromkeys(columns))
    attributes = good.column("attributes").combine_chunks()
    if not wanted or good.num_rows == 0:
        return good, {c: pa.nulls(good.num_rows, pa.string()) for c in wanted}
    values = _json_columns(attributes, wanted)
    dropped = attributes
    for column in wanted:
        if column in keep:
            continue
        key = _re2_literal(json.dumps(column, ensure_ascii=False)) + ": " + _JSON_TEXT
        # The key after another (", " before it), or the first (", " after it, if any):
        # a quote inside a value is always escaped, so these only match the JSON's own.
        dropped = pc.replace_substring_regex(dropped, pattern=", " + key, replacement="")
        dropped = pc.replace_substring_regex(
            dropped, pattern="^\\{" + key + "(?:, )?", replacement="{"
        )
    if dropped is not attributes:
        dropped = pc.if_else(pc.equal(dropped, "{}"), pa.scalar(None, pa.string()), dropped)
        good = good.set_column(good.schema.get_field_index("attributes"), "attributes", dropped)
    return good, values


_JSON_TEXT = '"(?:[^"\\\\]|\\\\.)*"'


def _re2_literal(text: str) -> str:
    return "".join("\\" + c if c in "\\.^$|?*+()[]{}" else c for c in text)


def _json_columns(attributes: pa.Array, columns: list[str]) -> dict[str, pa.Array]:
    """The string values of these keys of each JSON object (null for a null object)."""
    lines = pc.binary_join_element_wise(pc.fill_null(attributes, "{}"), "\n", "")
    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    body = lines.buffers()[2][start:end]
    table = pa_json.read_json(
        pa.BufferReader(body),
        read_options=pa_json.ReadOptions(block_size=max(end - start, 1 << 16) + 1),
        parse_options=pa_json.ParseOptions(
            explicit_schema=pa.schema([(c, pa.string()) for c in columns]),
            unexpected_field_behavior="ignore",
        ),
    )
    if table.num_rows != len(attributes):
        raise ValueError("attributes are not one JSON object a record")
    return {c: table.column(c).combine_chunks() for c in columns}


class _RowProblem(Exception):
    """Raised inside a row's reading for the first problem of a field."""

    def __init__(self, field_name: str, value: str, reason: str) -> None:
        self.field_name = field_name
        self.value = value
        self.reason = reason


def parse_file(
    path: Path,
    *,
    mapping: ForceMapping,
    neighbourhoods: Mapping[str, Settlement],
    fast: bool = True,
) -> ParsedExport:
    """Read and check every row; `neighbourhoods` are our neighbourhood codes and settlements.
    `fast` reads clean rows column by column (`force_fast`); the result is the same."""
    result = ParsedExport()
    found, header, rows = read_rows(path, mapping)
    result.warnings.extend(found.warnings)
    zone = mapping.zone_for(path.name)
    times = TimeReader(
        TimeRules(
            zone=zone,
            formats=mapping.datetime_formats,
            ambiguous=mapping.ambiguous_times,
            drop_when_bad=mapping.drop_when_bad,
        )
    )
    tables: list[pa.Table] = []
    slow: Iterable[tuple[int, RawRow | Rejection | None]] = rows
    if fast and force_fast.covers(mapping, found):
        check = _value_checker(mapping, neighbourhoods, times)
        settlements = {code: place.value for code, place in neighbourhoods.items()}
        quick = force_fast.read_fast(
            path, header, mapping, found, check, zone.key, TEXT_LIMITS, settlements
        )
        if quick is not None:
            rows.close()
            tables.append(quick.clean)
            result.rows_read_fast = quick.clean.num_rows
            result.rows_read += quick.clean.num_rows + quick.filtered + len(quick.refused)
            result.rows_filtered += quick.filtered
            result.rejections.extend(quick.refused)
            slow = ((raw.number, raw) for raw in quick.slow)
    records: list[ForceRecord] = []
    for _number, raw in slow:
        result.rows_read += 1
        if raw is None:
            result.rows_filtered += 1
            continue
        if isinstance(raw, Rejection):
            result.rejections.append(raw)
            continue
        reader = _RowReader(raw, mapping, neighbourhoods, times, found.attributes)
        record = reader.record()
        if record is None:
            result.rejections.extend(reader.rejections)
            continue
        result.warnings.extend(reader.warnings)
        records.append(record)
    tables.append(table_of(records))
    good = pa.concat_tables(tables).sort_by("row")
    result.good = _first_of_each_reference(good, mapping.columns["external_ref"], result)
    result.rejections.sort(key=lambda r: r.row)
    result.warnings.sort(key=lambda r: r.row)
    return result


def _first_of_each_reference(good: pa.Table, column: str, result: ParsedExport) -> pa.Table:
    """Keep the first row of each external reference; refuse the later ones."""
    if good.num_rows == 0:
        return good
    refs = good.column("external_ref").combine_chunks()
    codes = np.asarray(pc.dictionary_encode(refs).indices.to_numpy(zero_copy_only=False))
    _, first = np.unique(codes, return_index=True)
    if len(first) == len(codes):
        return good
    keep = np.zeros(len(codes), dtype=bool)
    keep[first] = True
    numbers = good.column("row").to_numpy()
    first_row = np.zeros(int(codes.max()) + 1, dtype=np.int64)
    first_row[codes[first]] = numbers[first]
    for at in np.flatnonzero(~keep):
        result.rejections.append(
            Rejection(
                int(numbers[at]),
                column,
                str(refs[int(at)].as_py()),
                f"repeats the external reference of row {int(first_row[codes[at]])}",
            )
        )
    return good.filter(pa.array(keep))


def _value_checker(
    mapping: ForceMapping, neighbourhoods: Mapping[str, Settlement], times: TimeReader
) -> force_fast.Check:
    """One field's value read by the row reader's own method, or BAD when it refuses it."""
    reader = _RowReader(RawRow(0, {}), mapping, neighbourhoods, times, ())
    methods: dict[str, Callable[[str], object]] = {
        "external_ref": reader._external_ref,
        "channel": reader._channel,
        "origin": reader._origin,
        "abandoned": reader._boolean,
        "caller_date_of_birth": reader._date,
        "caller_postcode": reader._postcode,
        "postcode": reader._postcode,
        "neighbourhood": reader._neighbourhood,
        "grade": reader._grade,
        "body_worn_video": reader._boolean,
    }

    def check(name: str, value: str) -> object:
        column = mapping.columns.get(name)
        reader.raw = RawRow(0, {column: value} if column else {})
        try:
            return methods.get(name, reader._text)(name)
        except _RowProblem:
            return force_fast.BAD

    return check


class _RowReader:
    """Reads one row field by field, collecting one problem per field."""

    def __init__(
        self,
        raw: RawRow,
        mapping: ForceMapping,
        neighbourhoods: Mapping[str, Settlement],
        times: TimeReader,
        attribute_columns: tuple[str, ...],
    ) -> None:
        self.number = raw.number
        self.raw = raw
        self.mapping = mapping
        self.neighbourhoods = neighbourhoods
        self.times = times
        self.attribute_columns = attribute_columns
        self.rejections: list[Rejection] = []
        self.warnings: list[Rejection] = []
        self.origin: object = None  # the row's origin once read

    def reject(self, field_name: str, value: str, reason: str, column: str | None = None) -> None:
        where = column or self.mapping.columns.get(field_name, field_name)
        self.rejections.append(Rejection(self.number, where, value, reason))

    def get(self, field_name: str) -> str:
        column = self.mapping.columns.get(field_name)
        if column is None:
            return ""
        value = self.raw.values.get(column, "")
        if isinstance(value, Conflict):
            raise _RowProblem(field_name, value, f"the repeated column {column} differs")
        return value

    def record(self) -> ForceRecord | None:
        """The row as a record, or None with `rejections` filled."""
        fields = self._read_fields()
        if self.rejections:
            return None
        return ForceRecord(row=self.number, **fields)  # type: ignore[arg-type]

    def _read_fields(self) -> dict[str, object]:
        readers: dict[str, Callable[[str], object]] = {
            "external_ref": self._external_ref,
            "origin": self._origin,
            "channel": self._channel,
            "abandoned": self._boolean,
            "caller_given_name": self._text,
            "caller_family_name": self._text,
            "caller_date_of_birth": self._date,
            "caller_telephone": self._text,
            "caller_postcode": self._postcode,
            "location_description": self._text,
            "postcode": self._postcode,
            "neighbourhood": self._neighbourhood,
            "summary": lambda name: self.get(name),
            "grade": self._grade,
            "body_worn_video": self._boolean,
        }
        fields: dict[str, object] = {}
        for name, read in readers.items():
            try:
                fields[name] = read(name)
                if name == "origin":
                    self.origin = fields[name]
            except _RowProblem as problem:
                if name in self.mapping.drop_when_bad:
                    self.warn(problem)
                    fields[name] = None
                else:
                    self.reject(problem.field_name, problem.value, problem.reason)
        fields["abandoned"] = bool(fields.get("abandoned"))
        fields["origin"] = fields.get("origin") or Origin.PUBLIC
        fields.update(self._times())
        if self.rejections:
            return fields
        fields["settlement"] = self._settlement(fields)
        fields["attributes"] = attributes_of(self.raw, self.attribute_columns)
        if not fields.get("grade"):
            for name in TIME_INCIDENT_FIELDS:
                fields[name] = None
            fields["body_worn_video"] = None
        elif fields.get("incident_created_at") is None:
            fields["incident_created_at"] = fields["presented_at"]
        if fields.get("abandoned") and fields.get("answered_at") is not None:
            self.reject("abandoned", self.get("abandoned"), "an abandoned call has no answer time")
        return fields

    def warn(self, problem: _RowProblem) -> None:
        column = self.mapping.columns.get(problem.field_name, problem.field_name)
        self.warnings.append(
            Rejection(
                self.number, column, problem.value, f"dropped (the row is kept): {problem.reason}"
            )
        )

    def _times(self) -> dict[str, datetime | None]:
        """Every time in UTC, through the file's time reader."""
        candidates: dict[str, list[tuple[str, str]]] = {}
        for name, _ in TIME_CHAIN:
            columns = self.mapping.columns_of(name)
            if not columns:
                continue
            found: list[tuple[str, str]] = []
            for column in columns:
                value = self.raw.values.get(column, "")
                if isinstance(value, Conflict):
                    self.reject(name, value, f"the repeated column {column} differs", column)
                    continue
                found.append((column, value))
            candidates[name] = found
        if not any(v for _, v in candidates.get("presented_at", ())):
            self.reject("presented_at", "", "required value is missing")
            return {}
        resolved, problems = self.times.read(candidates, self._offset())
        for problem in problems:
            target = self.warnings if problem.dropped else self.rejections
            target.append(Rejection(self.number, problem.column, problem.value, problem.reason))
        return resolved

    def _offset(self) -> timedelta | None:
        try:
            value = self.get("utc_offset")
        except _RowProblem as problem:
            self.reject(problem.field_name, problem.value, problem.reason)
            return None
        if not value:
            return None
        offset = parse_offset(value)
        if offset is None:
            self.warn(_RowProblem("utc_offset", value, "not a UTC offset such as +01:00"))
        return offset

    def _origin(self, name: str) -> Origin:
        value = self.get(name)
        if not value:
            return Origin.PUBLIC
        codes = self.mapping.origin_codes
        if codes is not None:
            found = _coded(codes, value)
            if found is None:
                raise _RowProblem(name, value, "unknown origin code")
            return found
        try:
            return Origin(value)
        except ValueError:
            raise _RowProblem(name, value, "unknown origin code") from None

    def _external_ref(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise _RowProblem(name, value, "required value is missing")
        return self._limit(name, value)

    def _text(self, name: str) -> str | None:
        value = self.get(name)
        return self._limit(name, value) if value else None

    def _limit(self, name: str, value: str) -> str:
        limit = TEXT_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            raise _RowProblem(name, value, f"longer than {limit} characters")
        return value

    def _channel(self, name: str) -> Channel | None:
        """A public contact's channel; none for a record the force started (whatever its
        channel column holds: officer-initiated, radio and transfers are no public channel)."""
        if self.origin not in (None, Origin.PUBLIC):
            return None
        value = self.get(name)
        if not value:
            if self.mapping.default_channel is None:
                raise _RowProblem(name, value, "required value is missing")
            return self.mapping.default_channel
        codes = self.mapping.channel_codes
        if codes is not None:
            found = _coded(codes, value)
            if found is None:
                raise _RowProblem(name, value, "unknown channel code")
            return found
        try:
            return Channel(value)
        except ValueError:
            raise _RowProblem(name, value, "unknown channel code") from None

    def _boolean(self, name: str) -> bool | None:
        value = self.get(name)
        if not value:
            return None
        codes = self.mapping.boolean_codes
        if codes is not None:
            found = _coded(codes, value)
            if found is not None:
                return found
        elif value.lower() in DEFAULT_BOOLEANS:
            return DEFAULT_BOOLEANS[value.lower()]
        raise _RowProblem(name, value, "not a known yes/no code")

    def _grade(self, name: str) -> int | None:
        value = self.get(name)
        if not value:
            return None
        codes = self.mapping.grade_codes
        if codes is not None:
            found = _coded(codes, value)
            if found is not None:
                return found
        elif value in ("1", "2", "3", "4"):
            return int(value)
        raise _RowProblem(name, value, "unknown grade code")

    def _postcode(self, name: str) -> str | None:
        value = self.get(name)
        if not value:
            return None
        try:
            return normalise_postcode(value)
        except ValueError:
            raise _RowProblem(name, value, "not a UK postcode") from None

    def _neighbourhood(self, name: str) -> str | None:
        value = self.get(name)
        if not value:
            return None
        codes = self.mapping.neighbourhood_codes
        ours = value if codes is None else _coded(codes, value)
        if ours is None or ours not in self.neighbourhoods:
            raise _RowProblem(name, value, "unknown neighbourhood")
        return ours

    def _date(self, name: str) -> date | None:
        value = self.get(name)
        if not value:
            return None
        for pattern in self.mapping.date_formats:
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise _RowProblem(name, value, f"not a date in {' or '.join(self.mapping.date_formats)}")

    def _settlement(self, fields: Mapping[str, object]) -> Settlement | None:
        code = fields.get("neighbourhood")
        if isinstance(code, str):
            return self.neighbourhoods[code]
        needs = bool(fields.get("grade")) or any(
            fields.get(n) for n in ("location_description", "postcode")
        )
        if needs and self.mapping.default_settlement is None:
            self.reject(
                "neighbourhood",
                "",
                "no neighbourhood, so no settlement for the incident or location "
                "(map a neighbourhood column or set defaults.settlement)",
            )
        return self.mapping.default_settlement


def _coded(codes: Mapping[str, _T], value: str) -> _T | None:
    """The code's value, or the catch-all's (`"*"`) for a code not listed, or None."""
    found = codes.get(value)
    return codes.get(CATCH_ALL) if found is None else found


TIME_INCIDENT_FIELDS = (
    "incident_created_at",
    "incident_deployed_at",
    "incident_arrived_at",
    "incident_closed_at",
)
