"""An imported record's page: where it came from, fields the source never held shown as "not
recorded", and the export's other fields kept and shown."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow, IncidentRow
from watchhouse.domain.roles import Role
from watchhouse.io.force_mapping import parse_mapping
from watchhouse.services import imports

pytestmark = pytest.mark.integration

MAPPING = {
    "source": "cad",
    "columns": {
        "external_ref": "Ref",
        "presented_at": "Received",
        "grade": "Priority",
        "incident_arrived_at": "Arrived",
        "origin": "Type",
    },
    "defaults": {"channel": "999", "settlement": "urban"},
    "codes": {"grade": {"1": 1}, "origin": {"ONVIEW": "officer_initiated", "*": "public"}},
    "attributes": ["*"],
}


def test_an_imported_officer_initiated_incident_shows_its_origin_gaps_and_other_fields(
    ctx, actors, client_as, neighbourhoods, tmp_path
):
    path = tmp_path / "cad.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Ref", "Received", "Priority", "Arrived", "Type", "Beat", "Disposition"])
        writer.writerow(
            ["X1", "2025-01-06 10:00:00", "1", "2025-01-06 10:09:00", "ONVIEW", "K2", "ARREST"]
        )
    imports.import_force_export(
        ctx, actor=actors[Role.ADMINISTRATOR], path=path, mapping=parse_mapping(MAPPING)
    )
    with ctx.db.transaction() as session:
        contact_id = session.scalar(select(ContactRow.id))
        incident_id = session.scalar(select(IncidentRow.id))
    supervisor = client_as(Role.SUPERVISOR)
    page = supervisor.client.get(f"/contacts/{contact_id}").text
    assert "started by the force (officer initiated), not a public contact" in page
    assert "not recorded (the source did not hold it)" in page
    assert "<dt>Beat</dt><dd>K2</dd><dt>Disposition</dt><dd>ARREST</dd>" in page
    incident = supervisor.client.get(f"/incidents/{incident_id}").text
    assert "body-worn video not recorded" in incident
