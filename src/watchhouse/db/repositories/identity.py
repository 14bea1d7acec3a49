"""Identity resolution in the store: the contact records linked in batch, the runs and their
clusters, supervisors' decisions, and the candidate people for the online check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    delete,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from watchhouse.db import bulk
from watchhouse.db.repositories import places
from watchhouse.db.tables import (
    ContactIdentifierRow,
    ContactRow,
    GroundTruthRow,
    IdentityClusterRow,
    IdentityDecisionRow,
    IdentityLabelClusterRow,
    IdentityLabelPairRow,
    IdentityRunMetricRow,
    IdentityRunRow,
    PersonRow,
    PersonTelephoneRow,
    TelephoneNumberRow,
)

_CHUNK = 100_000
_IN_CHUNK = 900


@dataclass(frozen=True)
class RunRecord:
    """A stored linkage run."""

    id: int
    engine: str
    started_at: datetime
    finished_at: datetime
    threshold: float
    records: int
    signatures: int
    pairs: int
    clusters: int
    decisions: int
    model_json: str
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class DecisionRecord:
    """A stored decision about two contacts."""

    id: int
    left_contact_id: int
    right_contact_id: int
    same_person: bool
    reason: str
    decided_by: int
    decided_at: datetime


@dataclass(frozen=True)
class CandidateRecord:
    """One recorded appearance of a candidate person: a contact, or the person record."""

    person_id: int
    contact_id: int | None
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    telephone: str | None
    postcode: str | None
    presented_at: datetime | None
    # The force's extra identifiers on this record (name, value), sorted by name.
    identifiers: tuple[tuple[str, str], ...] = ()


def linkage_records(*, session: Session, extra: Sequence[str] = ()) -> pa.Table:
    """Every contact that names its caller (a family name or a date of birth), as recorded:
    record_id, given_name, family_name, date_of_birth, telephone, postcode, and a column for
    each of the `extra` identifiers (normalised when stored; null where not given)."""
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "record_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "telephone",
            "postcode",
        )
    }
    statement = (
        select(
            ContactRow.id,
            ContactRow.caller_given_name,
            ContactRow.caller_family_name,
            ContactRow.caller_date_of_birth,
            ContactRow.caller_telephone,
            ContactRow.caller_postcode,
        )
        .where(
            or_(
                ContactRow.caller_family_name.is_not(None),
                ContactRow.caller_date_of_birth.is_not(None),
            )
        )
        .order_by(ContactRow.id)
    )
    result = session.execute(statement.execution_options(yield_per=_CHUNK))
    for partition in result.partitions(_CHUNK):
        for name, values in zip(columns, zip(*partition, strict=True), strict=True):
            columns[name].extend(values)
    return pa.table(
        {
            "record_id": pa.array(columns["record_id"], pa.int64()),
            "given_name": pa.array(columns["given_name"], pa.string()),
            "family_name": pa.array(columns["family_name"], pa.string()),
            "date_of_birth": pa.array(columns["date_of_birth"], pa.date32()),
            "telephone": pa.array(columns["telephone"], pa.string()),
            "postcode": pa.array(columns["postcode"], pa.string()),
            **_extra_columns(session, columns["record_id"], extra),
        }
    )


def _extra_columns(
    session: Session, record_ids: list[object], names: Sequence[str]
) -> dict[str, pa.Array]:
    """One column per extra identifier, aligned with `record_ids` (sorted ascending)."""
    if not names:
        return {}
    position = {contact: i for i, contact in enumerate(record_ids)}
    values: dict[str, list[str | None]] = {n: [None] * len(record_ids) for n in names}
    statement = select(
        ContactIdentifierRow.contact_id, ContactIdentifierRow.name, ContactIdentifierRow.value
    ).where(ContactIdentifierRow.name.in_(list(names)))
    result = session.execute(statement.execution_options(yield_per=_CHUNK))
    for partition in result.partitions(_CHUNK):
        for contact, name, value in partition:
            index = position.get(contact)
            if index is not None:
                values[name][index] = value
    return {n: pa.array(v, pa.string()) for n, v in values.items()}


def add_identifiers(*, session: Session, contact_id: int, values: dict[str, str]) -> None:
    """Keep a contact's extra identifiers (already normalised)."""
    for name, value in values.items():
        session.add(ContactIdentifierRow(contact_id=contact_id, name=name, value=value))
    session.flush()


