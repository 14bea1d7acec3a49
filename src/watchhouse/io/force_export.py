"""A force's own contact and incident export (CSV), read through its mapping file.

Each row becomes a `ForceRecord` (a contact, and an incident when it has a grade) or rejections.
Times are read with the mapping's strptime patterns in the mapping's time zone and converted
to UTC. Row by row in Python: strptime patterns and time-zone folds are per value, and a
force's export is far smaller than the national data.police.uk files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from watchhouse.domain.identifiers import normalise_postcode
from watchhouse.domain.values import Channel, Settlement
from watchhouse.io.csv_table import UnreadableFile, value_problem
from watchhouse.io.force_mapping import DEFAULT_BOOLEANS, ForceMapping
from watchhouse.io.rejects import Rejection

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
    channel: Channel
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
class ParsedExport:
    """A force export checked: the good records and the rejections."""

    records: list[ForceRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rows_rejected(self) -> int:
        """Rows refused, each counted once."""
        return len({r.row for r in self.rejections})


class _RowProblem(Exception):
    """Raised inside a row's reading for the first problem of a field."""

    def __init__(self, field_name: str, value: str, reason: str) -> None:
        self.field_name = field_name
        self.value = value
        self.reason = reason


def parse_file(
    path: Path, *, mapping: ForceMapping, neighbourhoods: Mapping[str, Settlement]
) -> ParsedExport:
    """Read and check every row; `neighbourhoods` are our neighbourhood codes and settlements."""
    result = ParsedExport()
    first_row_of: dict[str, int] = {}
    for number, values in _rows(path, mapping):
        result.rows_read += 1
        if isinstance(values, Rejection):
            result.rejections.append(values)
            continue
        reader = _RowReader(number, values, mapping, neighbourhoods)
        record = reader.record()
        if record is None:
            result.rejections.extend(reader.rejections)
            continue
        earlier = first_row_of.get(record.external_ref)
        if earlier is not None:
            result.rejections.append(
                Rejection(
                    number,
                    mapping.columns["external_ref"],
                    record.external_ref,
                    f"repeats the external reference of row {earlier}",
                )
            )
            continue
        first_row_of[record.external_ref] = number
        result.records.append(record)
    return result


def _rows(path: Path, mapping: ForceMapping) -> Iterator[tuple[int, dict[str, str] | Rejection]]:
    """Each record as {our field: raw value} (or its rejection, with the raw record when it is
    malformed), numbered as in the file (header = row 1; blank lines keep their number)."""
    try:
        with path.open(newline="", encoding=mapping.encoding) as handle:
            reader = csv.reader(handle, delimiter=mapping.delimiter)
            header = [h.strip() for h in next(reader, [])]
            if not header:
                raise UnreadableFile(f"{path.name} is empty: it has no header row")
            missing = [c for c in mapping.columns.values() if c not in header]
            if missing:
                raise UnreadableFile(
                    f"{path.name} lacks the mapped columns: {', '.join(sorted(set(missing)))}"
                )
            position = {ours: header.index(theirs) for ours, theirs in mapping.columns.items()}
            for number, record in enumerate(reader, start=2):
                if not any(v.strip() for v in record):
                    continue
                if len(record) != len(header):
                    reason = f"has {len(record)} fields; the header has {len(header)}"
                    yield number, Rejection(number, "", mapping.delimiter.join(record), reason)
                    continue
                yield number, _storable(number, record, header, position)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path.name} is not {mapping.encoding} text: {exc}") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name} is not valid CSV: {exc}") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from exc


def _storable(
    number: int, record: list[str], header: list[str], position: Mapping[str, int]
) -> dict[str, str] | Rejection:
    """The mapped values, or the rejection of the first value no field may store."""
    for i, value in enumerate(record):
        problem = value_problem(value)
        if problem is not None:
            return Rejection(number, header[i], value, problem)
    return {ours: record[i].strip() for ours, i in position.items()}


