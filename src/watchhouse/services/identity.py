"""Identity resolution: the batch linkage of every contact record (splink), and supervisors'
merges and splits. The likely matches shown to the handler while the caller is on the line
are in services/identity_online.py (re-exported here)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from watchhouse.db.repositories import identity as repo
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.repositories.identity import RunMetric
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import (
    FieldProblem,
    NotFound,
    StaleDecision,
    ValidationFailed,
)
from watchhouse.domain.identity import (
    PairwiseAccuracy,
    pairwise_accuracy,
)
from watchhouse.domain.records import DecisionView, contact_reference
from watchhouse.domain.roles import Actor
from watchhouse.linkage.clustering import Decision, LabelledAccuracy, cluster, group_sizes
from watchhouse.linkage.engines import EngineName, open_engine
from watchhouse.linkage.fields import FieldSpec, UnlinkableRecords
from watchhouse.linkage.records import normalise, signatures, with_derived
from watchhouse.policy.model import IdentityPolicy
from watchhouse.services import first_contact, identity_labels
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext
from watchhouse.services.identity_files import plan_limits, training_knobs
from watchhouse.services.identity_labels import model_against_decisions
from watchhouse.services.identity_online import (
    ScoredPerson,
    as_compared,
    caller_record,
    candidate_appearances,
    candidate_people_of,
    confirm_caller,
    likely_matches_in,
    scored_people,
    trained_model,
)

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
    metrics: tuple[repo.RunMetric, ...] = ()


def _informative(records: pa.Table, extra: Sequence[str] = ()) -> np.ndarray:
    """Records with enough to link on: two or more details, one of them a family name, date
    of birth, telephone number or one of the force's extra identifiers. The rest stay people
    of their own."""
    present = [
        pc.is_valid(records.column(c)).to_numpy(zero_copy_only=False)
        for c in ("given_name", "family_name", "date_text", "telephone", "postcode", *extra)
    ]
    count = np.sum(present, axis=0)
    strong = present[1] | present[2] | present[3]
    for column in present[5:]:
        strong = strong | column
    return np.asarray((count >= 2) & strong)


def extra_field_specs(policy: IdentityPolicy) -> list[FieldSpec]:
    """The force's extra identifiers as fields of the linkage."""
    return [FieldSpec(e.name, e.kind, (e.name,)) for e in policy.extra_identifiers]


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
    extra = extra_field_specs(policy)
    if not 0 < cut < 1:
        raise ValidationFailed.one("threshold", "must be between 0 and 1")
    started_at = ctx.now()
    clock = time.perf_counter()
    tell("reading contact records")
    with ctx.db.transaction() as session:
        raw = repo.linkage_records(session=session, extra=[s.name for s in extra])
        stored = repo.decisions(session=session)
        truth = repo.ground_truth(session=session)
        label_pairs = repo.label_pairs(session=session)
        label_clusters = repo.label_clusters(session=session)
    tell(f"normalising {raw.num_rows:,} records")
    records = normalise(raw)
    record_ids = records.column("record_id").to_numpy()
    informative = _informative(records, [s.name for s in extra])
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
                plan = linkage_model.store_plan(sig_table, plan_limits(policy), extra)
                linker, trained = linkage_model.train(
                    backend,
                    sig_table,
                    training_records=with_derived(linkable_records),
                    plan=plan,
                    knobs=training_knobs(policy),
                    tell=tell,
                    extra=extra,
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
    labelled_contacts = sorted(
        {c for a, b, _s in label_pairs for c in (a, b)} | {c for c, _p in label_clusters}
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
        metrics = identity_labels.run_metrics(
            run_id,
            cluster_of=_clusters_of(record_ids, clusters, labelled_contacts),
            pairs=label_pairs,
            clusters=label_clusters,
            decisions=labelled,
            synthetic=accuracy,
            synthetic_records=truth.num_rows,
        )
        repo.add_run_metrics(session=session, metrics=metrics)
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
        tuple(metrics),
    )


def _clusters_of(
    record_ids: np.ndarray, clusters: np.ndarray, contacts: Sequence[int]
) -> dict[int, int]:
    """The cluster of each of these contacts among the linked records (ids ascending)."""
    if not contacts or len(record_ids) == 0:
        return {}
    wanted = np.asarray(contacts, dtype=np.int64)
    at = np.minimum(np.searchsorted(record_ids, wanted), len(record_ids) - 1)
    found = record_ids[at] == wanted
    return {int(c): int(k) for c, k in zip(wanted[found], clusters[at[found]], strict=True)}


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


def recent_run_metrics(ctx: AppContext) -> dict[int, dict[str, repo.RunMetric]]:
    """The latest runs and their accuracy on each basis measured (kept labels, supervisors'
    decisions, the synthetic ground truth): run id -> basis -> metric."""
    with ctx.db.transaction() as session:
        ids = [r.id for r in repo.runs(session=session)]
        found: dict[int, dict[str, repo.RunMetric]] = {i: {} for i in ids}
        for metric in repo.run_metrics(session=session, run_ids=ids):
            found[metric.run_id][metric.basis] = metric
        return found


# --- supervisors' decisions ----------------------------------------------------------------


def decide(
    ctx: AppContext,
    *,
    actor: Actor,
    left_contact_id: int,
    right_contact_id: int,
    same_person: bool,
    reason: str,
    decisions_seen: int | None = None,
) -> int:
    """Record that two contacts are (or are not) the same person; later runs keep it.

    `decisions_seen` is the latest decision the supervisor's page showed (0: none): when
    another decision about either contact has been recorded since, the decision is refused
    (StaleDecision), so that one supervisor never silently overrides what another decided while
    the page was open."""
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
        decisions_seen=decisions_seen,
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
    decisions_seen: int | None = None,
) -> list[int]:
    """Decisions between one contact and others, checked against the earlier ones (and, with
    `decisions_seen`, refused when any about these contacts is newer than that), stored and
    logged in one transaction; the latest clusters are updated to match."""
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why (it is kept with the decision)")
    with ctx.db.transaction() as session:
        wanted = [contact_id, *others]
        found = repo.contacts_exist(session=session, contact_ids=wanted)
        for contact in wanted:
            if contact not in found:
                raise NotFound("contact", contact)
        repo.hold_decision_lock(session=session)
        earlier = repo.decisions(session=session)
        if decisions_seen is not None:
            _check_not_stale(session, earlier, set(wanted), decisions_seen)
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


