"""The online check: the people a caller on the line may be, scored with the latest run's
trained model on their person record and recent contacts, shown once per person; and the
handler's confirmation of who the caller is. Used by services/contacts.py (the handler's
screen) and services/first_contact.py (joining a new contact to a person at once)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from watchhouse.db.repositories import contacts as contact_repo
from watchhouse.db.repositories import identity as repo
from watchhouse.db.repositories import places
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.identifiers import postcode_or_none, telephone_or_none
from watchhouse.domain.identity import (
    CallerScorer,
    LinkageRecord,
    MatchExplanation,
    MatchModel,
    clean_name,
)
from watchhouse.domain.records import LikelyMatch, PersonView
from watchhouse.domain.roles import Actor
from watchhouse.domain.thrive import VulnerabilityFlag
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext


def model_of_run(ctx: AppContext, session: Session, run_id: int | None) -> MatchModel | None:
    """The trained model of the run with this id (the latest, as the caller looked it up; None:
    no run yet), read and parsed once per run and kept with this store's context (never
    shared between stores in one process: run ids repeat across stores), with the force's
    extra identifiers (policy `[identity] extra_identifiers`) compared as the batch compares
    them."""
    if run_id is None:
        return None
    policy = ctx.policy.identity
    extras = tuple((e.name, e.kind) for e in policy.extra_identifiers)
    key = ("identity model", run_id, extras, policy.untrained_identifier_match_weight)
    kept = ctx.stored.get(key)
    if isinstance(kept, MatchModel):
        return kept
    stored = json.loads(repo.run_model_json(session=session, run_id=run_id))
    if not stored:
        return None
    from watchhouse.linkage import model as linkage_model  # splink: only when first needed

    parsed = linkage_model.match_model_from_splink(
        stored, extras, untrained_exact_weight=policy.untrained_identifier_match_weight
    )
    ctx.stored.put(key, parsed)
    return parsed


def caller_record(
    *,
    given_name: str | None,
    family_name: str | None,
    date_of_birth: date | None,
    telephone: str | None,
    postcode: str | None,
    identifiers: Mapping[str, str] | None = None,
) -> LinkageRecord:
    """The caller's details as compared (unreadable numbers and postcodes left out), with the
    force's extra identifiers given (normalised when taken)."""
    return LinkageRecord(
        clean_name(given_name),
        clean_name(family_name),
        date_of_birth,
        telephone_or_none(telephone),
        postcode_or_none(postcode),
        tuple(sorted((identifiers or {}).items())),
    )


def as_compared(record: repo.CandidateRecord) -> LinkageRecord:
    """A stored appearance as compared (numbers are stored in E.164 already)."""
    return LinkageRecord(
        clean_name(record.given_name),
        clean_name(record.family_name),
        record.date_of_birth,
        record.telephone,
        postcode_or_none(record.postcode),
        record.identifiers,
    )


@dataclass(frozen=True)
class ScoredPerson:
    """A candidate person scored against the caller: the best explanation over their person
    record and recent contacts, and the records it looked at (recent contacts after the first,
    the person record)."""

    person_id: int
    explained: MatchExplanation
    records: list[repo.CandidateRecord]


def trained_model(ctx: AppContext, session: Session) -> MatchModel | None:
    """The latest run's trained model, or None before the first run."""
    return model_of_run(ctx, session, repo.latest_run_id(session=session))


def candidate_people_of(
    ctx: AppContext, session: Session, *, caller: LinkageRecord, also: int | None = None
) -> list[repo.CandidateRecord]:
    """The person records of the people sharing the caller's number, date of birth, family
    name (in any of its usual spellings) or one of the force's extra identifiers, and of person
    `also`; one indexed query, and one more per extra identifier given. A person found by an
    identifier carries it on their person record, so that it counts when they are ranked."""
    family_variants = []
    if caller.family_name:
        family_variants = sorted(
            {caller.family_name, caller.family_name.title(), caller.family_name.upper()}
        )
    limit = ctx.policy.identity.candidate_lookup_limit
    declared = {e.name for e in ctx.policy.identity.extra_identifiers}
    wanted = [(name, value) for name, value in caller.identifiers if name in declared]
    by_identifier = (
        repo.people_with_identifiers(session=session, identifiers=wanted, limit=limit)
        if wanted
        else {}
    )
    people = repo.candidate_people(
        session=session,
        telephone=caller.telephone,
        family_names=family_variants,
        date_of_birth=caller.date_of_birth,
        limit=limit,
        also=also,
        more=sorted(by_identifier),
    )
    return [
        replace(person, identifiers=by_identifier[person.person_id])
        if person.person_id in by_identifier
        else person
        for person in people
    ]