class _RowReader:
    """Reads one row field by field, collecting one problem per field."""

    def __init__(
        self,
        number: int,
        values: dict[str, str],
        mapping: ForceMapping,
        neighbourhoods: Mapping[str, Settlement],
    ) -> None:
        self.number = number
        self.values = values
        self.mapping = mapping
        self.neighbourhoods = neighbourhoods
        self.rejections: list[Rejection] = []

    def reject(self, field_name: str, value: str, reason: str) -> None:
        column = self.mapping.columns.get(field_name, field_name)
        self.rejections.append(Rejection(self.number, column, value, reason))

    def get(self, field_name: str) -> str:
        return self.values.get(field_name, "")

    def record(self) -> ForceRecord | None:
        """The row as a record, or None with `rejections` filled."""
        fields = self._read_fields()
        if self.rejections:
            return None
        record = ForceRecord(row=self.number, **fields)  # type: ignore[arg-type]
        self._check_order(record)
        return None if self.rejections else record

    def _read_fields(self) -> dict[str, object]:
        readers = {
            "external_ref": self._external_ref,
            "channel": self._channel,
            "abandoned": lambda name: self._boolean(name) or False,
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
            except _RowProblem as problem:
                self.reject(problem.field_name, problem.value, problem.reason)
        fields.update(self._times())
        if self.rejections:
            return fields
        fields["settlement"] = self._settlement(fields)
        if not fields.get("grade"):
            for name in TIME_INCIDENT_FIELDS:
                fields[name] = None
            fields["body_worn_video"] = None
        elif fields.get("incident_created_at") is None:
            fields["incident_created_at"] = fields["presented_at"]
        if fields.get("abandoned") and fields.get("answered_at") is not None:
            self.reject("abandoned", self.get("abandoned"), "an abandoned call has no answer time")
        return fields

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

    def _channel(self, name: str) -> Channel:
        value = self.get(name)
        if not value:
            if self.mapping.default_channel is None:
                raise _RowProblem(name, value, "required value is missing")
            return self.mapping.default_channel
        codes = self.mapping.channel_codes
        if codes is not None:
            if value not in codes:
                raise _RowProblem(name, value, "unknown channel code")
            return codes[value]
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
            if value in codes:
                return codes[value]
        elif value.lower() in DEFAULT_BOOLEANS:
            return DEFAULT_BOOLEANS[value.lower()]
        raise _RowProblem(name, value, "not a known yes/no code")

    def _grade(self, name: str) -> int | None:
        value = self.get(name)
        if not value:
            return None
        codes = self.mapping.grade_codes
        if codes is not None:
            if value in codes:
                return codes[value]
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
        ours = value if codes is None else codes.get(value)
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

    def _times(self) -> dict[str, datetime | None]:
        """Every time in UTC; an ambiguous local time is resolved against the one before it."""
        resolved: dict[str, datetime | None] = {}
        for name, after in TIME_CHAIN:
            value = self.get(name)
            if not value:
                if name == "presented_at":
                    self.reject(name, value, "required value is missing")
                resolved[name] = None
                continue
            not_before = next((resolved[a] for a in after if resolved.get(a)), None)
            try:
                resolved[name] = self._moment(name, value, not_before)
            except _RowProblem as problem:
                self.reject(problem.field_name, problem.value, problem.reason)
                resolved[name] = None
        return resolved

    def _moment(self, name: str, value: str, not_before: datetime | None) -> datetime:
        for pattern in self.mapping.datetime_formats:
            try:
                parsed = datetime.strptime(value, pattern)
            except ValueError:
                continue
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
            return self._localise(name, value, parsed, not_before)
        raise _RowProblem(
            name, value, f"not a time in {' or '.join(self.mapping.datetime_formats)}"
        )

    def _localise(
        self, name: str, value: str, wall: datetime, not_before: datetime | None
    ) -> datetime:
        zone = self.mapping.time_zone
        earlier = wall.replace(tzinfo=zone, fold=0)
        later = wall.replace(tzinfo=zone, fold=1)
        if earlier.utcoffset() == later.utcoffset():
            return earlier.astimezone(UTC)
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
            raise _RowProblem(name, value, f"does not exist in {zone.key}: the clocks went forward")
        mode = self.mapping.ambiguous_times
        first, second = earlier.astimezone(UTC), later.astimezone(UTC)
        if mode == "reject":
            raise _RowProblem(name, value, f"happened twice in {zone.key}: the clocks went back")
        if mode == "later" or (mode == "infer" and not_before is not None and first < not_before):
            return second
        return first

    def _check_order(self, record: ForceRecord) -> None:
        for name, before_names in TIME_CHAIN:
            moment = getattr(record, name)
            if moment is None:
                continue
            for before in before_names:
                earlier = getattr(record, before)
                if earlier is None:
                    continue
                if moment < earlier and name != "incident_created_at":
                    self.reject(
                        name,
                        self.get(name),
                        f"{MOMENTS[name]} before {MOMENTS[before]} "
                        f"({earlier:%Y-%m-%d %H:%M:%S} UTC)",
                    )
                break


TIME_INCIDENT_FIELDS = (
    "incident_created_at",
    "incident_deployed_at",
    "incident_arrived_at",
    "incident_closed_at",
)
# Each time, and the earlier times (nearest first) it must not precede. The incident's creation
# is not checked against the contact (systems round differently) but an ambiguous creation time
# is still resolved against it.
TIME_CHAIN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("presented_at", ()),
    ("answered_at", ("presented_at",)),
    ("ended_at", ("answered_at", "presented_at")),
    ("incident_created_at", ("presented_at",)),
    ("incident_deployed_at", ("incident_created_at",)),
    ("incident_arrived_at", ("incident_deployed_at", "incident_created_at")),
    ("incident_closed_at", ("incident_arrived_at", "incident_deployed_at", "incident_created_at")),
)
MOMENTS = {
    "presented_at": "the contact was presented",
    "answered_at": "answered",
    "ended_at": "ended",
    "incident_created_at": "the incident was created",
    "incident_deployed_at": "deployed",
    "incident_arrived_at": "arrived",
    "incident_closed_at": "closed",
}
