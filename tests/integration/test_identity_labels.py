"""A force measures the linkage on its own labelled sample: labelled clusters give the same
pairwise precision and recall as the run's own ground-truth measure, labelled pairs count right
links, wrong links and missed ones, and a file without the expected columns is refused."""

from __future__ import annotations

import csv
from datetime import date
from itertools import combinations

import pytest
from sqlalchemy import func, select

from watchhouse.db.tables import ContactRow, GroundTruthRow, IdentityClusterRow
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


def _write_clusters(path, rows) -> None:  # type: ignore[no-untyped-def]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["contact_id", "person"])
        writer.writerows(rows)


def test_kept_labelled_clusters_are_measured_with_every_later_run(linked, actors, tmp_path):
    ctx, report, truth = linked
    admin = actors[Role.ADMINISTRATOR]
    path = tmp_path / "clusters.csv"
    _write_clusters(path, [*truth, (99_999_999, "someone")])
    kept = identity_labels.keep_labels(ctx, actor=admin, labels=path)
    assert (kept.kind, kept.added, kept.changed, kept.unknown_contacts) == (
        "clusters",
        len(truth),
        0,
        1,
    )
    again = identity_labels.keep_labels(ctx, actor=admin, labels=path)
    assert (again.added, again.changed) == (0, 0), "re-importing the same file changes nothing"

    run = identity.link_identities(ctx, actor=admin)
    by_basis = {m.basis: m for m in run.metrics}
    assert run.accuracy is not None
    on_labels = by_basis["labelled_clusters"]
    with ctx.db.transaction() as session:
        linked_truth = session.scalar(
            select(func.count())
            .select_from(GroundTruthRow)
            .join(IdentityClusterRow, IdentityClusterRow.contact_id == GroundTruthRow.contact_id)
        )
    assert on_labels.labelled == linked_truth
    assert on_labels.precision == pytest.approx(run.accuracy.precision)
    assert on_labels.recall == pytest.approx(run.accuracy.recall)
    assert on_labels.f1 == pytest.approx(run.accuracy.f1)
    stored = identity.recent_run_metrics(ctx)
    assert stored[run.run_id]["labelled_clusters"] == on_labels
    assert "labelled_clusters" not in stored[report.run_id], "the first run had no labels"
    assert stored[run.run_id]["synthetic"].precision == pytest.approx(run.accuracy.precision)


def test_kept_labelled_pairs_take_a_changed_label_and_score_each_run(linked, actors, tmp_path):
    ctx, _report, truth = linked
    admin = actors[Role.ADMINISTRATOR]
    by_person: dict[int, list[int]] = {}
    for contact, person in truth:
        by_person.setdefault(person, []).append(contact)
    frequent = max(by_person.values(), key=len)
    other = next(contacts for contacts in by_person.values() if contacts != frequent)
    path = tmp_path / "pairs.csv"

    def write(label_of_first: str) -> None:
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["left_contact_id", "right_contact_id", "same_person"])
            writer.writerow((frequent[1], frequent[0], label_of_first))
            writer.writerow((frequent[0], frequent[2], "yes"))
            writer.writerow((frequent[0], other[0], "no"))

    write("yes")
    first = identity_labels.keep_labels(ctx, actor=admin, labels=path)
    write("no")  # a later look: the first pair is not one person after all
    second = identity_labels.keep_labels(ctx, actor=admin, labels=path)
    assert (first.added, first.changed, second.added, second.changed) == (3, 0, 0, 1)

    run = identity.link_identities(ctx, actor=admin)
    (on_pairs,) = [m for m in run.metrics if m.basis == "labelled_pairs"]
    assert on_pairs.labelled == 3
    assert on_pairs.precision is not None and on_pairs.recall is not None
    # Checked against the run's stored clusters: the pair now labelled "no" counts as a
    # wrong link if the run put it together, the "yes" pair as right or missed.
    with ctx.db.transaction() as session:
        cluster = dict(
            session.execute(
                select(IdentityClusterRow.contact_id, IdentityClusterRow.cluster_id).where(
                    IdentityClusterRow.contact_id.in_([*frequent[:3], other[0]])
                )
            ).all()
        )
    wrong = int(cluster[frequent[0]] == cluster[frequent[1]])
    right = int(cluster[frequent[0]] == cluster[frequent[2]])
    wrong += int(cluster[frequent[0]] == cluster[other[0]])
    assert on_pairs.recall == right
    assert on_pairs.precision == (right / (right + wrong) if right + wrong else None)
    assert identity.recent_run_metrics(ctx)[run.run_id]["labelled_pairs"] == on_pairs
