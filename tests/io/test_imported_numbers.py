"""Imported contacts (force export) and contacts the telephony feed made are linked to
`telephone_numbers` like contacts taken here: the number normalised (E.164, the policy's
region for national numbers), so search and the repeat rules by number find them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import START, FakeClock
from watchhouse.db.tables import ContactRow, TelephoneNumberRow
from watchhouse.domain.records import NewContact
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.telephony import CallEvent, CallEventKind
from watchhouse.domain.values import Channel
from watchhouse.io.force_mapping import parse_mapping
from watchhouse.services import contacts, imports, telephony
from watchhouse.services.context import AppContext
from watchhouse.services.search import search

pytestmark = pytest.mark.integration

MAPPING = parse_mapping(
    {
        "source": "cad",
        "columns": {
            "external_ref": "Ref",
            "presented_at": "Start",
            "answered_at": "Answered",
            "caller_telephone": "CLI",
        },
        "defaults": {"channel": "101"},
        "formats": {"datetime": "%Y-%m-%d %H:%M:%S"},
    }
)


def _export(tmp_path: Path, delimiter: str = ",") -> Path:
    day = (START - timedelta(days=2)).strftime("%Y-%m-%d")
    rows = [
        ("R1", f"{day} 09:00:00", f"{day} 09:00:30", "07700 900123"),
        ("R2", f"{day} 10:00:00", f"{day} 10:00:30", "+44 7700 900123"),
        ("R3", f"{day} 11:00:00", f"{day} 11:00:30", "07700900123"),
        ("R4", f"{day} 12:00:00", f"{day} 12:00:30", "not known"),
    ]
    path = tmp_path / "export.csv"
    path.write_text(
        delimiter.join(("Ref", "Start", "Answered", "CLI"))
        + "\n"
        + "".join(delimiter.join(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _numbers(ctx: AppContext) -> dict[str, str | None]:
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(ContactRow.external_ref, TelephoneNumberRow.number).outerjoin(
                TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id
            )
        )
        return {ref or "": number for ref, number in rows}


# "," is read column by column (Arrow); ";" (another delimiter) row by row: both link.
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_imported_contacts_are_linked_to_their_normalised_number_and_found_by_it(
    ctx: AppContext,
    actors: dict[Role, Actor],
    tmp_path: Path,
    clock: FakeClock,
    delimiter: str,
) -> None:
    admin = actors[Role.ADMINISTRATOR]
    mapping = replace(MAPPING, delimiter=delimiter)
    path = _export(tmp_path, delimiter)
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=mapping)
    assert result.rows_added == 4
    assert _numbers(ctx) == {
        "R1": "+447700900123",
        "R2": "+447700900123",
        "R3": "+447700900123",
        "R4": None,  # not a number: kept as given, linked to none
    }
    found = search(
        ctx, actor=actors[Role.SUPERVISOR], text="07700 900123", justification="supervision: test"
    )
    assert sum(1 for hit in found.hits if hit.record_type == "contact") == 3
    # A handler takes a fourth call from the number: with the three imported ones it crosses
    # the policy's rule (more than 3 contacts within 7 days) by telephone number.
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            presented_at=clock(),
            answered_at=clock(),
            telephone="07700 900123",
            summary="again",
        ),
    )
    view = contacts.get_contact(
        ctx, actor=handler, contact_id=taken.contact_id, justification="test"
    )
    assert RepeatBasis.TELEPHONE in {f.basis for f in view.repeat_findings}
    with ctx.db.transaction() as session:
        assert session.query(TelephoneNumberRow).count() == 1


def test_a_contact_the_feed_made_is_linked_by_the_policys_region(
    ctx: AppContext, actors: dict[Role, Actor]
) -> None:
    telephony.record_event(
        ctx,
        actor=actors[Role.TELEPHONY_SYSTEM],
        event=CallEvent(
            "PBX-1",
            CallEventKind.PRESENTED,
            START,
            channel=Channel.EMERGENCY_999,
            caller_number="07700 900456",
        ),
    )
    assert _numbers(ctx) == {"PBX-1": "+447700900456"}
