"""Identity resolution: the batch linkage of every contact record (splink), supervisors'
merges and splits, and the likely matches shown to the handler while the caller is on the line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from watchhouse.db.repositories import contacts as contact_repo
from watchhouse.db.repositories import identity as repo
from watchhouse.db.repositories import places
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import FieldProblem, NotFound, ValidationFailed
from watchhouse.domain.identifiers import postcode_or_none, telephone_or_none
from watchhouse.domain.identity import (
    CallerScorer,
    LinkageRecord,
    MatchExplanation,
    MatchModel,
    PairwiseAccuracy,
    clean_name,
    pairwise_accuracy,
)
from watchhouse.domain.records import LikelyMatch, PersonView
from watchhouse.domain.roles import Actor
from watchhouse.domain.thrive import VulnerabilityFlag
from watchhouse.linkage.clustering import Decision, LabelledAccuracy, cluster, group_sizes
from watchhouse.linkage.engines import EngineName, open_engine
from watchhouse.linkage.fields import UnlinkableRecords
from watchhouse.linkage.records import normalise, signatures, with_derived
from watchhouse.services import first_contact
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext
from watchhouse.services.identity_files import plan_limits, training_knobs
from watchhouse.services.identity_labels import model_against_decisions

Say = Callable[[str], None]


@dataclass(frozen=True)
class LinkageReport:
    """What one batch linkage did."""

    run_id: int
    engine: str
    records: int
    signatures: int
    pairs: int
    clusters: int
    decisions: int
    seconds: float
    accuracy: PairwiseAccuracy | None
    neutral_levels: tuple[str, ...] = ()
    labelled: LabelledAccuracy | None = None


def _informative(records: pa.Table) -> np.ndarray:
    """Records with enough to link on: two or more details, one of them a family name, date
    of birth or telephone number. The rest stay people of their own."""
    present = [
        pc.is_valid(records.column(c)).to_numpy(zero_copy_only=False)
        for c in ("given_name", "family_name", "date_text", "telephone", "postcode")
    ]
    count = np.sum(present, axis=0)
    strong = present[1] | present[2] | present[3]
    return np.asarray((count >= 2) & strong)


def link_identities(
    ctx: AppContext,
    *,
    actor: Actor,
    engine: EngineName | None = None,
    threshold: float | None = None,
    say: Say | None = None,
) -> LinkageReport:
    """Link every contact record into people with splink, keep supervisors' decisions, store
    the clusters in place of the last run's, and measure accuracy where a ground truth exists
    (the synthetic force)."""
    tell = say or (lambda _message: None)
    policy = ctx.policy.identity
    chosen_engine: EngineName = engine or policy.engine
    cut = policy.match_threshold if threshold is None else threshold
    if not 0 < cut < 1:
        raise ValidationFailed.one("threshold", "must be between 0 and 1")
    started_at = ctx.now()
    clock = time.perf_counter()
    tell("reading contact records")
    with ctx.db.transaction() as session:
        raw = repo.linkage_records(session=session)
        stored = repo.decisions(session=session)
        truth = repo.ground_truth(session=session)
    tell(f"normalising {raw.num_rows:,} records")
    records = normalise(raw)
    record_ids = records.column("record_id").to_numpy()
    informative = _informative(records)
    linkable = np.flatnonzero(informative)
    linkable_records = records.take(pa.array(linkable))
    sig_table, sig_of_linkable = signatures(linkable_records)
    node_of = np.full(records.num_rows, -1, dtype=np.int64)
    node_of[linkable] = sig_of_linkable
    tell(f"{len(linkable):,} records to link, {sig_table.num_rows:,} distinct")
    backend = open_engine(chosen_engine)
    try:
        if sig_table.num_rows >= 2:
            from watchhouse.linkage import model as linkage_model  # splink: only when linking

            try:
                plan = linkage_model.store_plan(sig_table, plan_limits(policy))
                linker, trained = linkage_model.train(
                    backend,
                    sig_table,
                    training_records=with_derived(linkable_records),
                    plan=plan,
                    knobs=training_knobs(policy),
                    tell=tell,
                )
            except UnlinkableRecords as error:
                raise ValidationFailed.one("records", str(error)) from error
            tell("scoring candidate pairs")
            pairs = linkage_model.predict(linker, threshold=cut)
            model_json = linkage_model.dumps(trained)
            neutral = trained.neutral_levels
        else:
            neutral = ()
            pairs = pa.table(
                {
                    "unique_id_l": pa.array([], pa.int64()),
                    "unique_id_r": pa.array([], pa.int64()),
                    "match_weight": pa.array([], pa.float64()),
                    "match_probability": pa.array([], pa.float64()),
                }
            )
            model_json = "{}"
    finally:
        backend.close()
    tell(f"clustering {pairs.num_rows:,} pairs with {len(stored)} supervisor decisions")
    clusters, strength = _clusters(record_ids, node_of, sig_table.num_rows, pairs, stored, cut)
    result = pa.table(
        {
            "contact_id": pa.array(record_ids, pa.int64()),
            "cluster_id": pa.array(clusters, pa.int64()),
            "match_probability": pa.array(strength, pa.float64(), mask=np.isnan(strength)),
        }
    )
    accuracy = _accuracy(result, truth)
    labelled = model_against_decisions(
        record_ids=record_ids,
        node_of=node_of,
        signature_count=sig_table.num_rows,
        pairs=pairs,
        stored=stored,
        threshold=cut,
    )
    finished_at = ctx.now()
    with ctx.db.transaction() as session:
        run_id = repo.add_run(
            session=session,
            engine=chosen_engine,
            started_at=started_at,
            finished_at=finished_at,
            started_by=actor.user_id,
            threshold=cut,
            records=records.num_rows,
            signatures=sig_table.num_rows,
            pairs=pairs.num_rows,
            clusters=len(group_sizes(clusters)),
            decisions=len(stored),
            model_json=model_json,
            precision=None if accuracy is None else accuracy.precision,
            recall=None if accuracy is None else accuracy.recall,
        )
        tell("storing clusters")
        repo.replace_clusters(session=session, run_id=run_id, clusters=result)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.COMBINATION,
            record_type="identity_run",
            record_id=run_id,
        )
    return LinkageReport(
        run_id,
        chosen_engine,
        records.num_rows,
        sig_table.num_rows,
        pairs.num_rows,
        len(group_sizes(clusters)),
        len(stored),
        time.perf_counter() - clock,
        accuracy,
        neutral,
        labelled,
    )


def _clusters(
    record_ids: np.ndarray,
    node_of: np.ndarray,
    signature_count: int,
    pairs: pa.Table,
    stored: Sequence[repo.DecisionRecord],
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The cluster id (smallest contact id in it) and the strongest link of each record.

    Records named in a decision get a node of their own (a copy of their signature's links,
    joined to it for certain unless a decision says otherwise), so that a supervisor can part
    two records with identical details."""
    left = pairs.column("unique_id_l").to_numpy().astype(np.int64)
    right = pairs.column("unique_id_r").to_numpy().astype(np.int64)
    probability = pairs.column("match_probability").to_numpy().astype(np.float64)
    position = {int(c): i for i, c in enumerate(record_ids.tolist())}
    decided = sorted({c for d in stored for c in (d.left_contact_id, d.right_contact_id)})
    nodes = signature_count
    own_node: dict[int, int] = {}
    extra_left: list[np.ndarray] = []
    extra_right: list[np.ndarray] = []
    extra_probability: list[np.ndarray] = []
    node_of = node_of.copy()
    for contact in decided:
        index = position.get(contact)
        if index is None:
            continue
        own_node[contact] = nodes
        signature = int(node_of[index])
        node_of[index] = nodes
        if signature >= 0:
            touching = (left == signature) | (right == signature)
            others = np.where(left[touching] == signature, right[touching], left[touching])
            extra_left.append(np.full(len(others) + 1, nodes, dtype=np.int64))
            extra_right.append(np.append(others, signature))
            extra_probability.append(np.append(probability[touching], 1.0))
        nodes += 1
    # Records not linked at all are people of their own.
    lonely = np.flatnonzero(node_of < 0)
    node_of[lonely] = np.arange(nodes, nodes + len(lonely))
    nodes += len(lonely)
    if extra_left:
        left = np.concatenate([left, *extra_left])
        right = np.concatenate([right, *extra_right])
        probability = np.concatenate([probability, *extra_probability])
    decisions = [
        Decision(own_node[d.left_contact_id], own_node[d.right_contact_id], d.same_person)
        for d in stored
        if d.left_contact_id in own_node and d.right_contact_id in own_node
    ]
    labels = cluster(nodes, left, right, probability, threshold=threshold, decisions=decisions)
    record_labels = labels[node_of]
    # Name each cluster by its smallest contact id.
    order = np.lexsort((record_ids, record_labels))
    sorted_labels = record_labels[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = sorted_labels[1:] != sorted_labels[:-1]
    first_contact = record_ids[order][starts]
    group = np.cumsum(starts) - 1
    cluster_ids = np.empty(len(order), dtype=np.int64)
    cluster_ids[order] = first_contact[group]
    strength = np.full(nodes, np.nan)
    kept = probability >= threshold
    for side in (left[kept], right[kept]):
        np.fmax.at(strength, side, probability[kept])
    return cluster_ids, strength[node_of]


def _accuracy(result: pa.Table, truth: pa.Table) -> PairwiseAccuracy | None:
    """Pairwise precision and recall against a ground truth, over the records it covers."""
    if truth.num_rows == 0:
        return None
    joined = result.join(truth, "contact_id", join_type="inner")
    if joined.num_rows == 0:
        return None
    cluster_sizes = joined.group_by("cluster_id").aggregate([("contact_id", "count")])
    truth_sizes = joined.group_by("true_person_id").aggregate([("contact_id", "count")])
    cells = joined.group_by(["cluster_id", "true_person_id"]).aggregate([("contact_id", "count")])
    return pairwise_accuracy(
        cluster_sizes.column("contact_id_count").to_pylist(),
        truth_sizes.column("contact_id_count").to_pylist(),
        cells.column("contact_id_count").to_pylist(),
    )


def recent_runs(ctx: AppContext) -> list[repo.RunRecord]:
    """The latest runs, newest first (with their measured accuracy, if they had a ground
    truth)."""
    with ctx.db.transaction() as session:
        return repo.runs(session=session)


# --- supervisors' decisions ----------------------------------------------------------------


def decide(
    ctx: AppContext,
    *,
    actor: Actor,
    left_contact_id: int,
    right_contact_id: int,
    same_person: bool,
    reason: str,
) -> int:
    """Record that two contacts are (or are not) the same person; later runs keep it."""
    if left_contact_id == right_contact_id:
        problems = [FieldProblem("right_contact_id", "choose two different contacts")]
        if not reason.strip():
            problems.append(FieldProblem("reason", "say why (it is kept with the decision)"))
        raise ValidationFailed(problems)
    return _record_decisions(
        ctx,
        actor=actor,
        contact_id=left_contact_id,
        others=[right_contact_id],
        same_person=same_person,
        reason=reason,
    )[0]


def split_off(ctx: AppContext, *, actor: Actor, contact_id: int, reason: str) -> list[int]:
    """Record that a contact is not the same person as any other record in its cluster (the
    latest run's), and take it out of that cluster now; later runs keep it apart."""
    with ctx.db.transaction() as session:
        cluster_id = repo.clusters_of(session=session, contact_ids=[contact_id]).get(contact_id)
        members = (
            []
            if cluster_id is None
            else repo.cluster_contacts(session=session, cluster_id=cluster_id)
        )
    others = [m for m in members if m != contact_id]
    if not others:
        raise ValidationFailed.one(
            "contact_id",
            "this contact is not linked to any other record; there is nothing to split",
        )
    return _record_decisions(
        ctx, actor=actor, contact_id=contact_id, others=others, same_person=False, reason=reason
    )


def _record_decisions(
    ctx: AppContext,
    *,
    actor: Actor,
    contact_id: int,
    others: Sequence[int],
    same_person: bool,
    reason: str,
) -> list[int]:
    """Decisions between one contact and others, checked against the earlier ones, stored
    and logged in one transaction; the latest clusters are updated to match."""
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why (it is kept with the decision)")
    with ctx.db.transaction() as session:
        wanted = [contact_id, *others]
        found = repo.contacts_exist(session=session, contact_ids=wanted)
        for contact in wanted:
            if contact not in found:
                raise NotFound("contact", contact)
        earlier = repo.decisions(session=session)
        _check_consistent(earlier, [(contact_id, other, same_person) for other in others])
        made = [
            repo.add_decision(
                session=session,
                left_contact_id=contact_id,
                right_contact_id=other,
                same_person=same_person,
                reason=reason.strip(),
                decided_by=actor.user_id,
                decided_at=ctx.now(),
            )
            for other in others
        ]
        if same_person:
            repo.merge_clusters(session=session, contact_ids=wanted)
        else:
            repo.move_to_own_cluster(session=session, contact_id=contact_id)
        # The people the contacts are linked to follow the decision too (first contact).
        first_contact.follow_decision(
            ctx,
            session,
            actor=actor,
            contact_id=contact_id,
            others=others,
            same_person=same_person,
        )
        words = "same person as" if same_person else "not the same person as"
        listed = ", ".join(str(o) for o in others[:20]) + (" ..." if len(others) > 20 else "")
        # Every contact whose linkage the decision changes is logged as altered.
        for contact in (contact_id, *others):
            named = listed if contact == contact_id else str(contact_id)
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.ALTERATION,
                record_type="contact",
                record_id=contact,
                justification=f"identity decision: {words} contact {named}",
            )
    return made


