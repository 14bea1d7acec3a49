"""The mapping file that tells the force-export importer how to read a force's own CSV.

A TOML file, checked whole before any row is read; every problem names its key. The format is
documented key by key in docs/data-formats.md, with an example in docs/examples/.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watchhouse.domain.values import Channel, Origin, Settlement

AmbiguousTimes = Literal["infer", "earlier", "later", "reject"]

# Our fields a force column can fill, with what each holds.
FIELDS: dict[str, str] = {
    "external_ref": "the force's own reference for the contact (required)",
    "channel": "how the contact came in (coded by [codes.channel])",
    "presented_at": "when the contact reached the force (required)",
    "answered_at": "when it was answered",
    "ended_at": "when the handler finished with it",
    "abandoned": "whether the caller hung up before an answer (coded by [codes.boolean])",
    "caller_given_name": "the caller's given name",
    "caller_family_name": "the caller's family name",
    "caller_date_of_birth": "the caller's date of birth (formats.date)",
    "caller_telephone": "the number the caller gave or called from",
    "caller_postcode": "the caller's own postcode",
    "location_description": "where the incident is",
    "postcode": "the postcode of where the incident is",
    "neighbourhood": "the neighbourhood of where the incident is (coded by [codes.neighbourhood])",
    "summary": "what the contact was about",
    "grade": "the incident grade (coded by [codes.grade]); a row with a grade becomes an incident",
    "incident_created_at": "when the incident was created (default: presented_at)",
    "incident_deployed_at": "when a unit was first deployed",
    "incident_arrived_at": "when a unit first arrived",
    "incident_closed_at": "when the incident was closed",
    "body_worn_video": "whether body-worn video was used at the scene (coded by [codes.boolean])",
    "origin": "who started the record: the public or the force itself (coded by [codes.origin])",
    "utc_offset": "the UTC offset the export wrote its local times in (+01:00, -0400, ...)",
}
# Fields whose value may be dropped (with a warning) when bad, rather than the row refused.
DROPPABLE = tuple(
    f for f in FIELDS if f not in ("external_ref", "presented_at", "channel", "origin", "grade")
)
CATCH_ALL = "*"
TIME_FIELDS = (
    "presented_at",
    "answered_at",
    "ended_at",
    "incident_created_at",
    "incident_deployed_at",
    "incident_arrived_at",
    "incident_closed_at",
)
TOP_LEVEL_KEYS = (
    "source",
    "time_zone",
    "ambiguous_times",
    "delimiter",
    "encoding",
    "columns",
    "formats",
    "defaults",
    "codes",
    "null_tokens",
    "filter",
    "drop_when_bad",
    "file_time_zones",
    "attributes",
    "identifiers",
)
DEFAULT_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)
DEFAULT_BOOLEANS: dict[str, bool] = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
}
SOURCE_MAX_LENGTH = 40


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the key at fault."""

    def __init__(self, key: str, reason: str) -> None:
        """Name the key and say what is wrong with it."""
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


@dataclass(frozen=True)
class ForceMapping:
    """A checked mapping: where each of our fields is, how to read it, and the code lists."""

    source: str
    columns: Mapping[str, str]
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    ambiguous_times: AmbiguousTimes = "infer"
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    datetime_formats: tuple[str, ...] = DEFAULT_DATETIME_FORMATS
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    default_channel: Channel | None = None
    default_settlement: Settlement | None = None
    channel_codes: Mapping[str, Channel] | None = None
    grade_codes: Mapping[str, int] | None = None
    boolean_codes: Mapping[str, bool] | None = None
    neighbourhood_codes: Mapping[str, str] | None = None
    origin_codes: Mapping[str, Origin] | None = None
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    null_tokens: frozenset[str] = frozenset()
    row_filter: Mapping[str, frozenset[str]] = field(default_factory=dict)
    drop_when_bad: frozenset[str] = frozenset()
    file_time_zones: tuple[tuple[str, ZoneInfo], ...] = ()
    attributes: tuple[str, ...] = ()
    # The force's own identifiers (policy `[identity] extra_identifiers`): name -> column.
    identifiers: Mapping[str, str] = field(default_factory=dict)

    def zone_for(self, file_name: str) -> ZoneInfo:
        """The time zone of one file: the first `file_time_zones` pattern it matches, or the
        mapping's own."""
        for pattern, zone in self.file_time_zones:
            if fnmatch(file_name, pattern):
                return zone
        return self.time_zone

    def columns_of(self, name: str) -> tuple[str, ...]:
        """The CSV columns of one of our fields, the first and then its fallbacks."""
        first = self.columns.get(name)
        return () if first is None else (first, *self.fallbacks.get(name, ()))


AMBIGUOUS_CHOICES = ("infer", "earlier", "later", "reject")