def candidate_appearances(
    ctx: AppContext,
    session: Session,
    *,
    caller: LinkageRecord,
    rank: Callable[[LinkageRecord], float],
    linked_person_id: int | None,
    contact_id: int | None,
) -> tuple[dict[int, repo.CandidateRecord], dict[int, list[repo.CandidateRecord]]]:
    """The people sharing the caller's number, date of birth or family name (by index), and
    for the best `2 * candidates_shown` of them by `rank` of their person record, that record
    followed by their most recent contacts. The contact on the line (`contact_id`) is never
    evidence for itself: it is left out, and so is the person record made from it when it is
    their only one."""
    policy = ctx.policy.identity
    people = {
        r.person_id: r
        for r in candidate_people_of(ctx, session, caller=caller, also=linked_person_id)
    }
    compared = {person: as_compared(record) for person, record in people.items()}
    first_pass = sorted(people, key=lambda person: -rank(compared[person]))
    shortlist = first_pass[: 2 * policy.candidates_shown]
    if (
        linked_person_id is not None
        and linked_person_id in people
        and linked_person_id not in shortlist
    ):
        shortlist.append(linked_person_id)
    appearances: dict[int, list[repo.CandidateRecord]] = {p: [people[p]] for p in shortlist}
    contacts_found = [
        record
        for record in repo.recent_contact_records(
            session=session, person_ids=shortlist, per_person=policy.records_per_candidate + 1
        )
        if record.contact_id != contact_id
    ]
    identifiers_of: dict[int, tuple[tuple[str, str], ...]] = {}
    if caller.identifiers and contacts_found:
        identifiers_of = repo.identifiers_of_contacts(
            session=session, contact_ids=[r.contact_id for r in contacts_found if r.contact_id]
        )
    for record in contacts_found:
        found = identifiers_of.get(record.contact_id or 0)
        appearances[record.person_id].append(
            replace(record, identifiers=found) if found else record
        )
    for person_id, records in appearances.items():
        recent = sorted(records[1:], key=lambda r: r.presented_at or datetime.min, reverse=True)
        records[1:] = recent[: policy.records_per_candidate]
        if len(records) == 1 and person_id == linked_person_id:
            records.clear()  # a person made from this very call: nothing else to go on
    return people, appearances


def scored_people(
    ctx: AppContext,
    session: Session,
    *,
    model: MatchModel,
    caller: LinkageRecord,
    linked_person_id: int | None,
    contact_id: int | None,
) -> tuple[dict[int, repo.CandidateRecord], list[ScoredPerson]]:
    """The candidate people scored against the caller with the trained model, best first."""
    scorer = CallerScorer(model, caller)
    people, appearances = candidate_appearances(
        ctx,
        session,
        caller=caller,
        rank=scorer.weight,
        linked_person_id=linked_person_id,
        contact_id=contact_id,
    )
    scored = []
    for person_id, records in appearances.items():
        explained = scorer.best(as_compared(r) for r in records)
        if explained is not None:
            scored.append(ScoredPerson(person_id, explained, records))
    scored.sort(key=lambda item: (-item.explained.match_weight, item.person_id))
    return people, scored


def likely_matches_in(
    ctx: AppContext,
    session: Session,
    *,
    caller: LinkageRecord,
    linked_person_id: int | None,
    contact_id: int | None = None,
) -> tuple[list[LikelyMatch], str | None]:
    """The people the caller may be, best first, and a note when no trained model exists.

    People sharing the caller's number, date of birth or family name are looked up by index,
    scored first on their person record, and the most likely of them again on their recent
    contacts as recorded. Candidates that are one person (in one cluster of the latest run,
    or the same recorded details, unless a supervisor kept them apart) are shown once."""
    model = trained_model(ctx, session)
    if model is None:
        return [], "No identity model yet: an administrator runs 'watchhouse identity link'."
    if not (caller.family_name or caller.date_of_birth or caller.telephone):
        return [], None
    policy = ctx.policy.identity
    people, candidates = scored_people(
        ctx,
        session,
        model=model,
        caller=caller,
        linked_person_id=linked_person_id,
        contact_id=contact_id,
    )
    candidates = [
        c
        for c in candidates
        if c.explained.probability >= policy.minimum_probability_shown
        or c.person_id == linked_person_id
    ]
    groups = _one_card_per_person(session, people, candidates, linked_person_id)
    shown = groups[: policy.candidates_shown]
    contact_ids = [
        r.contact_id for group in shown for c in group for r in c.records if r.contact_id
    ]
    flags_by_contact: dict[int, list[VulnerabilityFlag]] = {}
    for flag in contact_repo.earlier_flags(session=session, contact_ids=contact_ids):
        flags_by_contact.setdefault(flag.contact_id, []).append(flag.flag)
    matches = []
    for group in shown:
        first = group[0]
        person = people[first.person_id]
        recent = list(
            {r.contact_id: r for c in group for r in c.records if r.contact_id is not None}.values()
        )
        seen = [r.presented_at for r in recent if r.presented_at is not None]
        flags = [f for r in recent for f in flags_by_contact.get(r.contact_id or 0, [])]
        matches.append(
            LikelyMatch(
                person=PersonView(
                    first.person_id,
                    person.given_name or "",
                    person.family_name or "",
                    person.date_of_birth,
                ),
                probability=first.explained.probability,
                match_weight=first.explained.match_weight,
                evidence=first.explained.parts,
                last_contact_at=max(seen) if seen else None,
                recent_contacts=len(recent),
                flags=tuple(dict.fromkeys(flags)),
                is_linked=first.person_id == linked_person_id,
                is_likely=first.explained.probability >= policy.match_threshold,
            )
        )
    return matches, None


