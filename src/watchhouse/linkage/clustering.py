"""From scored pairs to people: clusters of records, honouring a supervisor's decisions.

splink's own clustering (connected components) cannot be told "these two are not the same
person", so clusters are built here: must-link decisions first, then the scored pairs from the
most to the least likely, joining two clusters unless that would put together two records a
supervisor has said are different people. Without decisions this gives exactly the connected
components at the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Decision:
    """A supervisor's decision about two records: the same person, or not."""

    left: int
    right: int
    same: bool


class _Clusters:
    """Union-find over nodes 0..n-1, keeping for each root the nodes it may never join."""

    def __init__(self, nodes: int) -> None:
        self.parent = np.arange(nodes, dtype=np.int64)
        self.apart: dict[int, set[int]] = {}

    def root(self, node: int) -> int:
        parent = self.parent
        top = node
        while parent[top] != top:
            top = int(parent[top])
        while parent[node] != top:
            parent[node], node = top, int(parent[node])
        return top

    def keep_apart(self, left: int, right: int) -> None:
        a, b = self.root(left), self.root(right)
        self.apart.setdefault(a, set()).add(b)
        self.apart.setdefault(b, set()).add(a)

    def join(self, left: int, right: int, *, forced: bool = False) -> bool:
        a, b = self.root(left), self.root(right)
        if a == b:
            return True
        if not forced and b in self.apart.get(a, ()):
            return False
        keep, gone = min(a, b), max(a, b)
        self.parent[gone] = keep
        moved = self.apart.pop(gone, set())
        if moved:
            mine = self.apart.setdefault(keep, set())
            for other in moved:
                mine.add(other)
                others = self.apart[other]
                others.discard(gone)
                others.add(keep)
            mine.discard(keep)
        return True

    def labels(self) -> np.ndarray:
        return np.array([self.root(n) for n in range(len(self.parent))], dtype=np.int64)


def cluster(
    nodes: int,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    *,
    threshold: float,
    decisions: Iterable[Decision] = (),
) -> np.ndarray:
    """The cluster label of each node (the smallest node in its cluster).

    `left`, `right`, `probability`: scored pairs of nodes. Pairs below `threshold` are
    ignored. Decisions override the scores: "same" pairs are joined whatever their score,
    and "different" pairs end up in different clusters.
    """
    clusters = _Clusters(nodes)
    decided = list(decisions)
    for decision in decided:
        if decision.same:
            clusters.join(decision.left, decision.right, forced=True)
    for decision in decided:
        if not decision.same:
            if clusters.root(decision.left) == clusters.root(decision.right):
                raise ValueError(
                    f"records {decision.left} and {decision.right} are decided both the same "
                    "person (through other decisions) and different people"
                )
            clusters.keep_apart(decision.left, decision.right)
    kept = probability >= threshold
    order = np.argsort(-probability[kept], kind="stable")
    lefts = left[kept][order].tolist()
    rights = right[kept][order].tolist()
    if not clusters.apart:
        parent = clusters.parent
        for a, b in zip(lefts, rights, strict=True):
            ra, rb = clusters.root(a), clusters.root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    else:
        for a, b in zip(lefts, rights, strict=True):
            clusters.join(a, b)
    return clusters.labels()


def group_sizes(labels: Sequence[int] | np.ndarray) -> list[int]:
    """How many members each distinct label has."""
    _values, counts = np.unique(np.asarray(labels), return_counts=True)
    return [int(c) for c in counts]


@dataclass(frozen=True)
class LabelledAccuracy:
    """How a clustering agrees with labelled pairs (a supervisor's decisions, or a labelled
    sample): pairs labelled the same person and put together (true positives), labelled
    different but put together (false positives), labelled the same but kept apart (false
    negatives)."""

    true_positives: int
    false_positives: int
    false_negatives: int
    labelled: int

    @property
    def precision(self) -> float | None:
        """Of the labelled pairs put together, the share labelled the same person."""
        together = self.true_positives + self.false_positives
        return self.true_positives / together if together else None

    @property
    def recall(self) -> float | None:
        """Of the pairs labelled the same person, the share put together."""
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else None


def labelled_accuracy(labels: np.ndarray, decisions: Iterable[Decision]) -> LabelledAccuracy:
    """Precision and recall of cluster labels (one per node) on labelled pairs of nodes."""
    tp = fp = fn = count = 0
    for decision in decisions:
        count += 1
        together = bool(labels[decision.left] == labels[decision.right])
        if together and decision.same:
            tp += 1
        elif together:
            fp += 1
        elif decision.same:
            fn += 1
    return LabelledAccuracy(tp, fp, fn, count)