def identifiers_of(*, session: Session, contact_id: int) -> dict[str, str]:
    """A contact's extra identifiers, by name."""
    rows = session.execute(
        select(ContactIdentifierRow.name, ContactIdentifierRow.value).where(
            ContactIdentifierRow.contact_id == contact_id
        )
    )
    return {name: value for name, value in rows}


def identifiers_of_contacts(
    *, session: Session, contact_ids: Sequence[int]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """The extra identifiers of each of these contacts (name, value), sorted by name."""
    found: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(contact_ids), _IN_CHUNK):
        part = list(contact_ids[start : start + _IN_CHUNK])
        rows = session.execute(
            select(
                ContactIdentifierRow.contact_id,
                ContactIdentifierRow.name,
                ContactIdentifierRow.value,
            ).where(ContactIdentifierRow.contact_id.in_(part))
        )
        for contact, name, value in rows:
            found.setdefault(contact, []).append((name, value))
    return {contact: tuple(sorted(values)) for contact, values in found.items()}


def people_with_identifiers(
    *, session: Session, identifiers: Sequence[tuple[str, str]], limit: int
) -> dict[int, tuple[tuple[str, str], ...]]:
    """The people linked to contacts that carry any of these identifiers (name, value), at
    most `limit` contacts per identifier, the most recent first (index on name and value),
    with the identifiers each was found by."""
    found: dict[int, set[tuple[str, str]]] = {}
    for name, value in identifiers:
        rows = session.execute(
            select(ContactRow.person_id)
            .join(ContactIdentifierRow, ContactIdentifierRow.contact_id == ContactRow.id)
            .where(
                ContactIdentifierRow.name == name,
                ContactIdentifierRow.value == value,
                ContactRow.person_id.is_not(None),
            )
            .order_by(ContactIdentifierRow.contact_id.desc())
            .limit(limit)
        )
        for (person,) in rows:
            if person is not None:
                found.setdefault(person, set()).add((name, value))
    return {person: tuple(sorted(values)) for person, values in found.items()}


# --- labelled samples and each run's accuracy ---------------------------------------------


def keep_label_pairs(
    *, session: Session, pairs: Sequence[tuple[int, int, bool]], now: datetime
) -> tuple[int, int]:
    """Keep labelled pairs (smaller id on the left; a later label of a pair replaces the
    earlier); return how many were added and how many changed."""
    wanted: dict[tuple[int, int], bool] = {}
    for left, right, same in pairs:
        wanted[(min(left, right), max(left, right))] = same
    existing = {
        (r.left_contact_id, r.right_contact_id): r
        for r in session.scalars(select(IdentityLabelPairRow))
    }
    added = changed = 0
    for (left, right), same in wanted.items():
        row = existing.get((left, right))
        if row is None:
            session.add(
                IdentityLabelPairRow(
                    left_contact_id=left, right_contact_id=right, same_person=same, imported_at=now
                )
            )
            added += 1
        elif row.same_person != same:
            row.same_person = same
            row.imported_at = now
            changed += 1
    session.flush()
    return added, changed


