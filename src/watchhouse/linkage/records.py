"""Contact records made ready to link: names cleaned, numbers in E.164, postcodes normalised,
and identical records folded into one *signature* (frequent callers give the same details
again and again; linking each distinct record once is much cheaper and gives the same
clusters)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.domain.identifiers import postcode_or_none, telephone_or_none
from watchhouse.domain.identity import (
    clean_name,
    given_name_forms,
    postcode_district,
    postcode_sector,
)

RAW_COLUMNS = ("record_id", "given_name", "family_name", "date_of_birth", "telephone", "postcode")
SIGNATURE_COLUMNS = ("given_name", "family_name", "date_text", "telephone", "postcode")
_DERIVED = ("unique_id", "given_forms", "postcode_sector", "postcode_district")


def extra_columns(records: pa.Table) -> list[str]:
    """The force's extra identifiers the records carry (policy `[identity]
    extra_identifiers`): every column beyond the record id, the five compared fields and the
    derived ones."""
    known = {"record_id", "date_of_birth", *SIGNATURE_COLUMNS, *_DERIVED}
    return [c for c in records.column_names if c not in known]


def _each_distinct(
    values: pa.ChunkedArray | pa.Array, convert: Callable[[str], str | None]
) -> pa.Array:
    """Apply `convert` once per distinct value (dictionary-encoded), not once per row."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    converted = pa.array(
        [None if v is None else convert(v) for v in encoded.dictionary.to_pylist()], pa.string()
    )
    return converted.take(encoded.indices)


def normalise(raw: pa.Table) -> pa.Table:
    """Records as compared: one row per input record, with `record_id` kept.

    Input columns: record_id, given_name, family_name, date_of_birth (date), telephone,
    postcode, as recorded, and any extra identifiers (normalised when stored, kept as they
    are). Values that cannot be read (a number that is not a number, a postcode that is not a
    UK postcode) count as not recorded."""
    missing = [c for c in RAW_COLUMNS if c not in raw.column_names]
    if missing:
        raise ValueError(f"linkage records lack the columns {missing}")
    dates = raw.column("date_of_birth")
    return pa.table(
        {
            "record_id": raw.column("record_id"),
            "given_name": _each_distinct(raw.column("given_name"), clean_name),
            "family_name": _each_distinct(raw.column("family_name"), clean_name),
            "date_text": pc.strftime(pc.cast(dates, pa.timestamp("s")), format="%Y-%m-%d"),
            "telephone": _each_distinct(raw.column("telephone"), telephone_or_none),
            "postcode": _each_distinct(raw.column("postcode"), postcode_or_none),
            **{name: raw.column(name) for name in extra_columns(raw)},
        }
    )


def signatures(records: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """The distinct signatures (with unique_id and the derived comparison columns) and, for
    each record, the unique_id of its signature."""
    compared = [*SIGNATURE_COLUMNS, *extra_columns(records)]
    keys = [records.column(c) for c in compared]
    separator = "\x1f"
    filled = [pc.fill_null(k, "\x00") for k in keys]
    joined = pc.binary_join_element_wise(*filled, separator)
    encoded = pc.dictionary_encode(joined)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    signature_of = encoded.indices.to_numpy().astype(np.int64)
    first = np.full(len(encoded.dictionary), -1, dtype=np.int64)
    positions = np.arange(len(signature_of))
    # The first record holding each signature gives its values.
    order = np.argsort(signature_of, kind="stable")
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = signature_of[order][1:] != signature_of[order][:-1]
    first[signature_of[order][starts]] = positions[order][starts]
    distinct = records.select(compared).take(pa.array(first))
    return with_derived(distinct), signature_of


def with_derived(records: pa.Table) -> pa.Table:
    """The records' compared columns with a unique_id (row number) and the derived columns
    the comparisons use: the given name's formal forms, the postcode's sector and district
    (extra identifiers kept)."""
    table = records.select([*SIGNATURE_COLUMNS, *extra_columns(records)])
    given = table.column("given_name").to_pylist()
    postcodes = table.column("postcode").to_pylist()
    table = table.append_column("unique_id", pa.array(np.arange(table.num_rows), pa.int64()))
    table = table.append_column(
        "given_forms",
        pa.array([sorted(given_name_forms(g)) or None for g in given], pa.list_(pa.string())),
    )
    table = table.append_column(
        "postcode_sector", pa.array([postcode_sector(p) for p in postcodes], pa.string())
    )
    table = table.append_column(
        "postcode_district", pa.array([postcode_district(p) for p in postcodes], pa.string())
    )
    return table
