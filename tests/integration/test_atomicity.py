"""Each use case is one transaction: a failure part-way leaves nothing behind, a repeated
idempotency key creates nothing new, and refused input stores nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from support import KNIFE
from watchhouse.db.repositories import contacts as contact_repo
from watchhouse.db.tables import (
    AccessLogRow,
    ContactRow,
    IncidentRow,
    LocationRow,
    PartnerReferralRow,
    PersonRow,
    PersonTelephoneRow,
    TelephoneNumberRow,
    ThriveAssessmentRow,
)
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import access, contacts, incidents

pytestmark = pytest.mark.integration

CALLER_TABLES = {
    "contacts": ContactRow,
    "people": PersonRow,
    "telephone_numbers": TelephoneNumberRow,
    "person_telephones": PersonTelephoneRow,
    "locations": LocationRow,
}
ALL_TABLES = {
    **CALLER_TABLES,
    "thrive_assessments": ThriveAssessmentRow,
    "incidents": IncidentRow,
    "partner_referrals": PartnerReferralRow,
    "access_log": AccessLogRow,
}
PARTNER = ThriveAssessment(
    Level.NONE, Level.LOW, Level.NONE, Level.NONE, Level.LOW, Engagement.PARTNER_AGENCY
)


class LogStoreDown(RuntimeError):
    """The failure the tests inject."""


def _counts(session: Session, tables: dict[str, type] = ALL_TABLES) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(row)) or 0
        for name, row in tables.items()
    }


def _stored(ctx, tables: dict[str, type] = ALL_TABLES) -> dict[str, int]:
    with ctx.db.transaction() as session:
        return _counts(session, tables)


def _full_call(neighbourhood: str = "central", **fields: object) -> NewContact:
    values: dict[str, object] = {
        "channel": Channel.EMERGENCY_999,
        "summary": "Man with a knife in the street",
        "caller_given_name": "Sam",
        "caller_family_name": "Lowe",
        "date_of_birth": date(1980, 6, 1),
        "telephone": "07700 900123",
        "location_description": "High Street",
        "postcode": "TE1 4AB",
        "neighbourhood_code": neighbourhood,
    }
    values.update(fields)
    return NewContact(**values)  # type: ignore[arg-type]


def _failing_log(fail_on_call: int, seen: list[dict[str, int]], only: str | None = None):
    """A log_access that works until its n-th call, then raises, noting what the
    transaction held at that moment."""
    calls = {"n": 0}

    def fake(ctx, *, session: Session, record_type: str, **kwargs: object) -> None:
        if only is not None and record_type != only:
            access.log_access(ctx, session=session, record_type=record_type, **kwargs)
            return
        calls["n"] += 1
        if calls["n"] >= fail_on_call:
            session.flush()
            seen.append(_counts(session))
            raise LogStoreDown("the log store went away")
        access.log_access(ctx, session=session, record_type=record_type, **kwargs)

    return fake


def _patch_log(monkeypatch, fake) -> None:
    """Put `fake` in place of the log's writes in services.contacts: `log_access`, and
    `log_accesses` (a contact and its caller logged in one statement) entry by entry, so a
    failure can come part-way through either."""

    def many(ctx, *, session: Session, actor, entries) -> None:
        for entry in entries:
            fake(
                ctx,
                session=session,
                actor=actor,
                operation=entry.operation,
                record_type=entry.record_type,
                record_id=entry.record_id,
                justification=entry.justification,
                recipient=entry.recipient,
            )

    monkeypatch.setattr(contacts, "log_access", fake)
    monkeypatch.setattr(contacts, "log_accesses", many)


# --- take_contact -----------------------------------------------------------------------------


@pytest.mark.parametrize("fail_on_call", [1, 2], ids=["contact-log", "person-log"])
def test_failure_after_contact_person_number_and_location_were_inserted_leaves_nothing(
    ctx, actors, neighbourhoods, monkeypatch, fail_on_call
):
    seen: list[dict[str, int]] = []
    _patch_log(monkeypatch, _failing_log(fail_on_call, seen))

    with pytest.raises(LogStoreDown):
        contacts.take_contact(ctx, actor=actors[Role.CALL_HANDLER], new=_full_call())

    # Part-way: everything had been written inside the transaction...
    assert len(seen) == 1
    assert {name: seen[0][name] for name in CALLER_TABLES} == dict.fromkeys(CALLER_TABLES, 1)
    assert seen[0]["access_log"] == fail_on_call - 1
    # ...and none of it survived.
    assert _stored(ctx) == dict.fromkeys(ALL_TABLES, 0)


def test_failure_when_linking_a_known_caller_leaves_the_earlier_contact_untouched(
    ctx, actors, neighbourhoods, monkeypatch, clock
):
    handler = actors[Role.CALL_HANDLER]
    contacts.take_contact(ctx, actor=handler, new=_full_call())
    before = _stored(ctx)
    clock.advance(hours=1)
    seen: list[dict[str, int]] = []
    _patch_log(monkeypatch, _failing_log(2, seen))

    with pytest.raises(LogStoreDown):
        contacts.take_contact(
            ctx, actor=handler, new=_full_call(telephone="07700 900999", summary="again")
        )

    assert seen[0]["contacts"] == 2 and seen[0]["telephone_numbers"] == 2
    assert _stored(ctx) == before


# --- grade_contact ----------------------------------------------------------------------------


def test_failed_grading_leaves_no_incident_and_the_contact_status_unchanged(
    ctx, actors, neighbourhoods, monkeypatch
):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=_full_call())
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    before = _stored(ctx)
    seen: list[dict[str, int]] = []
    statuses: list[str] = []

    failing = _failing_log(1, seen)

    def fake(ctx_, *, session: Session, **kwargs: object) -> None:
        statuses.append(
            session.execute(
                text("SELECT status FROM contacts WHERE id = :id"), {"id": taken.contact_id}
            ).scalar_one()
        )
        failing(ctx_, session=session, **kwargs)

    monkeypatch.setattr(contacts, "log_access", fake)

    with pytest.raises(LogStoreDown):
        contacts.grade_contact(
            ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
        )

    assert seen[0]["incidents"] == 1 and statuses == ["graded"]
    assert _stored(ctx) == before
    assert before["incidents"] == 0
    with ctx.db.transaction() as session:
        row = session.get(ContactRow, taken.contact_id)
        assert row is not None
        assert row.status == "assessed"
        assert row.ended_at is None

    # Once the log is back, grading works and makes exactly one incident.
    monkeypatch.undo()
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
    )
    assert _stored(ctx)["incidents"] == 1
    assert incident_id > 0


def test_failed_referral_leaves_no_referral_no_disclosure_and_the_incident_open(
    ctx, actors, monkeypatch
):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx, actor=handler, new=NewContact(channel=Channel.LIVE_CHAT, summary="Worried")
    )
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=PARTNER, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT
    )
    before = _stored(ctx)
    seen: list[dict[str, int]] = []
    # The disclosure is logged, then the last log call (the incident's alteration) fails.
    monkeypatch.setattr(contacts, "log_access", _failing_log(1, seen, only="incident"))

    with pytest.raises(LogStoreDown):
        contacts.resolve_contact(
            ctx,
            actor=handler,
            contact_id=taken.contact_id,
            outcome=Closure.REFERRED_TO_PARTNER,
            agency_code="mental_health",
            note="crisis team",
        )

    assert seen[0]["partner_referrals"] == 1
    assert seen[0]["access_log"] == before["access_log"] + 1
    assert _stored(ctx) == before
    with ctx.db.transaction() as session:
        incident = session.get(IncidentRow, incident_id)
        contact = session.get(ContactRow, taken.contact_id)
        assert incident is not None and contact is not None
        assert incident.closed_at is None and incident.closure is None
        assert contact.status == "awaiting_resolution"


def test_failed_deployment_leaves_the_incident_undeployed(ctx, actors, neighbourhoods, monkeypatch):
    handler, dispatcher = actors[Role.CALL_HANDLER], actors[Role.DISPATCHER]
    taken = contacts.take_contact(ctx, actor=handler, new=_full_call())
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
    )
    seen: list[dict[str, int]] = []
    monkeypatch.setattr(incidents, "log_access", _failing_log(1, seen))

    with pytest.raises(LogStoreDown):
        incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")

    with ctx.db.transaction() as session:
        row = session.get(IncidentRow, incident_id)
        assert row is not None
        assert row.deployed_at is None and row.deployed_unit is None
        assert row.status == "open"
    assert seen[0]["incidents"] == 1


# --- idempotency ------------------------------------------------------------------------------


def test_same_idempotency_key_twice_gives_the_same_contact_and_one_row(
    ctx, actors, neighbourhoods, clock
):
    handler = actors[Role.CALL_HANDLER]
    first = contacts.take_contact(ctx, actor=handler, new=_full_call(), idempotency_key="call-1")
    after_first = _stored(ctx)
    clock.advance(seconds=30)
    second = contacts.take_contact(
        ctx, actor=handler, new=_full_call(), idempotency_key="  call-1  "
    )

    assert first.created is True
    assert second.created is False
    assert second.contact_id == first.contact_id
    assert _stored(ctx) == after_first
    assert after_first["contacts"] == 1
    # A different key is a different contact.
    third = contacts.take_contact(ctx, actor=handler, new=_full_call(), idempotency_key="call-2")
    assert third.created is True and third.contact_id != first.contact_id


def test_a_key_that_lands_while_a_twin_request_commits_returns_the_twin(
    ctx, actors, neighbourhoods, monkeypatch
):
    """The twin committed between this request's look-up and its insert: the unique key
    catches it, the partial work rolls back, and the twin's id is returned."""
    handler = actors[Role.CALL_HANDLER]
    first = contacts.take_contact(ctx, actor=handler, new=_full_call(), idempotency_key="k")
    before = _stored(ctx)
    real = contact_repo.write_lookups
    lookups = {"n": 0}

    def stale_lookup(**given):  # type: ignore[no-untyped-def]
        lookups["n"] += 1
        return dataclasses.replace(real(**given), keyed=None)

    monkeypatch.setattr(contact_repo, "write_lookups", stale_lookup)
    again = contacts.take_contact(ctx, actor=handler, new=_full_call(), idempotency_key="k")

    assert lookups["n"] == 1
    assert again.contact_id == first.contact_id and again.created is False
    assert _stored(ctx) == before


