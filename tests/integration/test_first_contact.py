"""The first point of contact, on SQLite and PostgreSQL: simultaneous contacts from one new
caller (real concurrent HTTP requests to a served app) make one person, one number and one
location with no server error; a caller who rang before joins their person at once, so the
per-person repeat rule fires on the fourth call; a supervisor's 'different' keeps two people
apart; a number written nationally or with +44 is one number, a foreign one kept as given."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.repositories import places
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import ContactRow, LocationRow, PersonRow, TelephoneNumberRow
from watchhouse.domain.records import NewContact
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, identity
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

SIMULTANEOUS = 10


def _count(ctx: AppContext, column) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.transaction() as session:
        return session.scalar(select(func.count(column))) or 0


def _person_of(ctx: AppContext, contact_id: int) -> int | None:
    with ctx.db.transaction() as session:
        return session.scalar(select(ContactRow.person_id).where(ContactRow.id == contact_id))


@pytest.fixture
def served(ctx: AppContext, actors: dict[Role, Actor]) -> Iterator[str]:
    """The app on the test database, served by uvicorn in a thread (requests are handled
    concurrently in its worker threads)."""
    from watchhouse.web.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context=ctx), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn-first-contact", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not (server.started and server.servers):
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _api_token(ctx: AppContext, actor: Actor) -> str:
    token = new_token()
    with ctx.db.transaction() as session:
        user_repo.start_session(
            session=session,
            user_id=actor.user_id,
            token_digest=token_digest(token),
            csrf_token=new_token(),
            kind="api",
            now=ctx.now(),
            expires_at=ctx.now() + timedelta(hours=1),
        )
    return token


SIMULTANEOUS_BODY = {
    "channel": "101",
    "caller_given_name": "Nadia",
    "caller_family_name": "Okafor",
    "telephone": "07700 900777",
    "location_description": "3 Quay Street",
    "postcode": "WH1 4QS",
    "neighbourhood_code": "central",
    "summary": "Someone trying car doors",
}
# What is on record before the simultaneous contacts: (people, locations) it adds.
ON_RECORD_BEFORE = {
    "nothing": ([], (0, 0)),
    # Only the place is stored: the caller's locks alone keep them one person.
    "the place": ([{"caller_family_name": "Adeyemi", "telephone": "07700 900111"}], (1, 0)),
    # Only the caller is stored (elsewhere): they join that person and the place is one row.
    "the caller": ([{"location_description": "9 Mill Lane", "postcode": "WH1 3ML"}], (0, 1)),
}


@pytest.mark.usefixtures("neighbourhoods")
@pytest.mark.parametrize("before", list(ON_RECORD_BEFORE), ids=list(ON_RECORD_BEFORE))
def test_simultaneous_contacts_from_one_new_caller_make_one_person_number_and_location(
    ctx, actors, served, before
):
    token = _api_token(ctx, actors[Role.CALL_HANDLER])
    earlier, (other_people, other_places) = ON_RECORD_BEFORE[before]
    with httpx.Client(base_url=served, timeout=60) as client:
        for changes in earlier:
            response = client.post(
                "/api/contacts",
                json={**SIMULTANEOUS_BODY, **changes},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201
    body = SIMULTANEOUS_BODY
    start = threading.Barrier(SIMULTANEOUS)
    statuses: list[int] = []

    def post() -> None:
        with httpx.Client(base_url=served, timeout=60) as client:
            start.wait()
            response = client.post(
                "/api/contacts", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * SIMULTANEOUS
    assert _count(ctx, ContactRow.id) == SIMULTANEOUS + len(earlier)
    assert _count(ctx, PersonRow.id) == 1 + other_people
    assert _count(ctx, TelephoneNumberRow.id) == 1 + other_people
    assert _count(ctx, LocationRow.id) == 1 + other_places
    with ctx.db.transaction() as session:
        people = set(
            session.scalars(
                select(ContactRow.person_id).where(
                    ContactRow.summary == SIMULTANEOUS_BODY["summary"],
                    ContactRow.caller_name == "Nadia Okafor",
                )
            )
        )
    assert len(people) == 1 and None not in people


@pytest.mark.usefixtures("neighbourhoods")
def test_the_callers_locks_are_held_only_for_what_may_be_recorded_anew(ctx, actors, monkeypatch):
    held: list[list[str]] = []
    hold = places.hold_new_caller_locks

    def recording(*, session, keys):  # type: ignore[no-untyped-def]
        held.append(sorted(keys))
        hold(session=session, keys=keys)

    monkeypatch.setattr(places, "hold_new_caller_locks", recording)
    handler = actors[Role.CALL_HANDLER]
    place = "place:WH1 3ML|7 mill lane|"
    _call(ctx, handler)  # a new caller at a new place
    _call(ctx, handler)  # the same caller (joined to their person) at the stored place
    _call(ctx, handler, family="Okafor", telephone="07700 900777")  # a new caller there

    assert [[key.split(":")[0] for key in keys] for keys in held] == [
        ["family", "place", "telephone"],
        [],
        ["family", "telephone"],
    ]
    assert held[0][1].startswith(place)


def _call(
    ctx: AppContext,
    handler: Actor,
    *,
    given: str = "Joanne",
    family: str = "Marsh",
    born: date | None = None,
    telephone: str = "07700 900321",
) -> int:
    return contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name=given,
            caller_family_name=family,
            date_of_birth=born,
            telephone=telephone,
            summary="Youths kicking the door again",
            location_description="7 Mill Lane",
            postcode="WH1 3ML",
            neighbourhood_code="central",
        ),
    ).contact_id


FOUR_CALLS = {
    "with date of birth": [{"born": date(1984, 6, 12)}] * 4,
    "without date of birth": [{}] * 4,
    "a typo in one call": [{}, {}, {"given": "Joane", "family": "Marsch"}, {}],
}


@pytest.mark.usefixtures("neighbourhoods")
@pytest.mark.parametrize("calls", list(FOUR_CALLS.values()), ids=list(FOUR_CALLS))
def test_four_calls_from_one_new_caller_are_one_person_and_the_fourth_is_a_person_repeat(
    ctx, actors, clock, calls
):
    handler = actors[Role.CALL_HANDLER]
    taken = []
    for details in calls:
        taken.append(_call(ctx, handler, **details))
        clock.advance(days=1)

    assert len({_person_of(ctx, c) for c in taken}) == 1
    assert _count(ctx, PersonRow.id) == 1
    third = contacts.get_contact(ctx, actor=handler, contact_id=taken[2], justification="test")
    fourth = contacts.get_contact(ctx, actor=handler, contact_id=taken[3], justification="test")
    assert RepeatBasis.PERSON not in {f.basis for f in third.repeat_findings}
    assert [
        (f.count, f.rule.within.days)
        for f in fourth.repeat_findings
        if f.basis == RepeatBasis.PERSON
    ] == [(4, 7)]


@pytest.mark.usefixtures("neighbourhoods")
def test_a_caller_with_a_different_date_of_birth_is_not_joined(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    mother = _call(ctx, handler, born=date(1960, 1, 2))
    daughter = _call(ctx, handler, born=date(1990, 5, 6))

    assert _person_of(ctx, mother) != _person_of(ctx, daughter)


@pytest.mark.usefixtures("neighbourhoods")
def test_a_supervisors_different_decision_keeps_the_callers_apart(ctx, actors):
    handler, supervisor = actors[Role.CALL_HANDLER], actors[Role.SUPERVISOR]
    father = _call(ctx, handler)
    son = _call(ctx, handler)
    assert _person_of(ctx, father) == _person_of(ctx, son)

    identity.decide(
        ctx,
        actor=supervisor,
        left_contact_id=son,
        right_contact_id=father,
        same_person=False,
        reason="father and son share the name and the landline",
    )
    later = _call(ctx, handler)

    assert _person_of(ctx, son) not in (None, _person_of(ctx, father))
    # Both are equally likely and kept apart: the handler chooses, nothing is merged.
    assert _person_of(ctx, later) is None
    assert _person_of(ctx, son) != _person_of(ctx, father)


@pytest.mark.usefixtures("neighbourhoods")
def test_a_supervisors_same_decision_joins_the_contacts_people(ctx, actors):
    handler, supervisor = actors[Role.CALL_HANDLER], actors[Role.SUPERVISOR]
    first = _call(ctx, handler, given="Joanne", born=date(1984, 6, 12))
    other = _call(ctx, handler, given="Anne", telephone="07700 900999")
    assert _person_of(ctx, first) != _person_of(ctx, other)

    identity.decide(
        ctx,
        actor=supervisor,
        left_contact_id=first,
        right_contact_id=other,
        same_person=True,
        reason="she gave her middle name",
    )

    assert _person_of(ctx, other) == _person_of(ctx, first)


@pytest.mark.usefixtures("neighbourhoods")
def test_a_number_in_national_and_international_form_is_one_number_and_foreign_kept(ctx, actors):
    handler = actors[Role.CALL_HANDLER]
    national = _call(ctx, handler, telephone="07700 900321")
    international = _call(ctx, handler, telephone="+44 7700 900321")
    french = _call(ctx, handler, given="Amélie", family="Durand", telephone="+33 6 12 34 56 78")
    american = _call(ctx, handler, given="Ada", family="Byrne", telephone="+1 202 555 0143")

    with ctx.db.transaction() as session:
        numbers = dict(
            session.execute(
                select(ContactRow.id, TelephoneNumberRow.number).join(
                    TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id
                )
            ).all()
        )
    assert numbers[national] == numbers[international] == "+447700900321"
    assert numbers[french] == "+33612345678"
    assert numbers[american] == "+12025550143"
    assert _count(ctx, TelephoneNumberRow.id) == 3
    assert _person_of(ctx, national) == _person_of(ctx, international)


@pytest.mark.usefixtures("neighbourhoods")
def test_a_force_that_never_joins_at_once_records_a_new_person_each_time(ctx, actors):
    never = ctx.policy.identity.model_copy(update={"join_probability": 1.0})
    strict = replace(ctx, policy=ctx.policy.model_copy(update={"identity": never}))
    handler = actors[Role.CALL_HANDLER]
    taken = [_call(strict, handler, born=date(1984, 6, 12)) for _ in range(2)]

    assert len({_person_of(ctx, c) for c in taken}) == 2


# --- with a trained model ------------------------------------------------------------------

# Four weeks of the synthetic force at 2%, for the linkage model to learn from.
SMALL_FORCE = SynthRequest(start=date(2026, 1, 5), end=date(2026, 2, 2), scale=0.02, seed=5)


@pytest.fixture
def trained(ctx: AppContext, actors: dict[Role, Actor]) -> AppContext:
    """The store with a small synthetic force and a trained identity model."""
    synth_to_database(ctx, SMALL_FORCE)
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    return ctx


def test_with_a_model_four_calls_are_one_person_and_copies_are_shown_once(trained, actors, clock):
    handler = actors[Role.CALL_HANDLER]
    # Before this fix every call made a person of its own: three copies of one caller.
    never = trained.policy.identity.model_copy(update={"join_probability": 1.0})
    old = replace(trained, policy=trained.policy.model_copy(update={"identity": never}))
    copies = [_call(old, handler, given="Zofia", family="Wrenfield") for _ in range(3)]
    assert len({_person_of(trained, c) for c in copies}) == 3

    taken = []
    for given in ["Idris", "Idris", "Idriss", "Idris"]:
        taken.append(_call(trained, handler, given=given, family="Pellowe"))
        clock.advance(days=1)
    again = _call(trained, handler, given="Zofia", family="Wrenfield")

    assert len({_person_of(trained, c) for c in taken}) == 1
    fourth = contacts.get_contact(trained, actor=handler, contact_id=taken[3], justification="t")
    assert RepeatBasis.PERSON in {f.basis for f in fourth.repeat_findings}
    assert [m.is_linked for m in fourth.likely_matches if m.person.family_name == "Pellowe"] == [
        True
    ]
    view = contacts.get_contact(trained, actor=handler, contact_id=again, justification="t")
    cards = [m for m in view.likely_matches if m.person.family_name == "Wrenfield"]
    assert len(cards) == 1, "three copies of one caller are one card"
    assert cards[0].is_linked and _person_of(trained, again) in {
        _person_of(trained, c) for c in copies
    }


def _family_calls(ctx: AppContext, handler: Actor, clock, born: date) -> list[int]:  # type: ignore[no-untyped-def]
    calls = []
    for _ in range(3):
        calls.append(_call(ctx, handler, given="Tomasz", family="Kowalczyk", born=born))
        clock.advance(days=1)
    return calls


def test_a_999_caller_likely_to_be_two_distinct_people_joins_neither(trained, actors, clock):
    """A father and son of one name share a number and an address; each rang three times with
    his date of birth. A 999 call in that name from that number without a date of birth is
    likely either: it joins neither (the handler asks), and no person repeat is claimed."""
    handler = actors[Role.CALL_HANDLER]
    father = _family_calls(trained, handler, clock, date(1961, 3, 2))
    son = _family_calls(trained, handler, clock, date(1991, 8, 30))
    father_person, son_person = _person_of(trained, father[0]), _person_of(trained, son[0])
    assert father_person is not None and son_person is not None
    assert {_person_of(trained, c) for c in father} == {father_person}
    assert {_person_of(trained, c) for c in son} == {son_person} != {father_person}

    taken = contacts.take_contact(
        trained,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Tomasz",
            caller_family_name="Kowalczyk",
            telephone="07700 900321",
            summary="Someone is trying the back door",
            location_description="7 Mill Lane",
            postcode="WH1 3ML",
            neighbourhood_code="central",
        ),
    ).contact_id

    assert _person_of(trained, taken) is None, "joined one of two likely people arbitrarily"
    view = contacts.get_contact(trained, actor=handler, contact_id=taken, justification="t")
    likely = {m.person.id for m in view.likely_matches if m.is_likely}
    assert likely == {father_person, son_person}
    assert not any(m.is_linked for m in view.likely_matches)
    bases = {f.basis for f in view.repeat_findings}
    assert RepeatBasis.PERSON not in bases
    assert RepeatBasis.TELEPHONE in bases  # the number did ring six times before
