"""The telephony platform's own exports: per-call detail records and interval statistics.

Read through a TOML mapping like the force export's (docs/data-formats.md): files, folders or
globs, columns found by name in each file's header, null tokens, a row filter, a time zone
(per file if need be), the clock change and a UTC-offset column are handled by the same code
(`force_files`, `force_times`). The platform's queue or line is coded to 999, 101 or `other`
by `[codes.queue]`, with `"*"` as the catch-all for queues the mapping does not list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from watchhouse.io.force_files import Conflict, RawRow, read_rows
from watchhouse.io.force_mapping import (
    AMBIGUOUS_CHOICES,
    CATCH_ALL,
    DEFAULT_BOOLEANS,
    DEFAULT_DATETIME_FORMATS,
    ForceMapping,
    MappingError,
    _file_time_zones,
    _formats,
    _no_unknown_keys,
    _row_filter,
    _strings,
    _table,
    _text,
    _zone,
    file_reading,
    read_mapping_toml,
)
from watchhouse.io.force_times import TimeProblem, TimeReader, TimeRules, parse_offset
from watchhouse.io.rejects import FileChecks, Rejection

Kind = Literal["calls", "intervals"]
QUEUE_CHANNELS = ("999", "101", "other")
INTERVAL_LENGTHS = (15, 30)
CALL_FIELDS = {
    "call_id": "the platform's id of the call (required)",
    "queue": "the queue, line or skill group (coded by [codes.queue]; required)",
    "presented_at": "when the call reached the force (required)",
    "answered_at": "when a handler answered",
    "abandoned_at": "when the caller hung up before an answer",
    "abandoned": "whether the caller hung up before an answer (true/false, yes/no, 1/0)",
    "ended_at": "when the call ended",
    "handler": "the handler who answered (a watchhouse username links the user)",
    "utc_offset": "the UTC offset the export wrote its local times in",
}
INTERVAL_FIELDS = {
    "interval_start": "when the interval began (required)",
    "queue": "the queue, line or skill group (coded by [codes.queue]; required)",
    "length_minutes": "the interval's length, 15 or 30 (else the mapping's interval_minutes)",
    "offered": "calls offered in the interval (required)",
    "answered": "calls answered (required)",
    "abandoned": "calls abandoned (required)",
    "utc_offset": "the UTC offset the export wrote its local times in",
}
REQUIRED = {
    "calls": ("call_id", "queue", "presented_at"),
    "intervals": ("interval_start", "queue", "offered", "answered", "abandoned"),
}
TOP_LEVEL = (
    "source",
    "time_zone",
    "ambiguous_times",
    "delimiter",
    "encoding",
    "columns",
    "formats",
    "codes",
    "null_tokens",
    "filter",
    "file_time_zones",
    "interval_minutes",
)
WITHIN = "answered_within"
LIMITS = {"call_id": 120, "queue": 80, "handler": 120}


@dataclass(frozen=True)
class TelephonyMapping:
    """A checked telephony mapping; `reading` is how `force_files` reads its columns."""

    kind: Kind
    source: str
    reading: ForceMapping
    queue_codes: Mapping[str, str]
    interval_minutes: int | None = None
    thresholds: tuple[int, ...] = ()


@dataclass(frozen=True)
class CallRecord:
    """One good per-call row (times UTC)."""

    row: int
    call_id: str
    queue: str
    channel: str
    presented_at: datetime
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    ended_at: datetime | None = None
    handler: str | None = None


@dataclass(frozen=True)
class IntervalRecord:
    """One good interval row: one queue's counts for one interval (start UTC)."""

    row: int
    queue: str
    channel: str
    start: datetime
    length_minutes: int
    offered: int
    answered: int
    abandoned: int
    within: tuple[tuple[int, int], ...] = ()  # (seconds, calls answered within them)


@dataclass
class ParsedTelephony(FileChecks):
    """A file checked: good records, rejections, rows the filter left out, file warnings."""

    calls: list[CallRecord] = field(default_factory=list)
    intervals: list[IntervalRecord] = field(default_factory=list)


def load_telephony_mapping(path: Path, kind: Kind) -> TelephonyMapping:
    """Read and check a mapping file; raise MappingError naming the first key at fault."""
    return parse_telephony_mapping(read_mapping_toml(path), kind)