def test_the_key_the_neighbourhood_and_the_models_run_are_looked_up_in_one_statement(
    ctx, actors, neighbourhoods
):
    handler = actors[Role.CALL_HANDLER]
    contacts.take_contact(ctx, actor=handler, new=_full_call(), idempotency_key="call-1")
    reading: list[str] = []

    def seen(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            reading.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", seen)
    try:
        again = contacts.take_contact(
            ctx, actor=handler, new=_full_call(), idempotency_key="call-2"
        )
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", seen)

    assert again.created is True
    for part in ("idempotency_key", " neighbourhoods ", "identity_runs"):
        assert len([s for s in reading if part in s]) == 1, part
    assert len([s for s in reading if "identity_runs" in s and " neighbourhoods " in s]) == 1


def test_an_over_long_idempotency_key_is_refused(ctx, actors):
    with pytest.raises(ValidationFailed) as refused:
        contacts.take_contact(
            ctx,
            actor=actors[Role.CALL_HANDLER],
            new=NewContact(channel=Channel.LIVE_CHAT, summary="x"),
            idempotency_key="k" * 121,
        )
    assert [p.field for p in refused.value.problems] == ["Idempotency-Key"]
    assert _stored(ctx) == dict.fromkeys(ALL_TABLES, 0)


# --- refused input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"presented_at": "future"}, "presented_at"),
        ({"telephone": "12"}, "telephone"),
        ({"telephone": "not a number"}, "telephone"),
        ({"neighbourhood_code": "atlantis"}, "neighbourhood_code"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
    ],
    ids=[
        "future-presented_at",
        "short-telephone",
        "text-telephone",
        "unknown-neighbourhood",
        "postcode",
    ],
)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    ctx, actors, neighbourhoods, clock, change, field
):
    if change.get("presented_at") == "future":
        change = {"presented_at": clock() + timedelta(hours=1)}
    with pytest.raises(ValidationFailed) as refused:
        contacts.take_contact(ctx, actor=actors[Role.CALL_HANDLER], new=_full_call(**change))
    assert [p.field for p in refused.value.problems] == [field]
    assert field in str(refused.value)
    assert _stored(ctx) == dict.fromkeys(ALL_TABLES, 0)


def test_several_bad_fields_are_named_together_and_nothing_is_stored(
    ctx, actors, neighbourhoods, clock
):
    with pytest.raises(ValidationFailed) as refused:
        contacts.take_contact(
            ctx,
            actor=actors[Role.CALL_HANDLER],
            new=_full_call(
                presented_at=clock() + timedelta(hours=1),
                telephone="12",
                neighbourhood_code="atlantis",
            ),
        )
    fields = [p.field for p in refused.value.problems]
    # The unknown neighbourhood is only looked up once the input itself is valid.
    assert fields == ["presented_at", "telephone"]
    assert _stored(ctx) == dict.fromkeys(ALL_TABLES, 0)
