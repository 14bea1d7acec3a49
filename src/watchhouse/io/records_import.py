"""Reading a records system's export (Niche, Athena, ...): crimes, victims, suspects, key
events and crime admin bureau tasks, each its own CSV, through one mapping file.

The mapping is the force export's (io/force_mapping.py) in shape: columns found by name in each
file's own header (io/force_files.py: header variations, null tokens, a row filter), value
maps with a `"*"` catch-all, date and time formats and a time zone. Each kind has its own
table in the mapping (`[crimes]`, `[victims]`, `[suspects]`, `[events]`, `[tasks]`). Every
row is keyed by the source system's own id, so a re-import finds it again. Documented in
docs/data-formats.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from watchhouse.domain.investigation_records import BureauTask
from watchhouse.domain.victims import EnhancedGround, KeyEvent, VpsDecision
from watchhouse.io import force_files
from watchhouse.io.force_mapping import (
    CATCH_ALL,
    DEFAULT_BOOLEANS,
    DEFAULT_DATE_FORMATS,
    DEFAULT_DATETIME_FORMATS,
    SOURCE_MAX_LENGTH,
    ForceMapping,
    MappingError,
    _columns_table,
    _formats,
    _no_unknown_keys,
    _row_filter,
    _strings,
    _text,
    _zone,
    file_reading,
    read_mapping_toml,
)
from watchhouse.io.rejects import FileChecks, Rejection


class RecordKind(StrEnum):
    """The five files of a records-system export."""

    CRIMES = "crimes"
    VICTIMS = "victims"
    SUSPECTS = "suspects"
    EVENTS = "events"
    TASKS = "tasks"


class EventKind(StrEnum):
    """What an imported event is: a key decision the victims are owed an update about (the
    KeyEvent values), or one of the investigation's other milestones."""

    ARREST = KeyEvent.ARREST.value
    CHARGE = KeyEvent.CHARGE.value
    BAIL = KeyEvent.BAIL.value
    RELEASE_UNDER_INVESTIGATION = KeyEvent.RELEASE_UNDER_INVESTIGATION.value
    NO_FURTHER_ACTION = KeyEvent.NO_FURTHER_ACTION.value
    OUT_OF_COURT_DISPOSAL = KeyEvent.OUT_OF_COURT_DISPOSAL.value
    VICTIM_UPDATE = "victim_update"
    NEEDS_ASSESSMENT = "needs_assessment"
    INVESTIGATION_PLAN = "investigation_plan"
    SUPERVISOR_REVIEW = "supervisor_review"
    IGNORE = "ignore"

    @property
    def key_event(self) -> bool:
        """Whether the victims are owed an update about it."""
        return self.value in {k.value for k in KeyEvent}


