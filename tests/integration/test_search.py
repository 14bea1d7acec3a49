"""Issue 15, point 15: one search box finds records by reference, telephone number and name,
says how many it shows, logs every record shown, and lists a person's own recent work."""

from __future__ import annotations

import pytest

from support import KNIFE, knife_incident
from watchhouse.db.repositories import places
from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.search import SearchKind
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import access, contacts, incidents, search

pytestmark = pytest.mark.integration

WHY = "supervision: test of the search"


def _contact(ctx, actors, *, telephone: str = "", given: str = "", family: str = "") -> int:  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Noise",
            telephone=telephone,
            caller_given_name=given,
            caller_family_name=family,
        ),
    ).contact_id


def test_a_number_typed_nationally_or_with_plus_44_finds_the_same_contact(ctx, actors):
    wanted = _contact(ctx, actors, telephone="07700 900123")
    _contact(ctx, actors, telephone="07700 900999")
    handler = actors[Role.CALL_HANDLER]
    for typed in ("07700 900123", "+44 7700 900123", "(07700) 900-123", "+447700900123"):
        result = search.search(ctx, actor=handler, text=typed, justification=WHY)
        assert result.query.kind is SearchKind.TELEPHONE
        assert [(h.record_type, h.record_id) for h in result.hits] == [("contact", wanted)]


def test_a_reference_in_any_case_and_with_spaces_finds_its_record(ctx, actors, neighbourhoods):
    contact_id = _contact(ctx, actors, family="Okafor")
    handler = actors[Role.CALL_HANDLER]
    typed = f"c {contact_id:07d}"
    result = search.search(ctx, actor=handler, text=typed, justification=WHY)
    assert [(h.reference, h.url) for h in result.hits] == [
        (f"C{contact_id:07d}", f"/contacts/{contact_id}")
    ]
    contacts.assess_thrive(ctx, actor=handler, contact_id=contact_id, assessment=KNIFE, notes={})
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=contact_id, grade=Grade.EMERGENCY
    )
    found = search.search(ctx, actor=handler, text=f"i{incident_id:07d}", justification=WHY).hits
    assert [h.url for h in found] == [f"/incidents/{incident_id}"]
    assert search.search(ctx, actor=handler, text="C9999999", justification=WHY).hits == ()


def test_a_family_name_finds_people_and_contacts_and_a_given_name_narrows_it(ctx, actors):
    with ctx.db.transaction() as session:
        jane = places.add_person(
            session=session,
            given_name="Jane",
            family_name="Smith",
            date_of_birth=None,
            now=ctx.now(),
        )
        john = places.add_person(
            session=session,
            given_name="John",
            family_name="Smith",
            date_of_birth=None,
            now=ctx.now(),
        )
    called = _contact(ctx, actors, given="Jane", family="SMITH")
    handler = actors[Role.CALL_HANDLER]
    everyone = {
        (h.record_type, h.record_id)
        for h in search.search(ctx, actor=handler, text="smith", justification=WHY).hits
    }
    assert {("person", jane.id), ("person", john.id), ("contact", called)} <= everyone
    narrowed = search.search(ctx, actor=handler, text="Smith, ja", justification=WHY).hits
    found = {(h.record_type, h.record_id) for h in narrowed}
    assert {("person", jane.id), ("contact", called)} <= found
    assert ("person", john.id) not in found
    assert search.search(ctx, actor=handler, text="Jane Smith", justification=WHY).hits == narrowed


def test_results_stop_at_the_policy_limit_and_say_more_matched(ctx, actors):
    limit = ctx.policy.search.result_limit
    for _ in range(limit + 1):
        _contact(ctx, actors, family="Nowak")
    result = search.search(ctx, actor=actors[Role.CALL_HANDLER], text="Nowak", justification=WHY)
    assert (len(result.hits), result.more) == (limit, True)


