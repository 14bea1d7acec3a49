"""The snapshot's prepared tables (Arrow IPC beside the Parquet): read back identical to
preparing the Parquet again, local days right across the clock change, and ignored when
they were prepared for another zone or another set of columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from watchhouse.analytics import tables

# 00:30 UTC on 31 March 2024 is 00:30 GMT; 23:30 UTC on 31 March is 00:30 BST on 1 April.
BEFORE_CHANGE = datetime(2024, 3, 31, 0, 30, tzinfo=UTC)
AFTER_CHANGE = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)


def _snapshot(directory: Path) -> None:
    contacts = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "channel": pa.array(["999", "101", "999"]),
            "presented_at": pa.array(
                [BEFORE_CHANGE, AFTER_CHANGE, None], pa.timestamp("us", tz="UTC")
            ),
            "abandoned": pa.array([False, True, False]),
        }
    )
    pq.write_table(contacts, directory / "contacts.parquet")


def test_prepared_tables_read_back_as_the_parquet_prepared_again(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    from_parquet = tables.read_tables(tmp_path, timezone="Europe/London")
    tables.write_prepared(tmp_path, timezone="Europe/London")
    assert (tmp_path / "contacts.prepared.arrow").exists()
    (tmp_path / "contacts.parquet").unlink()  # only the prepared file is read now
    prepared = tables.read_tables(tmp_path, timezone="Europe/London")
    assert set(prepared) == set(from_parquet)
    for name, table in from_parquet.items():
        assert prepared[name].equals(table), name
    days = prepared["contacts"].column("presented_day").to_pylist()
    assert days == [date(2024, 3, 31), date(2024, 4, 1), None]


def test_tables_prepared_for_another_zone_are_prepared_again(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    tables.write_prepared(tmp_path, timezone="UTC")
    read = tables.read_tables(tmp_path, timezone="Europe/London")
    assert read["contacts"].column("presented_day").to_pylist()[1] == date(2024, 4, 1)


def test_a_prepared_file_with_other_columns_is_not_used(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    tables.write_prepared(tmp_path, timezone="Europe/London")
    old = pa.table({"id": pa.array([9], pa.int64())}).replace_schema_metadata(
        {b"watchhouse.timezone": b"Europe/London"}
    )
    target = str(tmp_path / "contacts.prepared.arrow")
    with pa.OSFile(target, "wb") as sink, pa.ipc.new_file(sink, old.schema) as out:
        out.write_table(old)
    read = tables.read_tables(tmp_path, timezone="Europe/London")
    assert read["contacts"].column("id").to_pylist() == [1, 2, 3]