def keep_label_clusters(
    *, session: Session, clusters: Sequence[tuple[int, str]], now: datetime
) -> tuple[int, int]:
    """Keep labelled contacts (contact, true person; a later label replaces the earlier);
    return how many were added and how many changed."""
    wanted = dict(clusters)
    existing = {r.contact_id: r for r in session.scalars(select(IdentityLabelClusterRow))}
    added = changed = 0
    for contact, person in wanted.items():
        row = existing.get(contact)
        if row is None:
            session.add(IdentityLabelClusterRow(contact_id=contact, person=person, imported_at=now))
            added += 1
        elif row.person != person:
            row.person = person
            row.imported_at = now
            changed += 1
    session.flush()
    return added, changed


def label_pairs(*, session: Session) -> list[tuple[int, int, bool]]:
    """The kept labelled pairs."""
    rows = session.execute(
        select(
            IdentityLabelPairRow.left_contact_id,
            IdentityLabelPairRow.right_contact_id,
            IdentityLabelPairRow.same_person,
        ).order_by(IdentityLabelPairRow.left_contact_id, IdentityLabelPairRow.right_contact_id)
    )
    return [(left, right, same) for left, right, same in rows]


def label_clusters(*, session: Session) -> list[tuple[int, str]]:
    """The kept labelled contacts and their true person."""
    rows = session.execute(
        select(IdentityLabelClusterRow.contact_id, IdentityLabelClusterRow.person).order_by(
            IdentityLabelClusterRow.contact_id
        )
    )
    return [(contact, person) for contact, person in rows]


@dataclass(frozen=True)
class RunMetric:
    """A run's accuracy on one basis."""

    run_id: int
    basis: str
    labelled: int
    precision: float | None
    recall: float | None
    f1: float | None


def add_run_metrics(*, session: Session, metrics: Sequence[RunMetric]) -> None:
    """Keep a run's accuracy on each basis measured."""
    for m in metrics:
        session.add(
            IdentityRunMetricRow(
                run_id=m.run_id,
                basis=m.basis,
                labelled=m.labelled,
                precision=m.precision,
                recall=m.recall,
                f1=m.f1,
            )
        )
    session.flush()


def run_metrics(*, session: Session, run_ids: Sequence[int]) -> list[RunMetric]:
    """The accuracy kept with these runs."""
    if not run_ids:
        return []
    rows = session.scalars(
        select(IdentityRunMetricRow)
        .where(IdentityRunMetricRow.run_id.in_(list(run_ids)))
        .order_by(IdentityRunMetricRow.run_id, IdentityRunMetricRow.basis)
    )
    return [RunMetric(r.run_id, r.basis, r.labelled, r.precision, r.recall, r.f1) for r in rows]


def ground_truth(*, session: Session) -> pa.Table:
    """Synthetic data only: contact_id and true_person_id (empty for a real force)."""
    contact_ids: list[int] = []
    people: list[int] = []
    statement = select(GroundTruthRow.contact_id, GroundTruthRow.true_person_id)
    result = session.execute(statement.execution_options(yield_per=_CHUNK))
    for partition in result.partitions(_CHUNK):
        for contact_id, person in partition:
            contact_ids.append(contact_id)
            people.append(person)
    return pa.table(
        {
            "contact_id": pa.array(contact_ids, pa.int64()),
            "true_person_id": pa.array(people, pa.int64()),
        }
    )


def add_decision(
    *,
    session: Session,
    left_contact_id: int,
    right_contact_id: int,
    same_person: bool,
    reason: str,
    decided_by: int,
    decided_at: datetime,
) -> int:
    """Record a supervisor's decision; return its id."""
    row = IdentityDecisionRow(
        left_contact_id=left_contact_id,
        right_contact_id=right_contact_id,
        same_person=same_person,
        reason=reason,
        decided_by=decided_by,
        decided_at=decided_at,
    )
    session.add(row)
    session.flush()
    return row.id


def hold_decision_lock(*, session: Session) -> None:
    """Serialise, until this transaction ends, the transactions that record supervisors'
    decisions (rare), so each one checks the decisions as the last one left them."""
    places.hold_new_caller_locks(session=session, keys=["identity decisions"])