def parse_telephony_mapping(raw: Mapping[str, Any], kind: Kind) -> TelephonyMapping:
    """Check a telephony mapping already read from TOML."""
    _no_unknown_keys("", raw, TOP_LEVEL)
    source = _text(raw, "source", required=True)
    assert source is not None
    if len(source) > 40:
        raise MappingError("source", "at most 40 characters")
    fields = CALL_FIELDS if kind == "calls" else INTERVAL_FIELDS
    columns_raw = _table(raw, "columns")
    if not columns_raw:
        raise MappingError("columns", "required: a table of our field = their column")
    within_raw = columns_raw.get(WITHIN, {}) if kind == "intervals" else {}
    _no_unknown_keys(
        "columns", columns_raw, (*fields, WITHIN) if kind == "intervals" else tuple(fields)
    )
    columns: dict[str, str] = {}
    fallbacks: dict[str, tuple[str, ...]] = {}
    for name, header in columns_raw.items():
        if name == WITHIN:
            continue
        headers = header if isinstance(header, list) else [header]
        if not headers or any(not isinstance(h, str) or not h.strip() for h in headers):
            raise MappingError(f"columns.{name}", "must be a column name, or a list of them")
        columns[name] = headers[0].strip()
        fallbacks[name] = tuple(h.strip() for h in headers[1:])
    for name in REQUIRED[kind]:
        if name not in columns:
            raise MappingError(f"columns.{name}", "required")
    thresholds: list[int] = []
    if not isinstance(within_raw, dict):
        raise MappingError(f"columns.{WITHIN}", "must be a table of seconds = their column")
    for seconds, header in within_raw.items():
        key = f'columns.{WITHIN}."{seconds}"'
        if not str(seconds).isdigit() or not 1 <= int(seconds) <= 3600:
            raise MappingError(key, "the key must be a number of seconds (1 to 3600)")
        if not isinstance(header, str) or not header.strip():
            raise MappingError(key, "must be the name of a column")
        columns[f"{WITHIN}_{int(seconds)}"] = header.strip()
        thresholds.append(int(seconds))
    codes = _table(raw, "codes")
    _no_unknown_keys("codes", codes, ("queue",))
    queue_codes = _table(codes, "queue")
    if not queue_codes:
        raise MappingError("codes.queue", 'required: their queue = "999", "101" or "other"')
    for code, ours in queue_codes.items():
        if ours not in QUEUE_CHANNELS:
            raise MappingError(f'codes.queue."{code}"', f"{ours!r} is not 999, 101 or other")
    minutes = raw.get("interval_minutes")
    if minutes is not None and minutes not in INTERVAL_LENGTHS:
        raise MappingError("interval_minutes", "must be 15 or 30")
    if kind == "intervals" and minutes is None and "length_minutes" not in columns:
        raise MappingError("interval_minutes", "required unless columns.length_minutes is given")
    ambiguous, delimiter, encoding = file_reading(
        raw, ambiguous_choices=AMBIGUOUS_CHOICES, ambiguous_default="infer"
    )
    formats = _table(raw, "formats")
    _no_unknown_keys("formats", formats, ("datetime",))
    reading = ForceMapping(
        source=source,
        columns=columns,
        time_zone=_zone(_text(raw, "time_zone") or "Europe/London"),
        ambiguous_times=ambiguous,  # type: ignore[arg-type]
        delimiter=delimiter,
        encoding=encoding,
        datetime_formats=_formats(formats, "datetime", DEFAULT_DATETIME_FORMATS),
        fallbacks={k: v for k, v in fallbacks.items() if v},
        null_tokens=frozenset(t.upper() for t in _strings(raw, "null_tokens")),
        row_filter=_row_filter(raw.get("filter")),
        file_time_zones=_file_time_zones(raw.get("file_time_zones")),
    )
    return TelephonyMapping(
        kind=kind,
        source=source,
        reading=reading,
        queue_codes={str(k).strip(): str(v) for k, v in queue_codes.items()},
        interval_minutes=minutes,
        thresholds=tuple(sorted(thresholds)),
    )


class _Bad(Exception):
    def __init__(self, name: str, value: str, reason: str) -> None:
        self.name, self.value, self.reason = name, value, reason


def parse_telephony_file(path: Path, *, mapping: TelephonyMapping) -> ParsedTelephony:
    """Read and check every row of one file; each refused row is named with its column."""
    result = ParsedTelephony()
    reading = mapping.reading
    found, _header, rows = read_rows(path, reading, REQUIRED[mapping.kind])
    result.warnings.extend(found.warnings)
    zone = reading.zone_for(path.name)
    times = TimeReader(
        TimeRules(zone, reading.datetime_formats, reading.ambiguous_times, frozenset())
    )
    seen_walls: set[tuple[str, str]] = set()
    for number, item in rows:
        result.rows_read += 1
        if item is None:
            result.rows_filtered += 1
            continue
        if isinstance(item, Rejection):
            result.rejections.append(item)
            continue
        row = _Row(item, mapping, times)
        try:
            if mapping.kind == "calls":
                result.calls.append(row.call())
            else:
                result.intervals.append(row.interval(seen_walls))
        except _Bad as bad:
            column = next((c for c in reading.columns_of(bad.name) if item.values.get(c)), None)
            result.rejections.append(
                Rejection(
                    number, column or reading.columns.get(bad.name, bad.name), bad.value, bad.reason
                )
            )
    return result


