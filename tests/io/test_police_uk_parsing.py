"""Reading data.police.uk files without a database: kinds told by header, row keys, row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchhouse.db.bulk import table, text_limits
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.police_uk import (
    KINDS,
    OUTCOMES,
    STOP_AND_SEARCH,
    STREET_CRIME,
    detect_kind,
    force_from_filename,
    parse_file,
)
from watchhouse.io.rejects import default_report_path

pytestmark = pytest.mark.unit
LIMITS = text_limits("police_uk_crimes")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_is_told_by_its_header_in_any_order(kind):
    assert detect_kind(list(kind.headers)) is kind
    assert detect_kind(list(reversed(kind.headers))) is kind


def test_an_unknown_header_names_the_closest_kind_and_what_differs():
    header = [h for h in STREET_CRIME.headers if h != "Context"] + ["Notes"]
    with pytest.raises(
        UnreadableFile, match=r"street-level crime \(missing Context; unexpected Notes\)"
    ):
        detect_kind(header)


def test_a_repeated_column_is_refused():
    with pytest.raises(UnreadableFile, match="repeats columns: Month"):
        detect_kind([*OUTCOMES.headers, "Month"])


def test_every_column_of_the_tables_but_the_id_is_filled():
    for kind in KINDS:
        assert set(kind.store_columns) == set(table(kind.table).columns.keys()) - {"id"}


def test_the_force_of_a_file_comes_from_its_published_name():
    for kind in ("stop-and-search", "street", "outcomes"):
        name = Path(f"2024-01-west-yorkshire-{kind}.csv")
        assert force_from_filename(name) == "west-yorkshire"
    assert force_from_filename(Path("west-yorkshire-street.csv")) is None  # no month
    assert force_from_filename(Path("2024-01-west-yorkshire.csv")) is None  # no kind
    # Only stop and search must have one (its rows do not name the force).
    assert STOP_AND_SEARCH.needs_force and not STREET_CRIME.needs_force


def test_identical_rows_get_distinct_keys_stable_across_files_and_column_orders(samples, write_csv):
    rows = [samples.asb(), samples.asb(), samples.street()]
    first = parse_file(write_csv("a.csv", samples.street_header, rows), limits=LIMITS)
    padded = [[f"  {v} " for v in row] for row in rows]
    reordered = [list(reversed(r)) for r in padded]
    second = parse_file(
        write_csv("b.csv", list(reversed(samples.street_header)), reordered), limits=LIMITS
    )
    keys = first.row_keys
    assert len(set(keys)) == 3
    assert second.row_keys == keys


def test_a_byte_order_mark_does_not_hide_the_first_column(samples, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text(
        "\ufeff" + ",".join(samples.street_header) + "\n" + ",".join(samples.street()) + "\n",
        encoding="utf-8",
    )
    parsed = parse_file(path, limits=LIMITS)
    assert parsed.kind is STREET_CRIME and parsed.good.num_rows == 1
    assert parsed.good.column("crime_id").to_pylist() == ["c0ffee01"]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no header row"):
        parse_file(path, limits=LIMITS)


def test_the_default_report_sits_next_to_the_input():
    assert default_report_path(Path("/in/2024-01-x-street.csv")) == Path(
        "/in/2024-01-x-street.rejected.csv"
    )