def decisions(*, session: Session) -> list[DecisionRecord]:
    """Every decision, oldest first."""
    rows = session.scalars(select(IdentityDecisionRow).order_by(IdentityDecisionRow.id))
    return [
        DecisionRecord(
            r.id,
            r.left_contact_id,
            r.right_contact_id,
            r.same_person,
            r.reason,
            r.decided_by,
            r.decided_at,
        )
        for r in rows
    ]


def contacts_exist(*, session: Session, contact_ids: Sequence[int]) -> set[int]:
    """Which of these contact ids are stored."""
    found: set[int] = set()
    for start in range(0, len(contact_ids), _IN_CHUNK):
        part = contact_ids[start : start + _IN_CHUNK]
        found.update(session.scalars(select(ContactRow.id).where(ContactRow.id.in_(part))))
    return found


def add_run(
    *,
    session: Session,
    engine: str,
    started_at: datetime,
    finished_at: datetime,
    started_by: int | None,
    threshold: float,
    records: int,
    signatures: int,
    pairs: int,
    clusters: int,
    decisions: int,
    model_json: str,
    precision: float | None,
    recall: float | None,
) -> int:
    """Record a finished run; return its id."""
    row = IdentityRunRow(
        engine=engine,
        started_at=started_at,
        finished_at=finished_at,
        started_by=started_by,
        threshold=threshold,
        records=records,
        signatures=signatures,
        pairs=pairs,
        clusters=clusters,
        decisions=decisions,
        model_json=model_json,
        precision=precision,
        recall=recall,
    )
    session.add(row)
    session.flush()
    return row.id


def replace_clusters(*, session: Session, run_id: int, clusters: pa.Table) -> None:
    """Put this run's clusters (contact_id, cluster_id, match_probability) in place of the
    last run's."""
    session.execute(delete(IdentityClusterRow))
    data = clusters.append_column("run_id", pa.array([run_id] * clusters.num_rows, pa.int64()))
    bulk.insert_arrow_staged(session=session, table_name="identity_clusters", data=data)


def _run_record(row: IdentityRunRow) -> RunRecord:
    return RunRecord(
        row.id,
        row.engine,
        row.started_at,
        row.finished_at,
        row.threshold,
        row.records,
        row.signatures,
        row.pairs,
        row.clusters,
        row.decisions,
        row.model_json,
        row.precision,
        row.recall,
    )


_LATEST_RUN = select(func.max(IdentityRunRow.id))


def latest_run_id(*, session: Session) -> int | None:
    """The id of the most recent run, or None."""
    return session.connection().scalar(_LATEST_RUN)


def run_model_json(*, session: Session, run_id: int) -> str:
    """The trained model a run stored."""
    return (
        session.scalar(select(IdentityRunRow.model_json).where(IdentityRunRow.id == run_id)) or "{}"
    )


def runs(*, session: Session, limit: int = 20) -> list[RunRecord]:
    """The most recent runs, newest first."""
    rows = session.scalars(select(IdentityRunRow).order_by(IdentityRunRow.id.desc()).limit(limit))
    return [_run_record(r) for r in rows]


def clusters_of(*, session: Session, contact_ids: Sequence[int]) -> dict[int, int]:
    """The cluster of each of these contacts that the latest run linked."""
    found: dict[int, int] = {}
    for start in range(0, len(contact_ids), _IN_CHUNK):
        part = contact_ids[start : start + _IN_CHUNK]
        rows = session.execute(
            select(IdentityClusterRow.contact_id, IdentityClusterRow.cluster_id).where(
                IdentityClusterRow.contact_id.in_(part)
            )
        )
        found.update({contact: cluster for contact, cluster in rows})
    return found


def cluster_contacts(*, session: Session, cluster_id: int, limit: int = 500) -> list[int]:
    """The contacts in a cluster, oldest first."""
    return list(
        session.scalars(
            select(IdentityClusterRow.contact_id)
            .where(IdentityClusterRow.cluster_id == cluster_id)
            .order_by(IdentityClusterRow.contact_id)
            .limit(limit)
        )
    )