def _check_not_stale(
    session: Session, earlier: Sequence[repo.DecisionRecord], contact_ids: set[int], seen: int
) -> None:
    """Refuse a decision made without seeing a decision about these contacts recorded after
    decision `seen` (on a page loaded before it, or at the command line without `--seen`)."""
    newer = [
        d for d in earlier if d.id > seen and {d.left_contact_id, d.right_contact_id} & contact_ids
    ]
    if newer:
        last = max(newer, key=lambda d: d.id)
        said = "the same person" if last.same_person else "not the same person"
        latest = DecisionView(
            id=last.id,
            left_contact_id=last.left_contact_id,
            right_contact_id=last.right_contact_id,
            same_person=last.same_person,
            reason=last.reason,
            decided_by=user_repo.actor(session=session, user_id=last.decided_by).username,
            decided_at=last.decided_at,
        )
        raise StaleDecision(
            f"since this page was loaded, a decision about these contacts was recorded: "
            f"{contact_reference(last.left_contact_id)} and "
            f"{contact_reference(last.right_contact_id)} are {said}. Nothing was changed; "
            "read the decisions now shown and decide again",
            latest=latest,
            newer=len(newer),
        )


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


__all__ = [
    "LinkageReport",
    "RunMetric",
    "ScoredPerson",
    "as_compared",
    "caller_record",
    "candidate_appearances",
    "candidate_people_of",
    "confirm_caller",
    "decide",
    "likely_matches_in",
    "link_identities",
    "recent_runs",
    "scored_people",
    "split_off",
    "trained_model",
]