class _Row:
    def __init__(self, raw: RawRow, mapping: TelephonyMapping, times: TimeReader) -> None:
        self.raw, self.mapping, self.times = raw, mapping, times

    def get(self, name: str) -> str:
        for column in self.mapping.reading.columns_of(name):
            value = self.raw.values.get(column, "")
            if value:
                if isinstance(value, Conflict):
                    raise _Bad(
                        name, str(value), "the header repeats this column and the copies differ"
                    )
                return value
        return ""

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.get(name)
        if not value:
            if required:
                raise _Bad(name, "", "required: the value is empty")
            return None
        if len(value) > LIMITS[name]:
            raise _Bad(name, value, f"longer than {LIMITS[name]} characters")
        return value

    def queue(self) -> tuple[str, str]:
        queue = self.text("queue") or ""
        channel = self.mapping.queue_codes.get(queue) or self.mapping.queue_codes.get(CATCH_ALL)
        if channel is None:
            raise _Bad("queue", queue, 'not in [codes.queue] (add it, or a "*" catch-all)')
        return queue, channel

    def offset(self) -> timedelta | None:
        value = self.get("utc_offset")
        if not value:
            return None
        found = parse_offset(value)
        if found is None:
            raise _Bad("utc_offset", value, "not a UTC offset such as +01:00")
        return found

    def candidates(self, name: str) -> list[tuple[str, str]]:
        columns = self.mapping.reading.columns_of(name)
        return [(c, str(self.raw.values.get(c, ""))) for c in columns]

    def call(self) -> CallRecord:
        call_id = self.text("call_id", required=True)
        assert call_id is not None
        queue, channel = self.queue()
        offset = self.offset()
        wanted = {n: self.candidates(n) for n in ("presented_at", "answered_at", "ended_at")}
        if not any(v for _, v in wanted["presented_at"]):
            raise _Bad("presented_at", "", "required: the value is empty")
        found, problems = self.times.read(wanted, offset)
        if problems:
            first = problems[0]
            raise _Bad(first.field_name, first.value, first.reason)
        presented = found["presented_at"]
        assert presented is not None
        abandoned_at = self.abandoned_at(presented, found.get("ended_at"), offset)
        return CallRecord(
            row=self.raw.number,
            call_id=call_id,
            queue=queue,
            channel=channel,
            presented_at=presented,
            answered_at=found.get("answered_at"),
            abandoned_at=abandoned_at,
            ended_at=found.get("ended_at"),
            handler=self.text("handler"),
        )

    def abandoned_at(
        self, presented: datetime, ended: datetime | None, offset: timedelta | None
    ) -> datetime | None:
        value = self.get("abandoned_at")
        if value:
            column = self.candidates("abandoned_at")[0][0]
            choices = self.times.choices("abandoned_at", column, value, offset)
            if isinstance(choices, TimeProblem):
                raise _Bad("abandoned_at", value, choices.reason)
            fitting = [c for c in choices if c >= presented]
            if not fitting:
                raise _Bad("abandoned_at", value, "abandoned before the call was presented")
            return fitting[0]
        flag = self.get("abandoned")
        if not flag:
            return None
        meaning = DEFAULT_BOOLEANS.get(flag.strip().lower())
        if meaning is None:
            raise _Bad("abandoned", flag, "not true or false (yes/no, y/n, 1/0)")
        return (ended or presented) if meaning else None

    def count(self, name: str) -> int:
        value = self.get(name).replace(",", "")
        if not value:
            raise _Bad(name, "", "required: the value is empty")
        if not value.isdigit():
            raise _Bad(name, value, "not a whole number of calls")
        return int(value)

    def interval(self, seen: set[tuple[str, str]]) -> IntervalRecord:
        queue, channel = self.queue()
        value = self.get("interval_start")
        if not value:
            raise _Bad("interval_start", "", "required: the value is empty")
        column = self.candidates("interval_start")[0][0]
        choices = self.times.choices("interval_start", column, value, self.offset())
        if isinstance(choices, TimeProblem):
            raise _Bad("interval_start", value, choices.reason)
        # In the hour the clocks go back, the same wall time comes twice for a queue: the
        # first row is the earlier reading, the next the later one.
        wall = (queue, value)
        start = choices[1] if len(choices) == 2 and wall in seen else choices[0]
        seen.add(wall)
        minutes = self.mapping.interval_minutes
        if self.get("length_minutes"):
            minutes = self.count("length_minutes")
        if minutes not in INTERVAL_LENGTHS:
            raise _Bad("length_minutes", str(minutes or ""), "the interval must be 15 or 30 min")
        offered, answered = self.count("offered"), self.count("answered")
        abandoned = self.count("abandoned")
        within: list[tuple[int, int]] = []
        for seconds in self.mapping.thresholds:
            name = f"{WITHIN}_{seconds}"
            if not self.get(name):
                continue
            calls = self.count(name)
            if calls > answered:
                raise _Bad(name, str(calls), f"more answered within {seconds} s than answered")
            if within and calls < within[-1][1]:
                raise _Bad(name, str(calls), f"fewer than within {within[-1][0]} s")
            within.append((seconds, calls))
        return IntervalRecord(
            row=self.raw.number,
            queue=queue,
            channel=channel,
            start=start,
            length_minutes=minutes,
            offered=offered,
            answered=answered,
            abandoned=abandoned,
            within=tuple(within),
        )
