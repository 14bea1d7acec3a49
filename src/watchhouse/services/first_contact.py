"""The first point of contact: who a new contact's caller is, decided at once (between batch
linkage runs), so that one caller is one person on the handler's screen and the per-person
repeat rule counts their calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from watchhouse.db.repositories import contacts as contact_repo
from watchhouse.db.repositories import places
from watchhouse.db.repositories.identity import CandidateRecord
from watchhouse.domain.access import Operation
from watchhouse.domain.identity import (
    LinkageRecord,
    MatchModel,
    person_to_join,
    same_caller_without_model,
)
from watchhouse.domain.records import PersonView
from watchhouse.domain.roles import Actor
from watchhouse.services import identity_online
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext


def caller_lock_keys(
    *, caller: LinkageRecord | None, place: tuple[str | None, str, int | None] | None
) -> list[str]:
    """What simultaneous contacts from one caller share: the family name as compared, the
    number, the force's extra identifiers (None: a caller who cannot be recorded as a new
    person, see `may_record_person`) and the place (postcode, description, neighbourhood;
    None: a place already stored)."""
    keys: list[str] = []
    if caller is not None:
        if caller.family_name:
            keys.append(f"family:{caller.family_name}")
        if caller.telephone:
            keys.append(f"telephone:{caller.telephone}")
        keys.extend(f"identifier:{name}:{value}" for name, value in caller.identifiers)
    if place is not None:
        postcode, description, neighbourhood = place
        keys.append(f"place:{postcode}|{description.strip().lower()}|{neighbourhood}")
    return keys


@dataclass(frozen=True)
class CallerChoice:
    """Who a new contact's caller is, as scored (before the caller's locks are held): the
    person to join (None: none, or two kept apart), whether any reached the threshold, and the
    candidate people the scoring looked at."""

    person_id: int | None
    any_likely: bool
    looked_at: frozenset[int]


def choose_person(
    ctx: AppContext, session: Session, *, caller: LinkageRecord, model: MatchModel | None
) -> CallerChoice:
    """Score the candidates for a new contact's caller (the slow part, done before the locks)
    with `model`, the latest run's trained model (`identity_online.model_of_run`).

    The caller joins the most likely person on record when the online score (the latest
    trained model's probability over the person record and their recent contacts) reaches
    policy `[identity] join_probability`; before any model is trained, when the cautious rule
    `same_caller_without_model` holds. When two who reach it were kept apart by a supervisor,
    no one is chosen and the handler chooses on the contact screen; so too when two distinct
    people reach it (not copies of one person: see `identity_online.one_person_groups`)."""
    threshold = ctx.policy.identity.join_probability
    # 1 turns joining at once off: every caller is confirmed by the handler.
    if threshold >= 1 or not caller.family_name:
        return CallerChoice(None, False, frozenset())
    # The candidates are read before the scoring (one query, which `_candidate_ids` repeats
    # under the locks): anyone recorded after it shows up in that check.
    candidates, people, records_of = _candidates(ctx, session, caller=caller, model=model)
    looked_at = frozenset(people)
    likely = [person for person, probability in candidates if probability >= threshold]
    kept_apart = places.people_kept_apart(session=session, person_ids=likely)
    # Two or more distinct people likely (not copies of one): the handler chooses.
    likely_order = sorted(likely, key=lambda p: -dict(candidates)[p])
    groups = identity_online.one_person_groups(
        session, people, {p: records_of.get(p, []) for p in likely_order}
    )
    chosen = person_to_join(
        candidates, threshold=threshold, kept_apart=kept_apart, one_person=groups
    )
    return CallerChoice(chosen, bool(likely), looked_at)


def may_record_person(*, family_name: str, choice: CallerChoice) -> bool:
    """Whether `person_for_new_contact` may record a new person for a caller so scored: one
    with a family name whom the scoring joined to no one and found no one likely for. Only
    then must simultaneous contacts from the caller wait for each other (a caller joined to a
    person on record adds no person, and the number is an upsert)."""
    return bool(family_name) and choice.person_id is None and not choice.any_likely


def person_for_new_contact(
    ctx: AppContext,
    session: Session,
    *,
    caller: LinkageRecord,
    given_name: str,
    family_name: str,
    choice: CallerChoice,
    model: MatchModel | None,
) -> tuple[PersonView | None, bool]:
    """The person a new contact joins, and whether it is one already on record; called, when
    `may_record_person`, with `places.hold_new_caller_locks` held for `caller_lock_keys`.

    Before recording a new person, the candidates are looked up again under the locks (one
    indexed query): if someone has been recorded for these keys since `choice` was scored (a
    simultaneous contact from the same caller), the choice is scored again, so simultaneous
    contacts from one new caller make one person. The locks are thus held for the look-up,
    not for the scoring."""
    if not family_name:
        return None, False
    unchosen = choice.person_id is None and not choice.any_likely
    joining = ctx.policy.identity.join_probability < 1
    if (
        unchosen
        and joining
        and set(_candidate_ids(ctx, session, caller=caller)) != choice.looked_at
    ):
        choice = choose_person(ctx, session, caller=caller, model=model)
    if choice.person_id is not None:
        return places.person(session=session, person_id=choice.person_id), True
    if choice.any_likely:
        return None, False
    person = places.add_person(
        session=session,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=caller.date_of_birth,
        now=ctx.now(),
    )
    return person, False


def _candidate_ids(ctx: AppContext, session: Session, *, caller: LinkageRecord) -> list[int]:
    """The people sharing the caller's number, date of birth or family name (one query)."""
    return [
        record.person_id
        for record in identity_online.candidate_people_of(ctx, session, caller=caller)
    ]


def _candidates(
    ctx: AppContext, session: Session, *, caller: LinkageRecord, model: MatchModel | None
) -> tuple[list[tuple[int, float]], dict[int, CandidateRecord], dict[int, list[CandidateRecord]]]:
    """Each candidate person with the probability that they are the caller, the candidates'
    person records, and the records each was scored on."""
    if model is not None:
        people, scored = identity_online.scored_people(
            ctx, session, model=model, caller=caller, linked_person_id=None, contact_id=None
        )
        return (
            [(c.person_id, c.explained.probability) for c in scored],
            people,
            {c.person_id: c.records for c in scored},
        )
    people, appearances = identity_online.candidate_appearances(
        ctx,
        session,
        caller=caller,
        rank=lambda record: float(same_caller_without_model(caller, record)),
        linked_person_id=None,
        contact_id=None,
    )
    return (
        [
            (person, 1.0 if _any_same(caller, records) else 0.0)
            for person, records in appearances.items()
        ],
        people,
        appearances,
    )


def _any_same(caller: LinkageRecord, records: Iterable[CandidateRecord]) -> bool:
    return any(same_caller_without_model(caller, identity_online.as_compared(r)) for r in records)


def follow_decision(
    ctx: AppContext,
    session: Session,
    *,
    actor: Actor,
    contact_id: int,
    others: Sequence[int],
    same_person: bool,
) -> None:
    """Make the people the contacts are linked to agree with a supervisor's decision, now:
    'the same person' links the others to the first contact's person; 'not the same person'
    gives the first contact a person of its own (from its caller's details) when it shares one
    with any of the others."""
    first = contact_repo.caller_on_record(session=session, contact_id=contact_id)
    linked = [contact_repo.caller_on_record(session=session, contact_id=o) for o in others]
    if same_person:
        if first.person_id is None:
            return
        for other in linked:
            if other.person_id != first.person_id:
                contact_repo.set_person(
                    session=session, contact_id=other.contact_id, person_id=first.person_id
                )
                _link_number(session, first.person_id, other.telephone_number_id)
        return
    if first.person_id is None or all(o.person_id != first.person_id for o in linked):
        return
    given = first.caller
    person = places.add_person(
        session=session,
        given_name=given.given_name.strip(),
        family_name=given.family_name.strip(),
        date_of_birth=given.date_of_birth,
        now=ctx.now(),
    )
    contact_repo.set_person(session=session, contact_id=contact_id, person_id=person.id)
    _link_number(session, person.id, first.telephone_number_id)
    log_access(
        ctx,
        session=session,
        actor=actor,
        operation=Operation.COLLECTION,
        record_type="person",
        record_id=person.id,
        justification=f"identity decision: contact {contact_id} is a person of its own",
    )


def _link_number(session: Session, person_id: int, number_id: int | None) -> None:
    if number_id is not None:
        places.link_person_telephone(session=session, person_id=person_id, number_id=number_id)
