"""The store tables the measures read, and how they are prepared for any engine.

The measures read Parquet files named after the store's tables (a snapshot of the store, or the
synthetic force written straight to Parquet). Only the columns below are read: no names, dates of
birth, numbers, notes or free text. Every timestamp column `<c>` becomes two columns, so no engine
has to know about time zones: `<c>_us`, microseconds since 1970 UTC (durations are differences of
these), and `<c>_day`, the local date in the force's time zone (periods are built from these).
A missing table or column is read as empty or NULL, so an older snapshot still works.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

INT, TEXT, BOOL, TS = "int", "text", "bool", "ts"
FLOAT = "float"

# table -> column -> kind
INPUT_COLUMNS: dict[str, dict[str, str]] = {
    "neighbourhoods": {"id": INT, "code": TEXT, "settlement": TEXT},
    "locations": {"id": INT, "neighbourhood_id": INT, "settlement": TEXT},
    "contacts": {
        "id": INT,
        "channel": TEXT,
        "presented_at": TS,
        "answered_at": TS,
        "abandoned": BOOL,
        "person_id": INT,
        "telephone_number_id": INT,
        "location_id": INT,
        "status": TEXT,
        "source": TEXT,
        "origin": TEXT,
    },
    "thrive_assessments": {"id": INT, "contact_id": INT, "assessed_at": TS},
    "incidents": {
        "id": INT,
        "contact_id": INT,
        "grade": INT,
        "settlement": TEXT,
        "location_id": INT,
        "created_at": TS,
        "arrived_at": TS,
        "body_worn_video": BOOL,
        "status": TEXT,
        "closure": TEXT,
        "domestic_abuse": BOOL,
    },
    "partner_referrals": {"id": INT, "incident_id": INT, "agency_code": TEXT, "referred_at": TS},
    "problem_solving_plans": {
        "id": INT,
        "basis": TEXT,
        "neighbourhood_id": INT,
        "opened_at": TS,
        "status": TEXT,
        "review_due_at": TS,
        "closed_at": TS,
    },
    "domestic_abuse_assessments": {
        "id": INT,
        "incident_id": INT,
        "assessed_at": TS,
        "refused": BOOL,
        "final_level": TEXT,
        "status": TEXT,
    },
    "marac_referrals": {"id": INT, "assessment_id": INT, "referred_at": TS, "repeat_case": BOOL},
    "crimes": {
        "id": INT,
        "incident_id": INT,
        "crime_group": TEXT,
        "recorded_at": TS,
        "location_id": INT,
        "domestic_abuse": BOOL,
        "allocated_at": TS,
        "outcome_code": INT,
        "outcome_at": TS,
    },
    "investigation_plans": {"id": INT, "crime_id": INT, "written_at": TS},
    "supervisor_reviews": {"id": INT, "crime_id": INT, "reviewed_at": TS},
    "victim_contacts": {"id": INT, "crime_id": INT, "event_at": TS, "contacted_at": TS},
    "stop_searches": {"id": INT, "searched_at": TS, "neighbourhood_id": INT, "led_to_arrest": BOOL},
    "identity_clusters": {"contact_id": INT, "cluster_id": INT},
}

# The investigations, Victims' Code, crime admin bureau and audit columns (issue 6), kept
# apart so they can be added to the tables above without touching them: deadlines and whether
# things were done by them, codes and scores; no names, notes, answers or free text.
INPUT_COLUMNS["crimes"] |= {"plan_due_at": TS, "plan_written_at": TS}
INPUT_COLUMNS["investigation_plans"] |= {"adequate": BOOL, "check_adequate": BOOL}
# A plan imported from a records system (issue 14) has no automatic check: only the quality
# check the source held counts; without one its quality is "not recorded".
INPUT_COLUMNS["investigation_plans"] |= {"source": TEXT}
INPUT_COLUMNS["victim_contacts"] |= {"due_at": TS, "enhanced": BOOL, "required": BOOL}
INPUT_COLUMNS |= {
    "crime_victims": {
        "id": INT,
        "crime_id": INT,
        "added_at": TS,
        "enhanced": BOOL,
        "support_due_at": TS,
        "support_referred_at": TS,
        "support_declined": BOOL,
    },
    "crime_admin_tasks": {
        "id": INT,
        "crime_id": INT,
        "task": TEXT,
        "requested_at": TS,
        "due_at": TS,
        "done_at": TS,
    },
    "teams": {"id": INT, "code": TEXT},
    "audit_sample_items": {
        "id": INT,
        "record_type": TEXT,
        "record_at": TS,
        "team_id": INT,
        "neighbourhood_id": INT,
    },
    "audit_results": {"id": INT, "item_id": INT, "score": FLOAT, "passed": BOOL, "audited_at": TS},
}

# The force's published data (data.police.uk, issue 14): crimes and outcomes by month (text,
# YYYY-MM), stop and search by moment.
INPUT_COLUMNS |= {
    "police_uk_crimes": {
        "id": INT,
        "crime_id": TEXT,
        "month": TEXT,
        "crime_type": TEXT,
        "published_force": TEXT,
    },
    "police_uk_outcomes": {
        "id": INT,
        "crime_id": TEXT,
        "month": TEXT,
        "outcome_type": TEXT,
        "published_force": TEXT,
    },
    "police_uk_stop_searches": {
        "id": INT,
        "force": TEXT,
        "searched_at": TS,
        "object_of_search": TEXT,
        "outcome": TEXT,
        "outcome_linked_to_object": BOOL,
    },
}

# The telephony platform's calls (live feed or imported records) and interval statistics
# (issue 14): times and counts only, no numbers or handlers.
INPUT_COLUMNS |= {
    "telephony_calls": {
        "contact_id": INT,
        "channel": TEXT,
        "presented_at": TS,
        "answered_at": TS,
        "abandoned_at": TS,
    },
    "telephony_intervals": {
        "id": INT,
        "channel": TEXT,
        "interval_start": TS,
        "offered": INT,
        "answered": INT,
        "abandoned": INT,
    },
    "telephony_interval_thresholds": {"interval_id": INT, "seconds": INT, "answered": INT},
}

_RAW_TYPES = {
    INT: pa.int64(),
    TEXT: pa.string(),
    BOOL: pa.bool_(),
    TS: pa.timestamp("us", tz="UTC"),
    FLOAT: pa.float64(),
}


def snapshot_columns() -> dict[str, list[str]]:
    """The store columns a snapshot needs, table by table."""
    return {table: list(columns) for table, columns in INPUT_COLUMNS.items()}


PREPARED_SUFFIX = ".prepared.arrow"
_ZONE_KEY = b"watchhouse.timezone"


def write_prepared(directory: Path, *, timezone: str) -> None:
    """Prepare every input table once and keep it beside its Parquet file as an uncompressed
    Arrow IPC file (`<table>.prepared.arrow`, marked with the zone its local days are in), so
    `read_tables` maps it into memory instead of decoding and converting again."""
    for name, columns in INPUT_COLUMNS.items():
        raw = _read_raw(directory, name, columns)
        prepared = prepare(raw, columns, timezone=timezone)
        prepared = prepared.replace_schema_metadata({_ZONE_KEY: timezone.encode()})
        partial = directory / f"{name}{PREPARED_SUFFIX}.partial"
        with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_file(sink, prepared.schema) as out:
            out.write_table(prepared)
        partial.replace(directory / f"{name}{PREPARED_SUFFIX}")


def _read_prepared(directory: Path, name: str, timezone: str) -> pa.Table | None:
    path = directory / f"{name}{PREPARED_SUFFIX}"
    if not path.exists():
        return None
    table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    if (table.schema.metadata or {}).get(_ZONE_KEY) != timezone.encode():
        return None  # prepared for another zone: prepare again from the Parquet
    table = table.replace_schema_metadata(None)
    if table.schema != prepare(None, INPUT_COLUMNS[name], timezone=timezone).schema:
        return None  # prepared by a version that read other columns
    return table


def _read_raw(directory: Path, name: str, columns: Mapping[str, str]) -> pa.Table | None:
    path = directory / f"{name}.parquet"
    if not path.exists():
        return None
    present = set(pq.read_schema(path).names)
    return pq.read_table(path, columns=[c for c in columns if c in present])


def read_tables(
    directory: Path, *, timezone: str, use_prepared: bool = True
) -> dict[str, pa.Table]:
    """Every input table of `<directory>`, engine-ready: the prepared Arrow file where the
    snapshot has one for this zone (see `write_prepared`), else `<table>.parquet` prepared."""
    tables: dict[str, pa.Table] = {}
    for name, columns in INPUT_COLUMNS.items():
        found = _read_prepared(directory, name, timezone) if use_prepared else None
        if found is not None:
            tables[name] = found
            continue
        tables[name] = prepare(_read_raw(directory, name, columns), columns, timezone=timezone)
    return tables


def prepare(raw: pa.Table | None, columns: Mapping[str, str], *, timezone: str) -> pa.Table:
    """The engine-ready form of one table: timestamps as `_us` and local `_day` columns."""
    rows = 0 if raw is None else raw.num_rows
    arrays: list[pa.Array] = []
    names: list[str] = []
    for column, kind in columns.items():
        wanted = _RAW_TYPES[kind]
        if raw is not None and column in raw.column_names:
            values = raw.column(column).combine_chunks().cast(wanted)
        else:
            values = pa.nulls(rows, type=wanted)
        if kind == TS:
            arrays.append(values.cast(pa.int64()))
            names.append(f"{_stem(column)}_us")
            local = pc.local_timestamp(values.cast(pa.timestamp("us", tz=timezone)))
            arrays.append(local.cast(pa.date32()))
            names.append(f"{_stem(column)}_day")
        else:
            arrays.append(values)
            names.append(column)
    return pa.Table.from_arrays(arrays, names=names)


def _stem(column: str) -> str:
    return column.removesuffix("_at")


def from_tables(raw: Mapping[str, pa.Table], *, timezone: str) -> dict[str, pa.Table]:
    """Prepare tables already in memory (tests, benchmarks) as `read_tables` would."""
    return {
        name: prepare(raw.get(name), columns, timezone=timezone)
        for name, columns in INPUT_COLUMNS.items()
    }