def merge_clusters(*, session: Session, contact_ids: Sequence[int]) -> None:
    """Put the clusters of these contacts together now (named by their smallest contact)."""
    clusters = clusters_of(session=session, contact_ids=contact_ids)
    if len(set(clusters.values())) < 2:
        return
    members = [
        c
        for cluster in set(clusters.values())
        for c in cluster_contacts(session=session, cluster_id=cluster, limit=1_000_000)
    ]
    target = min(members)
    session.execute(
        update(IdentityClusterRow)
        .where(IdentityClusterRow.cluster_id.in_(set(clusters.values())))
        .values(cluster_id=target)
    )


def move_to_own_cluster(*, session: Session, contact_id: int) -> None:
    """Take a contact out of its cluster now (the rest keep a cluster named by their
    smallest contact)."""
    cluster = clusters_of(session=session, contact_ids=[contact_id]).get(contact_id)
    if cluster is None:
        return
    rest = [
        c
        for c in cluster_contacts(session=session, cluster_id=cluster, limit=1_000_000)
        if c != contact_id
    ]
    session.execute(
        update(IdentityClusterRow)
        .where(IdentityClusterRow.contact_id == contact_id)
        .values(cluster_id=contact_id, match_probability=None)
    )
    if rest:
        session.execute(
            update(IdentityClusterRow)
            .where(
                IdentityClusterRow.cluster_id == cluster,
                IdentityClusterRow.contact_id != contact_id,
            )
            .values(cluster_id=min(rest))
        )


def candidate_people(
    *,
    session: Session,
    telephone: str | None,
    family_names: Sequence[str],
    date_of_birth: date | None,
    limit: int,
    also: int | None = None,
    more: Sequence[int] = (),
) -> list[CandidateRecord]:
    """The person records of the people who share the caller's number, family name or date of
    birth (indexed lookups only, at most `limit` of each kind, the most recently recorded
    first), and of person `also` and the people `more` if given, each with the first number
    they were reached on; in order of person id, in one query."""
    if not (telephone or date_of_birth or family_names or also is not None or more):
        return []
    statement = _candidates_statement(
        bool(telephone),
        bool(date_of_birth),
        len(family_names),
        also is not None,
        limit,
        bool(more),
    )
    rows = session.connection().execute(
        statement,
        {
            "telephone": telephone,
            "date_of_birth": date_of_birth,
            "also": also,
            **({"more": list(more)} if more else {}),
            **{f"family_name_{n}": name for n, name in enumerate(family_names)},
        },
    )
    return [
        CandidateRecord(person, None, given, family, born, number, None, None)
        for person, given, family, born, number in rows
    ]