def _check_consistent(
    earlier: Sequence[repo.DecisionRecord], new: Sequence[tuple[int, int, bool]]
) -> None:
    """Refuse decisions that contradict the earlier ones (directly or through others)."""
    contacts = sorted(
        {c for d in earlier for c in (d.left_contact_id, d.right_contact_id)}
        | {c for left, right, _same in new for c in (left, right)}
    )
    node = {c: i for i, c in enumerate(contacts)}
    decisions = [
        Decision(node[d.left_contact_id], node[d.right_contact_id], d.same_person) for d in earlier
    ]
    decisions.extend(Decision(node[left], node[right], same) for left, right, same in new)
    empty = np.array([], dtype=np.int64)
    try:
        cluster(len(contacts), empty, empty, np.array([]), threshold=1.0, decisions=decisions)
    except ValueError as error:
        raise ValidationFailed.one(
            "same_person", "this contradicts earlier decisions about these contacts"
        ) from error


# --- the online check ----------------------------------------------------------------------


_models: dict[int, MatchModel] = {}


def _model(session: Session) -> MatchModel | None:
    """The latest run's trained model (read and parsed once per run)."""
    run_id = repo.latest_run_id(session=session)
    if run_id is None:
        return None
    if run_id not in _models:
        stored = json.loads(repo.run_model_json(session=session, run_id=run_id))
        if not stored:
            return None
        from watchhouse.linkage import model as linkage_model  # splink: only when first needed

        _models[run_id] = linkage_model.match_model_from_splink(stored)
    return _models[run_id]