def read_mapping_toml(path: Path) -> dict[str, Any]:
    """A mapping file's TOML (any kind of mapping); MappingError when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(str(path), f"cannot read the mapping file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(str(path), f"not valid TOML: {exc}") from exc


def file_reading(
    raw: Mapping[str, Any], *, ambiguous_choices: tuple[str, ...], ambiguous_default: str
) -> tuple[str, str, str]:
    """The keys every mapping shares on how its files are read: `ambiguous_times`, `delimiter`
    (one character) and `encoding` (a known one; UTF-8 read with or without a BOM)."""
    ambiguous = _text(raw, "ambiguous_times") or ambiguous_default
    if ambiguous not in ambiguous_choices:
        choices = ", ".join(ambiguous_choices[:-1]) + f" or {ambiguous_choices[-1]}"
        raise MappingError("ambiguous_times", f"must be {choices}")
    delimiter = raw.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError("delimiter", "must be exactly one character")
    encoding = _text(raw, "encoding") or "utf-8-sig"
    try:
        "".encode(encoding)
    except LookupError as exc:
        raise MappingError("encoding", f"unknown encoding {encoding!r}") from exc
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    return ambiguous, delimiter, encoding


def load_mapping(path: Path) -> ForceMapping:
    """Read and check a mapping file; raise MappingError naming the first key at fault."""
    return parse_mapping(read_mapping_toml(path))


def parse_mapping(raw: Mapping[str, Any]) -> ForceMapping:
    """Check a mapping already read from TOML."""
    _no_unknown_keys("", raw, TOP_LEVEL_KEYS)
    source = _text(raw, "source", required=True)
    assert source is not None
    if len(source) > SOURCE_MAX_LENGTH:
        raise MappingError("source", f"at most {SOURCE_MAX_LENGTH} characters")
    if source == "watchhouse":
        raise MappingError("source", "'watchhouse' is the name of contacts taken here")
    columns, fallbacks = _columns(raw.get("columns"))
    formats = _table(raw, "formats")
    _no_unknown_keys("formats", formats, ("datetime", "date"))
    defaults = _table(raw, "defaults")
    _no_unknown_keys("defaults", defaults, ("channel", "settlement"))
    codes = _table(raw, "codes")
    _no_unknown_keys("codes", codes, ("channel", "grade", "boolean", "neighbourhood", "origin"))
    default_channel = _enum(defaults, "defaults.channel", "channel", Channel)
    if "channel" not in columns and default_channel is None:
        raise MappingError("columns.channel", "required unless defaults.channel is given")
    ambiguous, delimiter, encoding = file_reading(
        raw, ambiguous_choices=AMBIGUOUS_CHOICES, ambiguous_default="infer"
    )
    return ForceMapping(
        source=source,
        columns=columns,
        time_zone=_zone(_text(raw, "time_zone") or "Europe/London"),
        ambiguous_times=ambiguous,  # type: ignore[arg-type]
        delimiter=delimiter,
        encoding=encoding,
        datetime_formats=_formats(formats, "datetime", DEFAULT_DATETIME_FORMATS),
        date_formats=_formats(formats, "date", DEFAULT_DATE_FORMATS),
        default_channel=default_channel,
        default_settlement=_enum(defaults, "defaults.settlement", "settlement", Settlement),
        channel_codes=_codes(codes, "channel", lambda key, v: _as_enum(key, v, Channel)),
        grade_codes=_codes(codes, "grade", _as_grade),
        boolean_codes=_codes(codes, "boolean", _as_boolean),
        neighbourhood_codes=_codes(codes, "neighbourhood", _as_code),
        origin_codes=_codes(codes, "origin", lambda key, v: _as_enum(key, v, Origin)),
        fallbacks=fallbacks,
        null_tokens=frozenset(t.upper() for t in _strings(raw, "null_tokens")),
        row_filter=_row_filter(raw.get("filter")),
        drop_when_bad=_drop_when_bad(raw),
        file_time_zones=_file_time_zones(raw.get("file_time_zones")),
        attributes=tuple(_strings(raw, "attributes")),
        identifiers=_identifiers(raw.get("identifiers")),
    )


def _identifiers(raw: object) -> dict[str, str]:
    """`[identifiers]`: each of the force's identifiers (its name in policy) and its column."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise MappingError("identifiers", 'give a table: identifier name = "column"')
    found: dict[str, str] = {}
    for name, column in raw.items():
        if not isinstance(column, str) or not column.strip():
            raise MappingError(f"identifiers.{name}", "give the column it is read from")
        found[str(name)] = column.strip()
    return found