# Each kind's fields: what a column there holds; the required ones first.
FIELDS: dict[RecordKind, dict[str, str]] = {
    RecordKind.CRIMES: {
        "external_ref": "the records system's id for the crime (required)",
        "recorded_at": "when the crime was recorded (required)",
        "offence": "the offence, coded by [crimes.codes.offence] to the policy's offence list",
        "home_office_code": "the Home Office offence code, kept as given",
        "crime_type": "the crime type's name (when no offence code is mapped)",
        "crime_group": "the crime group (when no offence code is mapped)",
        "outcome": "the Home Office outcome 0-22 (or coded by [crimes.codes.outcome])",
        "outcome_at": "when the outcome was given",
        "domestic_abuse": "whether the crime is domestic abuse (coded by [crimes.codes.boolean])",
        "hate_crime": "whether it is a hate crime",
        "allocated_at": "when it was allocated for investigation",
        "allocated_team": "the team it was allocated to",
        "investigator": "the investigating officer's watchhouse username",
        "supervisor": "the supervisor's watchhouse username",
        "next_review_due_at": "when the supervisor's next review is due",
    },
    RecordKind.VICTIMS: {
        "external_ref": "the records system's id for the victim (required)",
        "crime_ref": "the crime's id in the records system (required)",
        "given_name": "the victim's given name",
        "family_name": "the victim's family name",
        "date_of_birth": "the victim's date of birth",
        "added_at": "when the victim was recorded (default: the crime's recorded_at)",
        "enhanced_grounds": "the grounds for enhanced rights, separated by grounds_separator",
        "enhanced": "whether the victim has enhanced rights (when the grounds are not given)",
        "wants_updates": "whether the victim wants updates",
        "support_referred_at": "when the victim's details went to victim support",
        "support_declined": "whether the victim declined the referral",
        "vps_offered_at": "when the Victim Personal Statement was offered",
        "vps_decision": "the victim's answer (accepted or declined; coded by codes.vps_decision)",
        "vps_made_at": "when the statement was made",
    },
    RecordKind.SUSPECTS: {
        "external_ref": "the records system's id for the suspect (required)",
        "crime_ref": "the crime's id in the records system (required)",
        "description": "who the suspect is (a name or a description)",
        "identified": "whether the suspect is identified",
        "added_at": "when the suspect was recorded (default: the crime's recorded_at)",
    },
    RecordKind.EVENTS: {
        "external_ref": "the records system's id for the event (required)",
        "crime_ref": "the crime's id in the records system (required)",
        "kind": "what happened (required; coded by [events.codes.kind])",
        "occurred_at": "when it happened (required)",
        "victim_ref": "the victim an update or needs assessment concerns",
        "adequate": "a plan's quality check result, where the system holds one",
        "note": "a note",
    },
    RecordKind.TASKS: {
        "external_ref": "the records system's id for the task (required)",
        "crime_ref": "the crime's id in the records system (required)",
        "task": "what the bureau was asked to do (required; coded by [tasks.codes.task])",
        "requested_at": "when it was asked (required)",
        "due_at": "when it is due (default: [investigations] bureau_task_working_days later)",
        "done_at": "when it was done",
        "detail": "what was asked, in words",
        "result": "what was done",
    },
}
REQUIRED: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.CRIMES: ("external_ref", "recorded_at"),
    RecordKind.VICTIMS: ("external_ref", "crime_ref"),
    RecordKind.SUSPECTS: ("external_ref", "crime_ref"),
    RecordKind.EVENTS: ("external_ref", "crime_ref", "kind", "occurred_at"),
    RecordKind.TASKS: ("external_ref", "crime_ref", "task", "requested_at"),
}
CODE_LISTS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.CRIMES: ("offence", "outcome", "boolean"),
    RecordKind.VICTIMS: ("enhanced_grounds", "vps_decision", "boolean"),
    RecordKind.SUSPECTS: ("boolean",),
    RecordKind.EVENTS: ("kind", "boolean"),
    RecordKind.TASKS: ("task",),
}
TOP_LEVEL_KEYS = (
    "source",
    "time_zone",
    "ambiguous_times",
    "delimiter",
    "encoding",
    "formats",
    "null_tokens",
    *(k.value for k in RecordKind),
)
KIND_KEYS = ("columns", "codes", "filter", "grounds_separator")
TEXT_LIMITS = {
    "external_ref": 80,
    "crime_ref": 80,
    "home_office_code": 20,
    "detail": 2000,
    "result": 2000,
}


@dataclass(frozen=True)
class KindMapping:
    """How one file of the export is read."""

    kind: RecordKind
    reading: ForceMapping  # columns, fallbacks, null tokens and filter, for io/force_files
    codes: Mapping[str, Mapping[str, Any]]
    grounds_separator: str = ";"


@dataclass(frozen=True)
class RecordsMapping:
    """A checked records-system mapping: the source's name, its clock and each kind's file."""

    source: str
    time_zone: ZoneInfo
    ambiguous_times: str
    datetime_formats: tuple[str, ...]
    date_formats: tuple[str, ...]
    kinds: Mapping[RecordKind, KindMapping]

    def kind(self, kind: RecordKind) -> KindMapping:
        """One kind's mapping, or MappingError when the file has none."""
        found = self.kinds.get(kind)
        if found is None:
            raise MappingError(kind.value, f"the mapping has no [{kind.value}] table")
        return found


def load_records_mapping(path: Path) -> RecordsMapping:
    """Read and check a records mapping file; MappingError names the first key at fault."""
    return parse_records_mapping(read_mapping_toml(path))


def parse_records_mapping(raw: Mapping[str, Any]) -> RecordsMapping:
    """Check a records mapping already read from TOML."""
    _no_unknown_keys("", raw, TOP_LEVEL_KEYS)
    source = _text(raw, "source", required=True)
    assert source is not None
    if len(source) > SOURCE_MAX_LENGTH or source == "watchhouse":
        raise MappingError("source", f"at most {SOURCE_MAX_LENGTH} characters, not 'watchhouse'")
    formats = raw.get("formats", {})
    if not isinstance(formats, dict):
        raise MappingError("formats", "must be a table")
    _no_unknown_keys("formats", formats, ("datetime", "date"))
    ambiguous, delimiter, encoding = file_reading(
        raw, ambiguous_choices=("earlier", "later", "reject"), ambiguous_default="earlier"
    )
    zone = _zone(_text(raw, "time_zone") or "Europe/London")
    nulls = frozenset(t.upper() for t in _strings(raw, "null_tokens"))
    kinds: dict[RecordKind, KindMapping] = {}
    for kind in RecordKind:
        table = raw.get(kind.value)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise MappingError(kind.value, "must be a table")
        _no_unknown_keys(kind.value, table, KIND_KEYS)
        columns, fallbacks = _columns_table(
            table.get("columns"), f"{kind.value}.columns", FIELDS[kind], REQUIRED[kind]
        )
        reading = ForceMapping(
            source=source,
            columns=columns,
            time_zone=zone,
            delimiter=delimiter,
            encoding=encoding,
            fallbacks=fallbacks,
            null_tokens=nulls,
            row_filter=_row_filter(table.get("filter")),
        )
        separator = table.get("grounds_separator", ";")
        if not isinstance(separator, str) or len(separator) != 1:
            raise MappingError(f"{kind.value}.grounds_separator", "must be one character")
        kinds[kind] = KindMapping(kind, reading, _kind_codes(kind, table.get("codes")), separator)
    if not kinds:
        raise MappingError(
            "crimes", "give at least one of [crimes], [victims], [suspects], [events], [tasks]"
        )
    return RecordsMapping(
        source=source,
        time_zone=zone,
        ambiguous_times=ambiguous,
        datetime_formats=_formats(formats, "datetime", DEFAULT_DATETIME_FORMATS),
        date_formats=_formats(formats, "date", DEFAULT_DATE_FORMATS),
        kinds=kinds,
    )