def test_every_record_shown_is_logged_as_a_consultation_with_the_reason_given(ctx, actors):
    first = _contact(ctx, actors, family="Byrne")
    second = _contact(ctx, actors, family="Byrne")
    auditor = actors[Role.AUDITOR]
    shown = search.search(ctx, actor=auditor, text="Byrne", justification=WHY).hits
    logged = access.search_access_log(ctx, actor=auditor, query=AccessQuery(username="auditor"))
    assert {(e.operation, e.record_type, e.record_id) for e in logged} == {
        (Operation.CONSULTATION, h.record_type, str(h.record_id)) for h in shown
    }
    assert {("contact", first), ("contact", second)} <= {
        (h.record_type, h.record_id) for h in shown
    }
    assert {e.justification for e in logged} == {WHY}


def test_a_record_the_searcher_cannot_open_is_not_shown(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    with ctx.db.transaction() as session:
        places.add_person(
            session=session,
            given_name="Ann",
            family_name="Lee",
            date_of_birth=None,
            now=ctx.now(),
        )
    assert search.search(ctx, actor=handler, text="Lee", justification=WHY).hits != ()
    # A call handler cannot open crimes: a crime reference finds nothing for them.
    assert search.search(ctx, actor=handler, text="CR0000001", justification=WHY).hits == ()


@pytest.mark.parametrize("typed", ["", "12", "x1", "Smith 4"])
def test_an_entry_that_is_none_of_the_three_is_refused_saying_why(ctx, actors, typed):
    with pytest.raises(ValidationFailed) as refused:
        search.search(ctx, actor=actors[Role.CALL_HANDLER], text=typed, justification=WHY)
    assert refused.value.problems[0].field == "q"


def test_a_handler_sees_their_own_recent_contacts_newest_first(ctx, actors, clock):
    taken = []
    for _ in range(ctx.policy.search.recent_contacts + 2):
        taken.append(_contact(ctx, actors))
        clock.advance(minutes=1)
    mine = search.my_recent_contacts(ctx, actor=actors[Role.CALL_HANDLER])
    expected = list(reversed(taken))[: ctx.policy.search.recent_contacts]
    assert [h.record_id for h in mine] == expected
    assert search.my_recent_contacts(ctx, actor=actors[Role.SUPERVISOR]) == []


def test_an_officer_sees_the_incidents_they_attend(ctx, actors, neighbourhoods):
    handler, officer = actors[Role.CALL_HANDLER], actors[Role.OFFICER]
    incident_ids = []
    for _ in range(2):
        incident_id = knife_incident(ctx, handler, neighbourhoods["urban"])
        incidents.deploy(ctx, actor=actors[Role.DISPATCHER], incident_id=incident_id, unit="AB12")
        incident_ids.append(incident_id)
    incidents.record_arrival(ctx, actor=officer, incident_id=incident_ids[0], body_worn_video=True)
    assert [h.record_id for h in search.my_incidents(ctx, actor=officer)] == [incident_ids[0]]


def test_name_search_reads_the_lower_name_indexes_and_a_person_reference_finds_them(ctx, actors):
    """Issue 15: the name queries use the lower() expression indexes of migration 0016 (the
    plan is read with EXPLAIN; PostgreSQL is told not to prefer a scan of a tiny table), and
    a person's screen reference (N0000123) finds them."""
    from sqlalchemy import text

    from watchhouse.db.repositories import search as search_repo

    queries = {
        "ix_people_lower_names": search_repo.people_by_name_query(
            family="Smith", given="ja", limit=10
        ),
        "ix_contacts_lower_caller_names": search_repo.contacts_by_caller_name_query(
            family="Smith", given="", limit=10
        ),
    }
    with ctx.db.transaction() as session:
        dialect = session.get_bind().dialect
        for index, query in queries.items():
            compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            if dialect.name == "postgresql":
                session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
            else:
                plan = [r[-1] for r in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
            assert any(index in line for line in plan), plan
        person_id = places.add_person(
            session=session,
            given_name="Nia",
            family_name="Okafor",
            date_of_birth=None,
            now=ctx.now(),
        ).id
    found = search.search(
        ctx, actor=actors[Role.CALL_HANDLER], text=f"n{person_id:07d}", justification=WHY
    ).hits
    assert [(h.record_type, h.record_id, h.reference) for h in found] == [
        ("person", person_id, f"N{person_id:07d}")
    ]
