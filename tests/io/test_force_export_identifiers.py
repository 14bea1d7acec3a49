"""A force export's own identifier columns (PNC ID, email) mapped to the identifiers policy
declares: kept with each contact, normalised, taken out of the attributes; a mapping naming
an identifier policy does not declare is refused; a re-run adds nothing."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from watchhouse.db.tables import ContactIdentifierRow, ContactRow
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


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "cad.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


@pytest.mark.usefixtures("neighbourhoods")
def test_identifier_columns_are_kept_normalised_once_and_not_as_attributes(ctx, admin, tmp_path):
    force = _force(
        ctx,
        ExtraIdentifier(name="pnc_id", kind="identifier"),
        ExtraIdentifier(name="email", kind="email"),
    )
    path, mapping = _file(tmp_path), parse_mapping(MAPPING)
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