def _one_card_per_person(
    session: Session,
    people: dict[int, repo.CandidateRecord],
    candidates: list[ScoredPerson],
    linked_person_id: int | None,
) -> list[list[ScoredPerson]]:
    """Candidates grouped when they are one person (see `one_person_groups`). Each group leads
    with the linked person, else its best; groups in the order of their best."""
    by_id = {c.person_id: c for c in candidates}
    groups = one_person_groups(
        session,
        people,
        {c.person_id: c.records for c in candidates},
        linked_person_id=linked_person_id,
    )
    return [[by_id[p] for p in group] for group in groups]


def one_person_groups(
    session: Session,
    people: dict[int, repo.CandidateRecord],
    records_of: dict[int, list[repo.CandidateRecord]],
    *,
    linked_person_id: int | None = None,
) -> list[list[int]]:
    """Candidate people (`records_of`, best first) grouped when they are one person: person
    records whose contacts the latest run put in one cluster, or with the same recorded name
    and date of birth and a number both were reached on; never two that a supervisor kept
    apart. Each group leads with
    the linked person, else its best; groups in the order of their best."""
    order = list(records_of)
    if len(order) < 2:
        return [[p] for p in order]
    contact_ids = [r.contact_id for rs in records_of.values() for r in rs if r.contact_id]
    cluster_of = repo.clusters_of(session=session, contact_ids=contact_ids)
    keys: dict[int, set[object]] = {}
    for person_id, records in records_of.items():
        p = people[person_id]
        found: set[object] = {
            ("cluster", cluster_of[r.contact_id]) for r in records if r.contact_id in cluster_of
        }
        # Each number the person was reached on (their record shows only the first), so
        # that copies sharing one are one person whichever number each was first reached on.
        numbers = {p.telephone, *(r.telephone for r in records)} - {None}
        if p.date_of_birth is not None or numbers:
            given, family = clean_name(p.given_name), clean_name(p.family_name)
            for number in numbers or {None}:
                found.add(("details", given, family, p.date_of_birth, number))
        keys[person_id] = found
    every_key = [key for found in keys.values() for key in found]
    if len(every_key) == len(set(every_key)):
        return [[p] for p in order]  # no two share a key: no decision to look up
    kept_apart = places.people_kept_apart(session=session, person_ids=order)
    groups: list[list[int]] = []
    for person_id in order:  # best first
        home = next(
            (
                g
                for g in groups
                if any(keys[person_id] & keys[o] for o in g)
                and not any(frozenset((person_id, o)) in kept_apart for o in g)
            ),
            None,
        )
        if home is None:
            groups.append([person_id])
        elif person_id == linked_person_id:
            home.insert(0, person_id)
        else:
            home.append(person_id)
    return groups


def confirm_caller(ctx: AppContext, *, actor: Actor, contact_id: int, person_id: int | None) -> int:
    """The handler confirms who the caller is: one of the people offered (`person_id`), or a
    new person made from the caller's details (`None`). Returns the person's id."""
    with ctx.db.transaction() as session:
        on_record = contact_repo.caller_on_record(session=session, contact_id=contact_id)
        if person_id is None:
            given = on_record.caller
            if not given.family_name.strip():
                raise ValidationFailed.one(
                    "family_name", "the contact has no family name to make a new person from"
                )
            person = places.add_person(
                session=session,
                given_name=given.given_name.strip(),
                family_name=given.family_name.strip(),
                date_of_birth=given.date_of_birth,
                now=ctx.now(),
            )
            operation = Operation.COLLECTION
        else:
            found = places.person(session=session, person_id=person_id)
            if found is None:
                raise NotFound("person", person_id)
            person = found
            operation = Operation.COMBINATION
        contact_repo.set_person(session=session, contact_id=contact_id, person_id=person.id)
        if on_record.telephone_number_id is not None:
            places.link_person_telephone(
                session=session, person_id=person.id, number_id=on_record.telephone_number_id
            )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=operation,
            record_type="person",
            record_id=person.id,
            justification=f"contact {contact_id} confirmed as this person by the handler",
        )
    return person.id
