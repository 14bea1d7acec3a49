"""Identity resolution on a small synthetic force, on SQLite and PostgreSQL: the batch linkage
meets the accuracy floor against the ground truth, re-runs replace the clusters, supervisors'
merges and splits survive re-runs, and the handler is offered the known person, with a
probability, while the caller is on the line."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from watchhouse.db.tables import (
    AccessLogRow,
    ContactRow,
    GroundTruthRow,
    IdentityClusterRow,
    IdentityRunRow,
    PersonRow,
)
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.services import contacts, identity
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

# Two months of the default profile at 5%: about 4,400 contact records that name their caller.
FORCE = SynthRequest(start=date(2024, 3, 1), end=date(2024, 5, 1), scale=0.05, seed=17)
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.90


@pytest.fixture
def force(ctx, actors):
    synth_to_database(ctx, FORCE)
    return ctx


def _clusters(ctx) -> dict[int, int]:
    with ctx.db.transaction() as session:
        rows = session.execute(select(IdentityClusterRow.contact_id, IdentityClusterRow.cluster_id))
        return {contact: cluster for contact, cluster in rows}


def _frequent_caller_contacts(ctx) -> list[int]:
    """The contacts (naming their caller) of the true person who called most."""
    with ctx.db.transaction() as session:
        person = session.execute(
            select(GroundTruthRow.true_person_id)
            .join(ContactRow, ContactRow.id == GroundTruthRow.contact_id)
            .where(ContactRow.caller_family_name.is_not(None))
            .group_by(GroundTruthRow.true_person_id)
            .order_by(func.count().desc(), GroundTruthRow.true_person_id)
            .limit(1)
        ).scalar_one()
        return list(
            session.scalars(
                select(GroundTruthRow.contact_id)
                .join(ContactRow, ContactRow.id == GroundTruthRow.contact_id)
                .where(
                    GroundTruthRow.true_person_id == person,
                    ContactRow.caller_family_name.is_not(None),
                )
                .order_by(GroundTruthRow.contact_id)
            )
        )


def test_linkage_meets_the_accuracy_floor_against_the_ground_truth(force, actors):
    report = identity.link_identities(force, actor=actors[Role.ADMINISTRATOR])

    assert report.accuracy is not None
    assert report.accuracy.precision >= PRECISION_FLOOR
    assert report.accuracy.recall >= RECALL_FLOOR
    # Frequent callers repeat their details: far fewer distinct records than records.
    assert report.signatures < report.records
    assert report.clusters < report.records
    clusters = _clusters(force)
    assert len(clusters) == report.records
    # Every cluster is named by its smallest contact id.
    smallest: dict[int, int] = {}
    for contact, cluster in clusters.items():
        smallest[cluster] = min(smallest.get(cluster, contact), contact)
    assert all(cluster == first for cluster, first in smallest.items())
    with force.db.transaction() as session:
        run = session.scalars(select(IdentityRunRow)).one()
        logged = session.scalars(
            select(AccessLogRow).where(AccessLogRow.record_type == "identity_run")
        ).all()
    assert (run.precision, run.recall) == (report.accuracy.precision, report.accuracy.recall)
    assert [(e.operation, e.record_id) for e in logged] == [("combination", str(run.id))]


def test_a_rerun_replaces_the_clusters_and_keeps_both_runs(force, actors):
    admin = actors[Role.ADMINISTRATOR]
    first = identity.link_identities(force, actor=admin)
    second = identity.link_identities(force, actor=admin)

    assert second.run_id != first.run_id
    assert (second.records, second.clusters) == (first.records, first.clusters)
    with force.db.transaction() as session:
        runs = session.scalars(select(IdentityRunRow.id).order_by(IdentityRunRow.id)).all()
        stored = session.scalars(select(IdentityClusterRow.run_id).distinct()).all()
    assert runs == [first.run_id, second.run_id]
    assert stored == [second.run_id]
    assert len(_clusters(force)) == second.records


def test_merges_and_splits_by_a_supervisor_survive_reruns(force, actors):
    admin, supervisor = actors[Role.ADMINISTRATOR], actors[Role.SUPERVISOR]
    identity.link_identities(force, actor=admin)
    clusters = _clusters(force)
    caller = _frequent_caller_contacts(force)
    assert len({clusters[c] for c in caller}) == 1, "the frequent caller is one person"
    stranger = next(c for c in sorted(clusters) if clusters[c] != clusters[caller[0]])

    identity.decide(
        force,
        actor=supervisor,
        left_contact_id=caller[0],
        right_contact_id=stranger,
        same_person=True,
        reason="confirmed by the caller's support worker",
    )
    clusters = _clusters(force)
    assert clusters[caller[0]] == clusters[stranger], "a merge takes effect at once"
    together = [c for c, k in clusters.items() if k == clusters[caller[-1]] and c != caller[-1]]
    split = identity.split_off(
        force,
        actor=supervisor,
        contact_id=caller[-1],
        reason="a different person using the caller's details",
    )
    clusters = _clusters(force)
    assert clusters[caller[-1]] == caller[-1], "a split takes effect at once"
    assert len(split) == len(together)  # one decision for each record it was linked with
    with force.db.transaction() as session:
        altered = session.scalars(
            select(AccessLogRow.record_id).where(
                AccessLogRow.operation == "alteration",
                AccessLogRow.username == supervisor.username,
            )
        ).all()
    # Every contact whose linkage a decision changed is logged: both of the merge, and the
    # split contact with each record it was parted from.
    assert sorted(altered) == sorted(str(c) for c in (caller[0], stranger, caller[-1], *together))
    for _ in range(2):
        report = identity.link_identities(force, actor=admin)
        clusters = _clusters(force)
        assert report.decisions == 1 + len(split)
        assert clusters[caller[0]] == clusters[stranger]
        assert all(clusters[caller[-1]] != clusters[c] for c in caller[:-1])
        # The split took one record away; the rest of the caller's records stay together.
        assert len({clusters[c] for c in caller[:-1]}) == 1


@pytest.mark.parametrize(
    ("left", "right", "same", "reason", "field"),
    [
        (1, 1, True, "same record twice", "right_contact_id"),
        (1, 2, True, "   ", "reason"),
    ],
)
def test_a_decision_with_bad_input_is_refused_and_nothing_is_stored(
    force, actors, left, right, same, reason, field
):
    with pytest.raises(ValidationFailed) as refused:
        identity.decide(
            force,
            actor=actors[Role.SUPERVISOR],
            left_contact_id=left,
            right_contact_id=right,
            same_person=same,
            reason=reason,
        )
    assert [p.field for p in refused.value.problems] == [field]
    with pytest.raises(NotFound, match="contact 99999999 not found"):
        identity.decide(
            force,
            actor=actors[Role.SUPERVISOR],
            left_contact_id=1,
            right_contact_id=99_999_999,
            same_person=True,
            reason="no such contact",
        )
    report = identity.link_identities(force, actor=actors[Role.ADMINISTRATOR])
    assert report.decisions == 0


def test_a_decision_contradicting_earlier_ones_is_refused(force, actors):
    supervisor = actors[Role.SUPERVISOR]
    for left, right in ((1, 2), (2, 3)):
        identity.decide(
            force,
            actor=supervisor,
            left_contact_id=left,
            right_contact_id=right,
            same_person=True,
            reason="same caller",
        )
    with pytest.raises(ValidationFailed, match="contradicts earlier decisions"):
        identity.decide(
            force,
            actor=supervisor,
            left_contact_id=3,
            right_contact_id=1,
            same_person=False,
            reason="not the same",
        )


def test_the_handler_is_offered_the_known_person_with_a_probability(force, actors):
    handler = actors[Role.CALL_HANDLER]
    latest = _frequent_caller_contacts(force)[-1]
    before = contacts.get_contact(force, actor=handler, contact_id=latest, justification="call")
    assert before.likely_matches == ()
    assert before.matching_note is not None and "identity link" in before.matching_note

    identity.link_identities(force, actor=actors[Role.ADMINISTRATOR])
    view = contacts.get_contact(force, actor=handler, contact_id=latest, justification="call")

    assert view.matching_note is None
    assert view.likely_matches, "the caller's earlier records make them a likely match"
    best = view.likely_matches[0]
    assert best.probability > 0.9
    assert [m.probability for m in view.likely_matches] == sorted(
        (m.probability for m in view.likely_matches), reverse=True
    )
    with force.db.transaction() as session:
        true_people = set(
            session.scalars(
                select(GroundTruthRow.true_person_id).where(
                    GroundTruthRow.contact_id.in_(
                        select(ContactRow.id).where(ContactRow.person_id == best.person.id)
                    )
                )
            )
        )
        truth = session.scalar(
            select(GroundTruthRow.true_person_id).where(GroundTruthRow.contact_id == latest)
        )
    assert truth in true_people
    assert any(name == "family_name" for name, _label, _weight in best.evidence)


def test_confirming_the_caller_relinks_the_contact_and_is_logged(force, actors):
    handler = actors[Role.CALL_HANDLER]
    caller = _frequent_caller_contacts(force)
    with force.db.transaction() as session:
        other_person = session.scalar(
            select(PersonRow.id)
            .where(
                PersonRow.id.not_in(select(ContactRow.person_id).where(ContactRow.id == caller[-1]))
            )
            .limit(1)
        )
    person = identity.confirm_caller(
        force, actor=handler, contact_id=caller[-1], person_id=other_person
    )
    new_person = identity.confirm_caller(force, actor=handler, contact_id=caller[0], person_id=None)

    with force.db.transaction() as session:
        relinked = session.execute(
            select(ContactRow.id, ContactRow.person_id).where(
                ContactRow.id.in_([caller[0], caller[-1]])
            )
        )
        linked = {contact: person for contact, person in relinked}
        made = session.get(PersonRow, new_person)
        recorded_family = session.scalar(
            select(ContactRow.caller_family_name).where(ContactRow.id == caller[0])
        )
        entries = session.scalars(
            select(AccessLogRow).where(
                AccessLogRow.record_type == "person", AccessLogRow.username == handler.username
            )
        ).all()
    assert person == other_person
    assert linked == {caller[-1]: other_person, caller[0]: new_person}
    assert made is not None and made.family_name == recorded_family
    assert {(e.operation, e.record_id) for e in entries} == {
        ("combination", str(other_person)),
        ("collection", str(new_person)),
    }
    with pytest.raises(NotFound, match="person 99999999 not found"):
        identity.confirm_caller(force, actor=handler, contact_id=caller[0], person_id=99_999_999)


def test_candidates_by_family_name_are_the_most_recent_of_every_spelling_together(ctx, clock):
    """The lookup reads each spelling apart; together they must still be the most recently
    recorded `limit` people, as one lookup over all spellings gave."""
    from watchhouse.db.repositories import identity as identity_repo
    from watchhouse.db.repositories import places

    spellings = ["Okafor", "OKAFOR", "okafor"]
    with ctx.db.transaction() as session:
        made = [
            places.add_person(
                session=session,
                given_name="Ada",
                family_name=spellings[number % 3 if number % 5 else 0],
                date_of_birth=None,
                now=ctx.now(),
            ).id
            for number in range(40)
        ]
        places.add_person(
            session=session,
            given_name="Ada",
            family_name="Okafur",
            date_of_birth=None,
            now=ctx.now(),
        )
        found = identity_repo.candidate_people(
            session=session,
            telephone=None,
            family_names=spellings,
            date_of_birth=None,
            limit=20,
        )
        only_one = identity_repo.candidate_people(
            session=session,
            telephone=None,
            family_names=["OKAFOR"],
            date_of_birth=None,
            limit=5,
        )
    assert [c.person_id for c in found] == sorted(made)[-20:]
    upper = [p for n, p in enumerate(made) if n % 5 and n % 3 == 1]
    assert [c.person_id for c in only_one] == sorted(upper)[-5:]
