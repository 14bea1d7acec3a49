"""DPA 2018 s.62: every operation on personal data leaves the right log entry, consultations
need a justification when the policy says so, and the log cannot be changed or deleted."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from support import KNIFE
from watchhouse.db.repositories import access_log
from watchhouse.db.tables import AccessLogRow
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.policy import load_policy
from watchhouse.services import contacts, incidents, people
from watchhouse.services.access import export_access_log_csv

pytestmark = pytest.mark.integration

PARTNER = ThriveAssessment(
    Level.NONE, Level.LOW, Level.NONE, Level.NONE, Level.LOW, Engagement.PARTNER_AGENCY
)


class Entry(NamedTuple):
    """The parts of a log row a test compares."""

    username: str
    operation: str
    record_type: str
    record_id: str
    justification: str | None
    recipient: str | None


def _log(ctx) -> list[Entry]:
    with ctx.db.transaction() as session:
        rows = session.scalars(select(AccessLogRow).order_by(AccessLogRow.id)).all()
        return [
            Entry(
                r.username,
                r.operation,
                r.record_type,
                r.record_id,
                r.justification,
                r.recipient,
            )
            for r in rows
        ]


def _raw_log(ctx) -> list[tuple]:
    with ctx.db.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                text(
                    "SELECT id, at, user_id, username, operation, record_type, record_id, "
                    "justification, recipient FROM access_log ORDER BY id"
                )
            )
        ]


def _caller(**fields: object) -> NewContact:
    values: dict[str, object] = {
        "channel": Channel.NON_EMERGENCY_101,
        "summary": "Youths shouting outside",
        "caller_given_name": "Jean",
        "caller_family_name": "Harper",
        "date_of_birth": date(1951, 4, 2),
        "telephone": "01632 960123",
    }
    values.update(fields)
    return NewContact(**values)  # type: ignore[arg-type]


# --- collection and combination ---------------------------------------------------------------


def test_take_contact_logs_collection_of_contact_and_of_new_person(ctx, actors, clock):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=_caller())
    view = contacts.get_contact(ctx, actor=handler, contact_id=taken.contact_id, justification="j")
    assert view.person is not None
    assert _log(ctx)[:2] == [
        Entry("call_handler", "collection", "contact", str(taken.contact_id), None, None),
        Entry("call_handler", "collection", "person", str(view.person.id), None, None),
    ]
    # Who and when: the acting user's id and the context's clock.
    first = _raw_log(ctx)[0]
    assert first[2] == handler.user_id
    with ctx.db.transaction() as session:
        row = session.scalars(select(AccessLogRow).order_by(AccessLogRow.id)).first()
        assert row is not None and row.at == clock()


def test_take_contact_without_a_caller_logs_only_the_contact(ctx, actors):
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.LIVE_CHAT, summary="Anonymous report of drug dealing"),
    )
    assert _log(ctx) == [
        Entry("call_handler", "collection", "contact", str(taken.contact_id), None, None)
    ]


def test_second_contact_with_same_name_and_date_of_birth_logs_combination_of_person(
    ctx, actors, clock
):
    handler = actors[Role.CALL_HANDLER]
    first = contacts.take_contact(ctx, actor=handler, new=_caller())
    clock.advance(hours=1)
    second = contacts.take_contact(
        ctx,
        actor=handler,
        new=_caller(
            caller_given_name="JEAN", telephone="", summary="Calling again about the youths"
        ),
    )
    view = contacts.get_contact(ctx, actor=handler, contact_id=second.contact_id, justification="j")
    assert view.person is not None
    person_id = str(view.person.id)
    log = _log(ctx)
    assert log[:4] == [
        Entry("call_handler", "collection", "contact", str(first.contact_id), None, None),
        Entry("call_handler", "collection", "person", person_id, None, None),
        Entry("call_handler", "collection", "contact", str(second.contact_id), None, None),
        Entry(
            "call_handler",
            "combination",
            "person",
            person_id,
            f"contact {second.contact_id} linked to person",
            None,
        ),
    ]
    # No second person was collected.
    assert [e for e in log if e.operation == "collection" and e.record_type == "person"] == [log[1]]


# --- consultation -----------------------------------------------------------------------------


def test_get_contact_logs_consultation_with_the_justification(ctx, actors):
    handler, supervisor = actors[Role.CALL_HANDLER], actors[Role.SUPERVISOR]
    taken = contacts.take_contact(ctx, actor=handler, new=_caller())
    before = len(_log(ctx))
    contacts.get_contact(
        ctx,
        actor=supervisor,
        contact_id=taken.contact_id,
        justification="  quality review of call  ",
    )
    assert _log(ctx)[before:] == [
        Entry(
            "supervisor",
            "consultation",
            "contact",
            str(taken.contact_id),
            "quality review of call",
            None,
        )
    ]


def test_get_person_logs_consultation_with_the_justification(ctx, actors):
    handler, investigator = actors[Role.CALL_HANDLER], actors[Role.INVESTIGATOR]
    taken = contacts.take_contact(ctx, actor=handler, new=_caller())
    person = contacts.get_contact(
        ctx, actor=handler, contact_id=taken.contact_id, justification="j"
    ).person
    assert person is not None
    before = len(_log(ctx))
    history = people.get_person(
        ctx, actor=investigator, person_id=person.id, justification="repeat victim check"
    )
    assert [c.id for c in history.contacts] == [taken.contact_id]
    assert _log(ctx)[before:] == [
        Entry("investigator", "consultation", "person", str(person.id), "repeat victim check", None)
    ]


# --- alteration and collection along the incident ---------------------------------------------


def test_assess_grade_deploy_and_arrival_log_alteration_and_collection(
    ctx, actors, neighbourhoods, clock
):
    handler, dispatcher = actors[Role.CALL_HANDLER], actors[Role.DISPATCHER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=_caller(
            channel=Channel.EMERGENCY_999,
            location_description="High Street",
            neighbourhood_code=neighbourhoods["urban"],
        ),
    )
    cid = str(taken.contact_id)
    before = len(_log(ctx))
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.EMERGENCY
    )
    iid = str(incident_id)
    incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")
    clock.advance(minutes=8)
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )
    incidents.close_incident(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        closure=Closure.RESOLVED_AT_SCENE,
        reason="offender_dealt_with",
        note="words of advice",
    )
    assert _log(ctx)[before:] == [
        Entry("call_handler", "alteration", "contact", cid, None, None),
        Entry("call_handler", "collection", "incident", iid, None, None),
        Entry("dispatcher", "alteration", "incident", iid, None, None),
        Entry("dispatcher", "alteration", "incident", iid, None, None),
        Entry("dispatcher", "alteration", "incident", iid, None, None),
    ]


# --- disclosure -------------------------------------------------------------------------------


def test_referral_to_a_partner_logs_disclosure_with_the_recipient(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(channel=Channel.LIVE_CHAT, summary="Worried about neighbour"),
    )
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=PARTNER, notes={}
    )
    contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT
    )
    before = len(_log(ctx))
    incident_id = contacts.resolve_contact(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        outcome=Closure.REFERRED_TO_PARTNER,
        agency_code="mental_health",
        note="crisis team to call",
    )
    assert _log(ctx)[before:] == [
        Entry(
            "call_handler",
            "disclosure",
            "contact",
            str(taken.contact_id),
            "referral to partner agency: crisis team to call",
            "Mental health services",
        ),
        Entry("call_handler", "alteration", "incident", str(incident_id), None, None),
    ]


def test_resolving_without_referral_discloses_nothing(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx, actor=handler, new=NewContact(channel=Channel.LIVE_CHAT, summary="Lost dog")
    )
    contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=PARTNER, notes={}
    )
    contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT
    )
    contacts.resolve_contact(
        ctx,
        actor=handler,
        contact_id=taken.contact_id,
        outcome=Closure.RESOLVED_WITHOUT_DEPLOYMENT,
        note="advice given",
    )
    assert [e for e in _log(ctx) if e.operation == "disclosure"] == []


def test_export_of_the_access_log_is_logged_as_disclosure_and_returns_the_rows_as_csv(
    ctx, actors, clock
):
    handler, auditor = actors[Role.CALL_HANDLER], actors[Role.AUDITOR]
    taken = contacts.take_contact(ctx, actor=handler, new=_caller())
    clock.advance(minutes=5)
    contacts.get_contact(ctx, actor=handler, contact_id=taken.contact_id, justification="why")
    clock.advance(minutes=5)
    logged_before = _log(ctx)
    assert len(logged_before) == 3

    exported = export_access_log_csv(
        ctx,
        actor=auditor,
        query=AccessQuery(username="call_handler"),
        justification="IOPC request 42",
        recipient="Independent Office for Police Conduct",
    )

    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == [
        "id",
        "at_utc",
        "username",
        "operation",
        "record_type",
        "record_id",
        "justification",
        "recipient",
    ]
    # Newest first, every matching row, times in UTC.
    assert [(r["operation"], r["record_type"], r["record_id"]) for r in rows] == [
        (e.operation, e.record_type, e.record_id) for e in reversed(logged_before)
    ]
    assert rows[0]["justification"] == "why"
    assert all(r["at_utc"].endswith("+00:00") for r in rows)
    assert rows[0]["at_utc"] == (clock() - timedelta(minutes=5)).isoformat()

    log = _log(ctx)
    assert log[:3] == logged_before
    assert log[3:] == [
        Entry(
            "auditor",
            "disclosure",
            "access_log",
            "3 entries",
            "IOPC request 42",
            "Independent Office for Police Conduct",
        )
    ]


# --- the justification switch -----------------------------------------------------------------


@pytest.mark.parametrize("justification", [None, "", "   "])
def test_consultation_without_justification_is_refused_by_default_and_logs_nothing(
    ctx, actors, justification
):
    assert ctx.policy.access_log.require_justification is True
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(ctx, actor=handler, new=_caller())
    person_id = int(_log(ctx)[1].record_id)
    before = _raw_log(ctx)

    # Not their own work (issue 16, item 5): a supervisor who did not take the contact.
    supervisor = actors[Role.SUPERVISOR]
    with pytest.raises(ValidationFailed) as refused:
        contacts.get_contact(
            ctx, actor=supervisor, contact_id=taken.contact_id, justification=justification
        )
    assert [p.field for p in refused.value.problems] == ["justification"]
    with pytest.raises(ValidationFailed) as refused:
        people.get_person(ctx, actor=supervisor, person_id=person_id, justification=justification)
    assert [p.field for p in refused.value.problems] == ["justification"]
    with pytest.raises(ValidationFailed) as refused:
        export_access_log_csv(
            ctx, actor=handler, query=AccessQuery(), justification=justification or "", recipient=""
        )
    assert [p.field for p in refused.value.problems] == ["justification"]
    assert _raw_log(ctx) == before


def test_consultation_without_justification_is_allowed_when_policy_switches_it_off(
    ctx, actors, tmp_path
):
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text("[access_log]\nrequire_justification = false\n", encoding="utf-8")
    relaxed = dataclasses.replace(ctx, policy=load_policy(policy_file))
    assert relaxed.policy.access_log.require_justification is False
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(relaxed, actor=handler, new=_caller())
    person_id = int(_log(ctx)[1].record_id)
    before = len(_log(ctx))

    supervisor = actors[Role.SUPERVISOR]
    contacts.get_contact(relaxed, actor=supervisor, contact_id=taken.contact_id, justification=None)
    people.get_person(relaxed, actor=supervisor, person_id=person_id, justification="  ")

    assert _log(ctx)[before:] == [
        Entry("supervisor", "consultation", "contact", str(taken.contact_id), None, None),
        Entry("supervisor", "consultation", "person", str(person_id), None, None),
    ]


def test_policy_switch_via_model_copy_gives_the_same_result(ctx, actors):
    relaxed = dataclasses.replace(
        ctx,
        policy=ctx.policy.model_copy(
            update={
                "access_log": ctx.policy.access_log.model_copy(
                    update={"require_justification": False}
                )
            }
        ),
    )
    handler, supervisor = actors[Role.CALL_HANDLER], actors[Role.SUPERVISOR]
    taken = contacts.take_contact(relaxed, actor=handler, new=_caller())
    contacts.get_contact(relaxed, actor=supervisor, contact_id=taken.contact_id, justification=None)
    assert _log(ctx)[-1] == Entry(
        "supervisor", "consultation", "contact", str(taken.contact_id), None, None
    )
    # The original context still insists (the contact is not the supervisor's own work).
    with pytest.raises(ValidationFailed):
        contacts.get_contact(ctx, actor=supervisor, contact_id=taken.contact_id, justification=None)


# --- append-only at the database level --------------------------------------------------------


def _some_log(ctx, actors) -> list[tuple]:
    contacts.take_contact(ctx, actor=actors[Role.CALL_HANDLER], new=_caller())
    rows = _raw_log(ctx)
    assert len(rows) == 2
    return rows


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET justification = 'tampered' WHERE id = :id",
        "UPDATE access_log SET username = 'someone_else'",
        "DELETE FROM access_log WHERE id = :id",
        "DELETE FROM access_log",
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all"],
)
def test_raw_update_or_delete_on_the_access_log_is_refused_and_rows_are_unchanged(
    ctx, actors, statement
):
    before = _some_log(ctx, actors)
    with pytest.raises(DBAPIError) as refused, ctx.db.engine.begin() as connection:
        connection.execute(text(statement), {"id": before[0][0]})
    assert "append-only" in str(refused.value)
    assert _raw_log(ctx) == before


def test_the_access_log_can_still_be_appended_to(ctx, actors, clock):
    before = _some_log(ctx, actors)
    clock.advance(minutes=1)
    contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.LIVE_CHAT, summary="Another report"),
    )
    after = _raw_log(ctx)
    assert after[:2] == before
    assert len(after) == 3


def test_truncating_the_access_log_is_refused_on_postgresql(ctx, actors, database):
    if database.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE, refused above")
    handler = actors[Role.CALL_HANDLER]
    contacts.take_contact(
        ctx, actor=handler, new=NewContact(channel=Channel.LIVE_CHAT, summary="Lost dog")
    )
    before = len(_log(ctx))
    with pytest.raises(DBAPIError) as refused, ctx.db.engine.begin() as connection:
        connection.execute(text("TRUNCATE access_log"))
    assert "append-only" in str(refused.value)
    assert len(_log(ctx)) == before > 0


def test_several_entries_are_appended_by_one_statement_compiled_once(ctx):
    at = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)
    entries = [
        access_log.Appended(at, None, "load", Operation.COLLECTION, "contact", str(n), None)
        for n in range(2)
    ]
    caching: list[str] = []

    def seen(_conn, _cursor, _statement, _parameters, context, _many):  # type: ignore[no-untyped-def]
        caching.append(context.cache_hit.name)

    event.listen(ctx.db.engine, "before_cursor_execute", seen)
    try:
        for _ in range(2):
            with ctx.db.transaction() as session:
                access_log.append_many(session=session, entries=entries)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", seen)

    # The second write reuses the first's compiled statement (no compiling on every write).
    assert caching[-1] == "CACHE_HIT"
    with ctx.db.transaction() as session:
        stored = session.execute(
            select(AccessLogRow.record_id, AccessLogRow.at).where(AccessLogRow.username == "load")
        ).all()
    assert sorted(r.record_id for r in stored) == ["0", "0", "1", "1"]
    assert {r.at.replace(tzinfo=r.at.tzinfo or UTC) for r in stored} == {at}
