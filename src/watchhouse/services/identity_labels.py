"""A force's own labelled sample: labelled pairs of contacts (the same person or not) or
labelled clusters (contact and true person), measured against the latest linkage run's
clusters, and kept in the store (`--keep`) so that every later run records its precision,
recall and F1 on them (with the supervisors' decisions and, on the synthetic force, the
ground truth) in `identity_run_metrics`.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from watchhouse.db.repositories import identity as repo
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.identity import PairwiseAccuracy, pairwise_accuracy
from watchhouse.domain.roles import Actor
from watchhouse.linkage.clustering import Decision, LabelledAccuracy, cluster, labelled_accuracy
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

PAIR_COLUMNS = ("left_contact_id", "right_contact_id", "same_person")
CLUSTER_COLUMNS = ("contact_id", "person")
_YES = {"1", "true", "yes", "y", "same"}
_NO = {"0", "false", "no", "n", "different"}


@dataclass(frozen=True)
class LabelReport:
    """The latest run measured on labels: on labelled pairs, or pairwise on labelled
    clusters; and how many labelled contacts the run does not know."""

    run_id: int
    pairs: LabelledAccuracy | None
    clusters: PairwiseAccuracy | None
    unknown_contacts: int


def _number(value: str, row: int, column: str) -> int:
    try:
        return int(value.strip())
    except ValueError as error:
        raise ValidationFailed.one(
            "labels", f"row {row}, {column}: {value!r} is not a contact id"
        ) from error


def _read(path: Path) -> tuple[str, list[tuple[int, int, bool]], list[tuple[int, str]]]:
    if not path.exists():
        raise ValidationFailed.one("labels", f"{path} does not exist")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = tuple(h.strip() for h in reader.fieldnames or ())
        pairs: list[tuple[int, int, bool]] = []
        clusters: list[tuple[int, str]] = []
        if all(c in header for c in PAIR_COLUMNS):
            for row, record in enumerate(reader, start=2):
                same = (record["same_person"] or "").strip().lower()
                if same not in _YES | _NO:
                    raise ValidationFailed.one(
                        "labels", f"row {row}, same_person: {same!r} is not yes or no"
                    )
                pairs.append(
                    (
                        _number(record["left_contact_id"], row, "left_contact_id"),
                        _number(record["right_contact_id"], row, "right_contact_id"),
                        same in _YES,
                    )
                )
            return "pairs", pairs, clusters
        if all(c in header for c in CLUSTER_COLUMNS):
            for row, record in enumerate(reader, start=2):
                person = (record["person"] or "").strip()
                if person:
                    clusters.append((_number(record["contact_id"], row, "contact_id"), person))
            return "clusters", pairs, clusters
    raise ValidationFailed.one(
        "labels",
        f"{path.name}: give the columns {', '.join(PAIR_COLUMNS)} (labelled pairs) or "
        f"{', '.join(CLUSTER_COLUMNS)} (labelled clusters)",
    )


@dataclass(frozen=True)
class KeptLabels:
    """A labelled sample kept in the store: what kind, how many labels were new, how many
    changed an earlier label, and how many named contacts the store does not hold (left out)."""

    kind: str
    added: int
    changed: int
    unknown_contacts: int


def keep_labels(ctx: AppContext, *, actor: Actor, labels: Path) -> KeptLabels:
    """Keep a labelled sample (pairs or clusters) in the store, for every later run to be
    measured on. Re-importing the same file changes nothing; a label given again with a new
    value replaces the earlier one; labels naming contacts the store does not hold are left
    out and counted."""
    kind, pairs, clusters = _read(labels)
    contacts = sorted({c for a, b, _s in pairs for c in (a, b)} | {c for c, _p in clusters})
    with ctx.db.transaction() as session:
        found = repo.contacts_exist(session=session, contact_ids=contacts)
        now = ctx.now()
        if kind == "pairs":
            kept_pairs = [(a, b, s) for a, b, s in pairs if a in found and b in found and a != b]
            added, changed = repo.keep_label_pairs(session=session, pairs=kept_pairs, now=now)
        else:
            kept = [(c, p[:120]) for c, p in clusters if c in found]
            added, changed = repo.keep_label_clusters(session=session, clusters=kept, now=now)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.COLLECTION,
            record_type="identity_labels",
            record_id=0,
            justification=f"labelled sample kept: {added} new and {changed} changed {kind}",
        )
    return KeptLabels(kind, added, changed, sum(1 for c in contacts if c not in found))


def score_labels(
    cluster_of: dict[int, int],
    pairs: Sequence[tuple[int, int, bool]],
    clusters: Sequence[tuple[int, str]],
) -> tuple[LabelledAccuracy | None, PairwiseAccuracy | None]:
    """Clusters (`cluster_of`: contact -> cluster) measured on labelled pairs and on labelled
    clusters (each over the contacts the clusters know; None when none are labelled)."""
    pair_accuracy = None
    if pairs:
        contacts = sorted({c for a, b, _s in pairs for c in (a, b)})
        node = {c: i for i, c in enumerate(contacts)}
        labels_of = np.array([cluster_of.get(c, -1 - i) for i, c in enumerate(contacts)])
        decisions = [
            Decision(node[a], node[b], same)
            for a, b, same in pairs
            if a in cluster_of and b in cluster_of
        ]
        pair_accuracy = labelled_accuracy(labels_of, decisions)
    cluster_accuracy = None
    known = [(cluster_of[c], p) for c, p in clusters if c in cluster_of]
    if known:
        cluster_accuracy = pairwise_accuracy(
            list(Counter(k for k, _p in known).values()),
            list(Counter(p for _k, p in known).values()),
            list(Counter(known).values()),
        )
    return pair_accuracy, cluster_accuracy


def run_metrics(
    run_id: int,
    *,
    cluster_of: dict[int, int],
    pairs: Sequence[tuple[int, int, bool]],
    clusters: Sequence[tuple[int, str]],
    decisions: LabelledAccuracy | None,
    synthetic: PairwiseAccuracy | None,
    synthetic_records: int,
) -> list[repo.RunMetric]:
    """A run's accuracy on each basis there is: the kept labelled pairs and clusters, the
    supervisors' decisions (the model alone) and the synthetic ground truth."""
    on_pairs, on_clusters = score_labels(cluster_of, pairs, clusters)
    metrics = []
    for basis, accuracy in (("labelled_pairs", on_pairs), ("decisions", decisions)):
        if accuracy is not None and accuracy.labelled:
            metrics.append(
                repo.RunMetric(
                    run_id,
                    basis,
                    accuracy.labelled,
                    accuracy.precision,
                    accuracy.recall,
                    _f1(accuracy.precision, accuracy.recall),
                )
            )
    known = sum(1 for c, _p in clusters if c in cluster_of)
    for basis, pairwise, count in (
        ("labelled_clusters", on_clusters, known),
        ("synthetic", synthetic, synthetic_records),
    ):
        if pairwise is not None:
            metrics.append(
                repo.RunMetric(
                    run_id, basis, count, pairwise.precision, pairwise.recall, pairwise.f1
                )
            )
    return metrics


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def measure_against_labels(ctx: AppContext, *, actor: Actor, labels: Path) -> LabelReport:
    """The latest run's clusters measured on a labelled sample (pairs or clusters)."""
    kind, pairs, clusters = _read(labels)
    contacts = sorted({c for a, b, _s in pairs for c in (a, b)} | {c for c, _p in clusters})
    with ctx.db.transaction() as session:
        run_id = repo.latest_run_id(session=session)
        if run_id is None:
            raise ValidationFailed.one(
                "labels", "no linkage run yet: run 'watchhouse identity link' first"
            )
        cluster_of = repo.clusters_of(session=session, contact_ids=contacts)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.COMBINATION,
            record_type="identity_run",
            record_id=run_id,
            justification=f"linkage measured against {len(contacts)} labelled contacts",
        )
    unknown = sum(1 for c in contacts if c not in cluster_of)
    on_pairs, on_clusters = score_labels(cluster_of, pairs, clusters)
    if kind == "pairs":
        return LabelReport(run_id, on_pairs, None, unknown)
    if on_clusters is None:
        on_clusters = pairwise_accuracy([], [], [])
    return LabelReport(run_id, None, on_clusters, unknown)


def model_against_decisions(
    *,
    record_ids: np.ndarray,
    node_of: np.ndarray,
    signature_count: int,
    pairs: pa.Table,
    stored: Sequence[repo.DecisionRecord],
    threshold: float,
) -> LabelledAccuracy | None:
    """How the model alone (its scores, before supervisors' decisions are applied) agrees
    with the supervisors' decisions: precision and recall on the decided pairs."""
    if not stored:
        return None
    labels = cluster(
        signature_count,
        pairs.column("unique_id_l").to_numpy().astype(np.int64),
        pairs.column("unique_id_r").to_numpy().astype(np.int64),
        pairs.column("match_probability").to_numpy().astype(np.float64),
        threshold=threshold,
    )
    position = {int(c): i for i, c in enumerate(record_ids.tolist())}
    # A record not linked at all is alone: give it a label no signature has.
    record_labels = np.where(
        node_of >= 0, labels[np.maximum(node_of, 0)], -1 - np.arange(len(node_of))
    )
    decisions = [
        Decision(position[d.left_contact_id], position[d.right_contact_id], d.same_person)
        for d in stored
        if d.left_contact_id in position and d.right_contact_id in position
    ]
    return labelled_accuracy(record_labels, decisions)
