"""Clustering scored pairs into people, with supervisors' decisions."""

from __future__ import annotations

import numpy as np
import pytest

from watchhouse.linkage.clustering import Decision, cluster, group_sizes, labelled_accuracy

pytestmark = pytest.mark.unit


def _cluster(nodes, pairs, threshold=0.9, decisions=()):
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    probability = np.array([p[2] for p in pairs], dtype=np.float64)
    return cluster(
        nodes, left, right, probability, threshold=threshold, decisions=decisions
    ).tolist()


def test_without_decisions_clusters_are_the_connected_components_at_the_threshold():
    pairs = [(0, 1, 0.99), (1, 2, 0.95), (3, 4, 0.5), (4, 5, 0.9)]
    assert _cluster(6, pairs) == [0, 0, 0, 3, 4, 4]


def test_a_pair_exactly_at_the_threshold_is_joined():
    assert _cluster(2, [(0, 1, 0.9)], threshold=0.9) == [0, 0]


def test_different_people_are_never_joined_through_a_chain():
    # 0-1 and 1-2 are likely; a supervisor says 0 and 2 are different people: the weaker link
    # (1-2) is the one not made.
    pairs = [(0, 1, 0.99), (1, 2, 0.95)]
    assert _cluster(3, pairs, decisions=[Decision(0, 2, same=False)]) == [0, 0, 2]


def test_the_stronger_link_wins_whichever_side_it_is_on():
    pairs = [(0, 1, 0.95), (1, 2, 0.99)]
    assert _cluster(3, pairs, decisions=[Decision(0, 2, same=False)]) == [0, 1, 1]


def test_a_same_person_decision_joins_records_the_model_left_apart():
    assert _cluster(3, [(0, 1, 0.2)], decisions=[Decision(0, 2, same=True)]) == [0, 1, 0]


def test_apart_constraints_follow_merged_clusters():
    # 2 may not join 0; 0 and 1 merge first; then 1-2 is refused as it would join 2 to 0.
    pairs = [(0, 1, 0.99), (1, 2, 0.98), (2, 3, 0.97)]
    labels = _cluster(4, pairs, decisions=[Decision(0, 2, same=False)])
    assert labels == [0, 0, 2, 2]


def test_contradictory_decisions_are_refused():
    decisions = [Decision(0, 1, same=True), Decision(1, 2, same=True), Decision(0, 2, same=False)]
    with pytest.raises(ValueError, match="both the same person"):
        _cluster(3, [], decisions=decisions)


def test_group_sizes():
    assert sorted(group_sizes([0, 0, 3, 3, 3, 5])) == [1, 2, 3]


def test_labelled_pairs_give_precision_and_recall_of_the_clusters():
    labels = np.array([0, 0, 0, 3, 4])
    decisions = [
        Decision(0, 1, same=True),  # together, same: true positive
        Decision(1, 2, same=False),  # together, different: false positive
        Decision(3, 4, same=True),  # apart, same: false negative
        Decision(0, 4, same=False),  # apart, different: right
    ]
    measured = labelled_accuracy(labels, decisions)
    assert measured.labelled == 4
    assert measured.precision == 0.5
    assert measured.recall == 0.5