def _as_outcome(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 22:
        raise MappingError(key, f"{value!r} is not a Home Office outcome: give 0 to 22")
    return value


def _as_choice(kind: type[StrEnum]) -> Callable[[str, object], str]:
    def convert(key: str, value: object) -> str:
        try:
            return kind(str(value)).value
        except ValueError as exc:
            choices = ", ".join(m.value for m in kind)
            raise MappingError(key, f"{value!r} is not one of {choices}") from exc

    return convert


def _as_text(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(key, "must be a non-empty string")
    return value.strip()


def _as_boolean(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise MappingError(key, f"{value!r} is not true or false")
    return value


_CONVERTERS: dict[str, Callable[[str, object], Any]] = {
    "offence": _as_text,
    "outcome": _as_outcome,
    "boolean": _as_boolean,
    "enhanced_grounds": _as_choice(EnhancedGround),
    "kind": _as_choice(EventKind),
    "task": _as_choice(BureauTask),
    "vps_decision": _as_choice(VpsDecision),
}


def _kind_codes(kind: RecordKind, value: object) -> dict[str, dict[str, Any]]:
    prefix = f"{kind.value}.codes"
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(prefix, "must be a table of code lists")
    _no_unknown_keys(prefix, value, CODE_LISTS[kind])
    result: dict[str, dict[str, Any]] = {}
    for name, table in value.items():
        if not isinstance(table, dict) or not table:
            raise MappingError(f"{prefix}.{name}", "must be a table of their code = our value")
        convert = _CONVERTERS[name]
        result[name] = {
            str(code).strip(): convert(f'{prefix}.{name}."{code}"', v) for code, v in table.items()
        }
    return result


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordIn:
    """One good row: its number in the file and its values by our field names (typed)."""

    row: int
    external_ref: str
    crime_ref: str | None
    values: Mapping[str, Any]


@dataclass
class ParsedRecords(FileChecks):
    """What one file gave: the good rows, the refused values and the warnings."""

    kind: RecordKind
    records: list[RecordIn] = field(default_factory=list)


class _Bad(ValueError):
    def __init__(self, field_name: str, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field_name, self.column, self.value, self.reason = field_name, column, value, reason


TIME_FIELDS = {"recorded_at", "outcome_at", "allocated_at", "added_at", "support_referred_at"}
TIME_FIELDS |= {"occurred_at", "next_review_due_at", "vps_offered_at", "vps_made_at"}
TIME_FIELDS |= {"due_at", "done_at", "requested_at"}
# Coded fields: their codes, or our own value written as it is.
CHOICES: dict[str, type[StrEnum] | None] = {
    "offence": None,  # only through codes.offence (checked against the offence list later)
    "kind": EventKind,
    "task": BureauTask,
    "vps_decision": VpsDecision,
}
BOOLEAN_FIELDS = {
    "domestic_abuse",
    "hate_crime",
    "enhanced",
    "wants_updates",
    "support_declined",
    "identified",
    "adequate",
}


def parse_file(path: Path, *, kind: RecordKind, mapping: RecordsMapping) -> ParsedRecords:
    """Read one file of the export; raise UnreadableFile for one that cannot be read or lacks a
    required column. A bad value refuses its row, named by row, column and reason."""
    kind_mapping = mapping.kind(kind)
    reading = kind_mapping.reading
    found, _header, rows = force_files.read_rows(path, reading, required=REQUIRED[kind])
    result = ParsedRecords(kind, warnings=list(found.warnings))
    seen: dict[str, int] = {}
    for number, row in rows:
        result.rows_read += 1
        if row is None:
            result.rows_filtered += 1
            continue
        if isinstance(row, Rejection):
            result.rejections.append(row)
            continue
        try:
            values = _typed(row, kind_mapping, mapping)
        except _Bad as bad:
            result.rejections.append(Rejection(number, bad.column, bad.value, bad.reason))
            continue
        if values is None:
            result.rows_filtered += 1
            continue
        ref = values.pop("external_ref")
        if ref in seen:
            result.rejections.append(
                Rejection(
                    number,
                    reading.columns["external_ref"],
                    ref,
                    f"the same id as row {seen[ref]} of this file",
                )
            )
            continue
        seen[ref] = number
        result.records.append(RecordIn(number, ref, values.pop("crime_ref", None), values))
    return result


def _typed(
    row: force_files.RawRow, kind_mapping: KindMapping, mapping: RecordsMapping
) -> dict[str, Any] | None:
    """The row's values by field, typed; None for an event whose kind is to be ignored."""
    reading = kind_mapping.reading
    values: dict[str, Any] = {}
    for name in reading.columns:
        column, text = _first_value(row, reading.columns_of(name))
        if isinstance(text, force_files.Conflict):
            raise _Bad(name, column, str(text), "the repeated column's copies differ")
        if not text:
            if name in REQUIRED[kind_mapping.kind]:
                raise _Bad(name, column, "", f"{name} is required")
            continue
        values[name] = _value(name, column, text, kind_mapping, mapping)
    if values.get("kind") == EventKind.IGNORE.value:
        return None
    return values


def _first_value(row: force_files.RawRow, columns: tuple[str, ...]) -> tuple[str, str]:
    for column in columns:
        text = row.values.get(column, "")
        if text:
            return column, text
    return (columns[0] if columns else ""), ""


def _value(
    name: str, column: str, text: str, kind_mapping: KindMapping, mapping: RecordsMapping
) -> Any:
    codes = kind_mapping.codes
    if name in TIME_FIELDS:
        return read_time(text, column, name, mapping)
    if name == "date_of_birth":
        for pattern in mapping.date_formats:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise _Bad(name, column, text, f"not a date in {' or '.join(mapping.date_formats)}")
    if name in BOOLEAN_FIELDS:
        found = _coded(codes.get("boolean"), text)
        if found is None:
            found = DEFAULT_BOOLEANS.get(text.lower())
        if found is None:
            raise _Bad(name, column, text, "not a yes/no value (see codes.boolean)")
        return found
    if name == "outcome":
        found = _coded(codes.get("outcome"), text)
        if found is None:
            found = int(text) if text.isdigit() and 0 <= int(text) <= 22 else None
        if found is None:
            raise _Bad(name, column, text, "not a Home Office outcome 0-22 (see codes.outcome)")
        return found
    if name in CHOICES:
        found = _coded(codes.get(name), text)
        choice = CHOICES[name]
        if found is None and choice is not None and text in choice.__members__.values():
            found = text
        if found is None:
            raise _Bad(name, column, text, f"not one of the codes in codes.{name}")
        return found
    if name == "enhanced_grounds":
        grounds: list[str] = []
        for part in (p.strip() for p in text.split(kind_mapping.grounds_separator)):
            if not part:
                continue
            ground = _coded(codes.get("enhanced_grounds"), part)
            if ground is None and part in EnhancedGround.__members__.values():
                ground = part
            if ground is None:
                raise _Bad(name, column, part, "not a ground in codes.enhanced_grounds")
            if ground not in grounds:
                grounds.append(ground)
        return tuple(grounds)
    limit = TEXT_LIMITS.get(name, 200)
    if len(text) > limit:
        raise _Bad(name, column, text, f"longer than {limit} characters")
    return text


def _coded(codes: Mapping[str, Any] | None, text: str) -> Any:
    if not codes:
        return None
    if text in codes:
        return codes[text]
    return codes.get(CATCH_ALL)


def read_time(text: str, column: str, name: str, mapping: RecordsMapping) -> datetime:
    """A local time of the export in UTC; the repeated hour of the autumn change resolved as
    `ambiguous_times` says, the missing hour of the spring change refused."""
    for pattern in mapping.datetime_formats:
        try:
            wall = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    else:
        raise _Bad(name, column, text, f"not a time in {' or '.join(mapping.datetime_formats)}")
    zone = mapping.time_zone
    earlier = wall.replace(tzinfo=zone, fold=0)
    later = wall.replace(tzinfo=zone, fold=1)
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise _Bad(name, column, text, f"does not exist in {zone.key} (the clocks went forward)")
    if earlier.utcoffset() != later.utcoffset():
        if mapping.ambiguous_times == "reject":
            raise _Bad(name, column, text, f"happened twice in {zone.key} (the clocks went back)")
        chosen = later if mapping.ambiguous_times == "later" else earlier
        return chosen.astimezone(UTC)
    return earlier.astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The local date of a moment."""
    return moment.astimezone(zone).date()