def caller_record(
    *,
    given_name: str | None,
    family_name: str | None,
    date_of_birth: date | None,
    telephone: str | None,
    postcode: str | None,
) -> LinkageRecord:
    """The caller's details as compared (unreadable numbers and postcodes left out)."""
    return LinkageRecord(
        clean_name(given_name),
        clean_name(family_name),
        date_of_birth,
        telephone_or_none(telephone),
        postcode_or_none(postcode),
    )


def as_compared(record: repo.CandidateRecord) -> LinkageRecord:
    """A stored appearance as compared (numbers are stored in E.164 already)."""
    return LinkageRecord(
        clean_name(record.given_name),
        clean_name(record.family_name),
        record.date_of_birth,
        record.telephone,
        postcode_or_none(record.postcode),
    )


@dataclass(frozen=True)
class ScoredPerson:
    """A candidate person scored against the caller: the best explanation over their person
    record and recent contacts, and the records it looked at (recent contacts after the first,
    the person record)."""

    person_id: int
    explained: MatchExplanation
    records: list[repo.CandidateRecord]


def trained_model(session: Session) -> MatchModel | None:
    """The latest run's trained model, or None before the first run."""
    return _model(session)


def candidate_people_of(
    ctx: AppContext, session: Session, *, caller: LinkageRecord, also: int | None = None
) -> list[repo.CandidateRecord]:
    """The person records of the people sharing the caller's number, date of birth or family
    name (in any of its usual spellings), and of person `also`; one indexed query."""
    family_variants = []
    if caller.family_name:
        family_variants = sorted(
            {caller.family_name, caller.family_name.title(), caller.family_name.upper()}
        )
    return repo.candidate_people(
        session=session,
        telephone=caller.telephone,
        family_names=family_variants,
        date_of_birth=caller.date_of_birth,
        limit=ctx.policy.identity.candidate_lookup_limit,
        also=also,
    )


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
    for record in repo.recent_contact_records(
        session=session, person_ids=shortlist, per_person=policy.records_per_candidate + 1
    ):
        if record.contact_id != contact_id:
            appearances[record.person_id].append(record)
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
    model = _model(session)
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
    """Candidates grouped when they are one person: person records whose contacts the latest
    run put in one cluster, or with the same recorded name, date of birth and number; never
    two that a supervisor kept apart. Each group leads with the linked person, else its best;
    groups in the order of their best."""
    if len(candidates) < 2:
        return [[c] for c in candidates]
    contact_ids = [r.contact_id for c in candidates for r in c.records if r.contact_id]
    cluster_of = repo.clusters_of(session=session, contact_ids=contact_ids)
    keys: dict[int, set[object]] = {}
    for c in candidates:
        p = people[c.person_id]
        found: set[object] = {
            ("cluster", cluster_of[r.contact_id]) for r in c.records if r.contact_id in cluster_of
        }
        if p.date_of_birth is not None or p.telephone is not None:
            found.add(
                (
                    "details",
                    clean_name(p.given_name),
                    clean_name(p.family_name),
                    p.date_of_birth,
                    p.telephone,
                )
            )
        keys[c.person_id] = found
    every_key = [key for found in keys.values() for key in found]
    if len(every_key) == len(set(every_key)):
        return [[c] for c in candidates]  # no two share a key: no decision to look up
    ids = [c.person_id for c in candidates]
    kept_apart = places.people_kept_apart(session=session, person_ids=ids)
    groups: list[list[ScoredPerson]] = []
    for c in candidates:  # best first
        home = next(
            (
                g
                for g in groups
                if any(keys[c.person_id] & keys[o.person_id] for o in g)
                and not any(frozenset((c.person_id, o.person_id)) in kept_apart for o in g)
            ),
            None,
        )
        if home is None:
            groups.append([c])
        elif c.person_id == linked_person_id:
            home.insert(0, c)
        else:
            home.append(c)
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
