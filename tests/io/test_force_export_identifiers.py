"""A force export's own identifier columns (PNC ID, email) mapped to the identifiers policy
declares: kept with each contact, normalised, taken out of the attributes; a mapping naming
an identifier policy does not declare is refused; a re-run adds nothing."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from watchhouse.db.tables import ContactIdentifierRow, ContactRow
from watchhouse.domain.values import Channel
from watchhouse.io.force_export import ForceRecord, table_of, take_attribute_columns
from watchhouse.io.force_mapping import MappingError, parse_mapping
from watchhouse.policy.model import ExtraIdentifier
from watchhouse.services import imports

MAPPING = {
    "source": "cad",
    "columns": {
        "external_ref": "Ref",
        "presented_at": "Received",
        "caller_given_name": "Forename",
        "caller_family_name": "Surname",
    },
    "defaults": {"channel": "101", "settlement": "urban"},
    "identifiers": {"pnc_id": "PNC", "email": "Email"},
    "attributes": ["*"],
}
HEADER = ["Ref", "Received", "Forename", "Surname", "PNC", "Email", "Beat"]
ROWS = [
    ["A1", "2025-01-06 10:00:00", "Siobhan", "Mulcahy", "19/0045127 K", "S.M@Example.org", "K2"],
    ["A2", "2025-01-07 11:00:00", "Aled", "Prydderch", "", "", "K3"],
]


def _force(ctx, *extra):  # type: ignore[no-untyped-def]
    chosen = ctx.policy.identity.model_copy(update={"extra_identifiers": list(extra)})
    return replace(ctx, policy=ctx.policy.model_copy(update={"identity": chosen}))


def _file(tmp_path: Path, delimiter: str = ",") -> Path:
    path = tmp_path / "cad.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


# "," is read column by column (Arrow); ";" (another delimiter) row by row: the same result.
@pytest.mark.usefixtures("neighbourhoods")
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_identifier_columns_are_kept_normalised_once_and_not_as_attributes(
    ctx, admin, tmp_path, delimiter
):
    force = _force(
        ctx,
        ExtraIdentifier(name="pnc_id", kind="identifier"),
        ExtraIdentifier(name="email", kind="email"),
    )
    path = _file(tmp_path, delimiter)
    mapping = parse_mapping({**MAPPING, "delimiter": delimiter})
    first = imports.import_force_export(force, actor=admin, path=path, mapping=mapping)
    again = imports.import_force_export(force, actor=admin, path=path, mapping=mapping)
    assert (first.rows_added, again.rows_added, again.rows_duplicate) == (2, 0, 2)
    with ctx.db.transaction() as session:
        kept = {
            (ref, name): value
            for ref, name, value in session.execute(
                select(
                    ContactRow.external_ref, ContactIdentifierRow.name, ContactIdentifierRow.value
                ).join(ContactRow, ContactRow.id == ContactIdentifierRow.contact_id)
            )
        }
        attributes = {
            ref: attrs
            for ref, attrs in session.execute(
                select(ContactRow.external_ref, ContactRow.attributes)
            )
        }
    assert kept == {("A1", "pnc_id"): "190045127K", ("A1", "email"): "s.m@example.org"}
    assert attributes == {"A1": {"Beat": "K2"}, "A2": {"Beat": "K3"}}


@pytest.mark.usefixtures("neighbourhoods")
def test_a_mapping_naming_an_undeclared_identifier_is_refused(ctx, admin, tmp_path):
    force = _force(ctx, ExtraIdentifier(name="pnc_id", kind="identifier"))
    with pytest.raises(MappingError) as refused:
        imports.import_force_export(
            force, actor=admin, path=_file(tmp_path), mapping=parse_mapping(MAPPING)
        )
    assert refused.value.key == "identifiers.email"
    assert "it keeps: pnc_id" in refused.value.reason
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 0


@pytest.mark.parametrize(
    "attributes",
    [
        {"PNC": "1", "Beat": "K2"},
        {"Beat": "K2", "PNC": "1"},
        {"Beat": 'say ", "PNC": "x', "PNC": 'a\\", "b', "Email": "e\\"},
        {"PNC": "only"},
        {"Email": "e@x", "PNC": "p\n\t\u0001{}", "Beat": "\\"},
        None,
    ],
)
def test_identifier_values_are_read_and_taken_out_of_the_attributes_as_json_would(attributes):
    # The Arrow reading of the attributes' JSON text against json.loads, row by row.
    at = datetime(2025, 1, 6, 10, tzinfo=UTC)
    table = table_of(
        [
            ForceRecord(2, "A1", Channel.NON_EMERGENCY_101, at, attributes=attributes),
            ForceRecord(3, "A2", Channel.NON_EMERGENCY_101, at),
        ]
    )
    kept, values = take_attribute_columns(table, ["PNC", "Email"], keep={"Email"})
    given = attributes or {}
    assert values["PNC"].to_pylist() == [given.get("PNC"), None]
    assert values["Email"].to_pylist() == [given.get("Email"), None]
    left = {k: v for k, v in given.items() if k != "PNC"} or None
    stored = kept.column("attributes").to_pylist()
    assert [None if s is None else json.loads(s) for s in stored] == [left, None]
