"""A force measures the linkage on its own labelled sample: labelled clusters give the same
pairwise precision and recall as the run's own ground-truth measure, labelled pairs count right
links, wrong links and missed ones, and a file without the expected columns is refused."""

from __future__ import annotations

import csv
from datetime import date
from itertools import combinations

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow, GroundTruthRow
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.services import identity, identity_labels
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

FORCE = SynthRequest(start=date(2024, 3, 1), end=date(2024, 4, 1), scale=0.05, seed=17)


@pytest.fixture
def linked(ctx, actors):
    synth_to_database(ctx, FORCE)
    report = identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    with ctx.db.transaction() as session:
        truth = session.execute(
            select(GroundTruthRow.contact_id, GroundTruthRow.true_person_id)
            .join(ContactRow, ContactRow.id == GroundTruthRow.contact_id)
            .order_by(GroundTruthRow.contact_id)
        ).all()
    return ctx, report, [(int(c), int(p)) for c, p in truth]


def test_labelled_clusters_give_the_runs_precision_and_recall(linked, actors, tmp_path):
    ctx, report, truth = linked
    path = tmp_path / "clusters.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["contact_id", "person"])
        writer.writerows(truth)
    measured = identity_labels.measure_against_labels(
        ctx, actor=actors[Role.ADMINISTRATOR], labels=path
    )
    assert measured.run_id == report.run_id
    assert measured.clusters is not None and report.accuracy is not None
    assert measured.clusters.precision == pytest.approx(report.accuracy.precision)
    assert measured.clusters.recall == pytest.approx(report.accuracy.recall)


def test_labelled_pairs_count_right_wrong_and_missed_links(linked, actors, tmp_path):
    ctx, _report, truth = linked
    by_person: dict[int, list[int]] = {}
    for contact, person in truth:
        by_person.setdefault(person, []).append(contact)
    frequent = max(by_person.values(), key=len)
    other = next(contacts for contacts in by_person.values() if contacts != frequent)
    same_pairs = list(combinations(frequent[:6], 2))
    path = tmp_path / "pairs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_contact_id", "right_contact_id", "same_person"])
        writer.writerows((a, b, "yes") for a, b in same_pairs)
        writer.writerow((frequent[0], other[0], "no"))
    measured = identity_labels.measure_against_labels(
        ctx, actor=actors[Role.ADMINISTRATOR], labels=path
    )
    assert measured.pairs is not None
    assert measured.pairs.labelled == len(same_pairs) + 1
    assert measured.pairs.true_positives + measured.pairs.false_negatives == len(same_pairs)
    assert measured.pairs.recall is not None and measured.pairs.recall >= 0.5


def test_a_labels_file_without_the_expected_columns_is_refused(linked, actors, tmp_path):
    ctx, _report, _truth = linked
    path = tmp_path / "labels.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationFailed, match="left_contact_id"):
        identity_labels.measure_against_labels(ctx, actor=actors[Role.ADMINISTRATOR], labels=path)


def test_each_run_measures_the_model_alone_against_supervisors_decisions(linked, actors):
    ctx, _report, truth = linked
    by_person: dict[int, list[int]] = {}
    for contact, person in truth:
        by_person.setdefault(person, []).append(contact)
    frequent = max(by_person.values(), key=len)
    identity.decide(
        ctx,
        actor=actors[Role.SUPERVISOR],
        left_contact_id=frequent[0],
        right_contact_id=frequent[1],
        same_person=True,
        reason="checked with the caller",
    )
    again = identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    assert again.labelled is not None
    assert again.labelled.labelled == 1
    assert again.labelled.false_positives == 0