@lru_cache(maxsize=32)
def _candidates_statement(
    by_telephone: bool,
    by_birth: bool,
    family_names: int,
    with_also: bool,
    limit: int,
    with_more: bool = False,
) -> Select[Any]:
    """Built once per shape: the online check runs it for every caller."""
    lookups: list[Select[Any]] = []
    if by_telephone:
        lookups.append(
            select(PersonTelephoneRow.person_id.label("person_id"))
            .join(
                TelephoneNumberRow,
                TelephoneNumberRow.id == PersonTelephoneRow.telephone_number_id,
            )
            .where(TelephoneNumberRow.number == bindparam("telephone"))
            .order_by(PersonTelephoneRow.person_id.desc())
            .limit(limit)
        )
    if by_birth:
        lookups.append(
            select(PersonRow.id.label("person_id"))
            .where(PersonRow.date_of_birth == bindparam("date_of_birth"))
            .order_by(PersonRow.id.desc())
            .limit(limit)
        )
    if family_names:
        # The most recent `limit` people with any of these spellings: the most recent `limit`
        # of each (one ordered index range each), then the most recent `limit` of those.
        each = [
            select(PersonRow.id.label("person_id"))
            .where(PersonRow.family_name == bindparam(f"family_name_{n}"))
            .order_by(PersonRow.id.desc())
            .limit(limit)
            .subquery()
            for n in range(family_names)
        ]
        by_spelling = [select(one.c.person_id) for one in each]
        spellings = (
            by_spelling[0] if len(by_spelling) == 1 else union_all(*by_spelling)
        ).subquery()
        lookups.append(
            select(spellings.c.person_id).order_by(spellings.c.person_id.desc()).limit(limit)
        )
    # Each lookup keeps its own ORDER BY and LIMIT inside a subquery (SQLite allows neither
    # on a member of a compound select).
    members: list[Select[Any]] = [select(lookup.subquery().c.person_id) for lookup in lookups]
    if with_also:
        members.append(select(bindparam("also", type_=Integer).label("person_id")))
    wanted_ids = members[0] if len(members) == 1 else union_all(*members) if members else None
    more: ColumnElement[bool] = PersonRow.id.in_(bindparam("more", expanding=True))
    condition: ColumnElement[bool]
    if wanted_ids is None:
        condition = more
    else:
        condition = PersonRow.id.in_(wanted_ids)
        if with_more:
            condition = or_(condition, more)
    first_number = (
        select(func.min(TelephoneNumberRow.number))
        .join(PersonTelephoneRow, PersonTelephoneRow.telephone_number_id == TelephoneNumberRow.id)
        .where(PersonTelephoneRow.person_id == PersonRow.id)
        .correlate(PersonRow)
        .scalar_subquery()
    )
    return (
        select(
            PersonRow.id,
            PersonRow.given_name,
            PersonRow.family_name,
            PersonRow.date_of_birth,
            first_number,
        )
        .where(condition)
        .order_by(PersonRow.id)
    )


def recent_contact_records(
    *, session: Session, person_ids: Sequence[int], per_person: int
) -> list[CandidateRecord]:
    """The most recent contacts of each of these people, as recorded (one query; at most
    `per_person` index entries read for each, however many contacts they have had)."""
    if not person_ids:
        return []
    rows = session.connection().execute(
        _recent_contacts_statement(len(person_ids)),
        {
            "per_person": per_person,
            **{f"person_{n}": person for n, person in enumerate(person_ids)},
        },
    )
    return [CandidateRecord(*row) for row in rows]


@lru_cache(maxsize=64)
def _recent_contacts_statement(people: int) -> Select[Any] | CompoundSelect[Any]:
    """Built once per number of people: for each person, their newest contacts by the
    (person, presented) index with a LIMIT (a window over all of a person's contacts read
    them all, and a caller's contacts grow with the store: issue 16, Load). Each member keeps
    its ORDER BY and LIMIT inside a subquery (SQLite allows neither on a compound's member)."""
    members = []
    for n in range(people):
        newest = (
            select(
                ContactRow.person_id,
                ContactRow.id,
                ContactRow.caller_given_name,
                ContactRow.caller_family_name,
                ContactRow.caller_date_of_birth,
                ContactRow.telephone_number_id,
                ContactRow.caller_postcode,
                ContactRow.presented_at,
            )
            .where(ContactRow.person_id == bindparam(f"person_{n}", type_=Integer))
            .order_by(ContactRow.presented_at.desc())
            .limit(bindparam("per_person", type_=Integer))
            .subquery()
        )
        members.append(
            select(
                newest.c.person_id,
                newest.c.id,
                newest.c.caller_given_name,
                newest.c.caller_family_name,
                newest.c.caller_date_of_birth,
                TelephoneNumberRow.number,
                newest.c.caller_postcode,
                newest.c.presented_at,
            ).outerjoin(TelephoneNumberRow, TelephoneNumberRow.id == newest.c.telephone_number_id)
        )
    return members[0] if len(members) == 1 else union_all(*members)