def _no_unknown_keys(prefix: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            where = f"{prefix}.{key}" if prefix else key
            raise MappingError(where, f"unknown key; expected one of {', '.join(known)}")


def _text(raw: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise MappingError(key, "required")
        return None
    if key == "delimiter" and isinstance(value, str) and value:
        return value
    if not isinstance(value, str) or not value.strip():
        raise MappingError(key, "must be a non-empty string")
    return value.strip()


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(key, "must be a table")
    return value


def _columns(value: object) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each field's column; a list gives the column and its fallbacks, in order."""
    return _columns_table(value, "columns", FIELDS, ("external_ref", "presented_at"))


def _columns_table(
    value: object, prefix: str, fields: Mapping[str, str], required: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """A `[columns]` table of our field = their column (or a list: the column, then its
    fallbacks), for any importer's fields; `required` fields must be mapped."""
    if value is None:
        raise MappingError(prefix, "required: a table of our field = their column")
    if not isinstance(value, dict):
        raise MappingError(prefix, "must be a table")
    _no_unknown_keys(prefix, value, tuple(fields))
    columns: dict[str, str] = {}
    fallbacks: dict[str, tuple[str, ...]] = {}
    for name, header in value.items():
        headers = header if isinstance(header, list) else [header]
        if not headers or any(not isinstance(h, str) or not h.strip() for h in headers):
            raise MappingError(
                f"{prefix}.{name}", "must be the name of a column in the CSV, or a list of them"
            )
        columns[name] = headers[0].strip()
        if len(headers) > 1:
            fallbacks[name] = tuple(h.strip() for h in headers[1:])
    for name in required:
        if name not in columns:
            raise MappingError(f"{prefix}.{name}", "required")
    return columns, fallbacks


def _strings(raw: Mapping[str, Any], key: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise MappingError(key, "must be a list of non-empty strings")
    return [v.strip() for v in value]


def _row_filter(value: object) -> dict[str, frozenset[str]]:
    """[filter]: each CSV column and the values a kept row may have there."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise MappingError("filter", "must be a table of their column = the values to keep")
    result: dict[str, frozenset[str]] = {}
    for column, accepted in value.items():
        values = [accepted] if isinstance(accepted, str) else accepted
        if not isinstance(values, list) or not values:
            raise MappingError(f'filter."{column}"', "must be a value or a list of values")
        if any(not isinstance(v, str) for v in values):
            raise MappingError(f'filter."{column}"', "values must be strings")
        result[column.strip()] = frozenset(v.strip() for v in values)
    return result


def _drop_when_bad(raw: Mapping[str, Any]) -> frozenset[str]:
    names = _strings(raw, "drop_when_bad")
    for name in names:
        if name not in DROPPABLE:
            raise MappingError(
                "drop_when_bad", f"{name!r} cannot be dropped; give some of {', '.join(DROPPABLE)}"
            )
    return frozenset(names)


def _file_time_zones(value: object) -> tuple[tuple[str, ZoneInfo], ...]:
    """[file_time_zones]: a file-name pattern (fnmatch) = the zone its local times are in."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise MappingError("file_time_zones", "must be a table of file-name pattern = time zone")
    zones: list[tuple[str, ZoneInfo]] = []
    for pattern, name in value.items():
        if not isinstance(name, str):
            raise MappingError(f'file_time_zones."{pattern}"', "must be a time zone name")
        try:
            zones.append((pattern, ZoneInfo(name)))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise MappingError(
                f'file_time_zones."{pattern}"', f"unknown time zone {name!r}"
            ) from exc
    return tuple(zones)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError("time_zone", f"unknown time zone {name!r}") from exc


def _formats(formats: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = formats.get(key)
    if value is None:
        return default
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns:
        raise MappingError(f"formats.{key}", "must be a strptime pattern or a list of them")
    sample = datetime(2024, 1, 31, 13, 45, 30, tzinfo=UTC)
    for pattern in patterns:
        if not isinstance(pattern, str) or "%" not in pattern:
            raise MappingError(f"formats.{key}", f"{pattern!r} is not a strptime pattern")
        try:
            datetime.strptime(sample.strftime(pattern), pattern)
        except ValueError as exc:
            raise MappingError(f"formats.{key}", f"{pattern!r} cannot be read back: {exc}") from exc
    return tuple(patterns)


def _enum(table: Mapping[str, Any], key: str, name: str, kind: type[Any]) -> Any:
    value = table.get(name)
    return None if value is None else _as_enum(key, value, kind)


def _as_enum(key: str, value: object, kind: type[Any]) -> Any:
    try:
        return kind(value)
    except ValueError as exc:
        choices = ", ".join(str(member.value) for member in kind)
        raise MappingError(key, f"{value!r} is not one of {choices}") from exc


def _as_grade(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise MappingError(key, f"{value!r} is not a grade: give 1, 2, 3 or 4")
    return value


def _as_boolean(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise MappingError(key, f"{value!r} is not true or false")
    return value


def _as_code(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(key, "must be one of our neighbourhood codes")
    return value.strip()


def _codes(codes: Mapping[str, Any], name: str, convert: Any) -> dict[str, Any] | None:
    table = codes.get(name)
    if table is None:
        return None
    if not isinstance(table, dict) or not table:
        raise MappingError(f"codes.{name}", "must be a table of their code = our value")
    result: dict[str, Any] = {}
    for code, value in table.items():
        result[code.strip()] = convert(f'codes.{name}."{code}"', value)
    return result


def unknown_neighbourhoods(mapping: ForceMapping, known: set[str]) -> list[str]:
    """The keys of [codes.neighbourhood] whose target is not one of our neighbourhoods."""
    if not mapping.neighbourhood_codes:
        return []
    return [
        f'codes.neighbourhood."{code}"'
        for code, ours in mapping.neighbourhood_codes.items()
        if ours not in known
    ]
