"""A force's own labelled sample: labelled pairs of contacts (the same person or not) or
labelled clusters (contact and true person), measured against the latest linkage run's
clusters, so that each run's precision and recall can be checked on the force's own records.
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
    if kind == "pairs":
        node = {c: i for i, c in enumerate(contacts)}
        labels_of = np.array([cluster_of.get(c, -1 - i) for i, c in enumerate(contacts)])
        decisions = [
            Decision(node[a], node[b], same)
            for a, b, same in pairs
            if a in cluster_of and b in cluster_of
        ]
        return LabelReport(run_id, labelled_accuracy(labels_of, decisions), None, unknown)
    known = [(cluster_of[c], p) for c, p in clusters if c in cluster_of]
    accuracy = pairwise_accuracy(
        list(Counter(k for k, _p in known).values()),
        list(Counter(p for _k, p in known).values()),
        list(Counter(known).values()),
    )
    return LabelReport(run_id, None, accuracy, unknown)


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
