"""Writes for the records-system importer: crimes, victims, suspects, key events and bureau
tasks found again
by the source system's own ids, and the rows the worklists and measures read (victim updates
owed, plans, reviews) made again from the imported events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from watchhouse.db.investigation_tables import CrimeEventRow, CrimeVictimRow
from watchhouse.db.tables import (
    CrimeRow,
    InvestigationPlanRow,
    PersonRow,
    SupervisorReviewRow,
    UserRow,
    VictimContactRow,
)

_CHUNK = 500
KEY_EVENTS = frozenset(
    {
        "arrest",
        "charge",
        "bail",
        "release_under_investigation",
        "no_further_action",
        "out_of_court_disposal",
        "outcome",
    }
)
KeyedTable = Any  # CrimeRow, CrimeVictimRow, CrimeSuspectRow, CrimeEventRow, CrimeAdminTaskRow


@dataclass(frozen=True)
class Upserted:
    """What writing one file's rows did: each row's id, and the ids of rows added or changed."""

    ids: dict[str, int]
    added: set[str]
    changed: set[str]


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def stored(
    *, session: Session, table: KeyedTable, source: str, refs: Sequence[str]
) -> dict[str, Any]:
    """The rows of `table` from this source with these ids, by id."""
    found: dict[str, Any] = {}
    for part in _chunks(list(dict.fromkeys(refs))):
        rows = session.scalars(
            select(table).where(table.source == source, table.external_ref.in_(part))
        )
        found.update({str(row.external_ref): row for row in rows})
    return found


def ids_of(
    *, session: Session, table: KeyedTable, source: str, refs: Sequence[str]
) -> dict[str, int]:
    """The store ids of the rows from this source with these ids."""
    found: dict[str, int] = {}
    for part in _chunks(list(dict.fromkeys(refs))):
        found.update(
            (str(ref), int(i))
            for ref, i in session.execute(
                select(table.external_ref, table.id).where(
                    table.source == source, table.external_ref.in_(part)
                )
            )
        )
    return found


def upsert(
    *,
    session: Session,
    table: KeyedTable,
    source: str,
    rows: Mapping[str, dict[str, Any]],
    on_insert: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
) -> Upserted:
    """Insert the rows not stored yet and update the stored ones whose values differ; a row
    the same as stored is left alone. `on_insert` adds the values only a new row needs."""
    existing = stored(session=session, table=table, source=source, refs=list(rows))
    added: set[str] = set()
    changed: set[str] = set()
    new_rows: list[tuple[str, Any]] = []
    for ref, values in rows.items():
        row = existing.get(ref)
        if row is None:
            extra = on_insert(ref, values) if on_insert else {}
            new = table(source=source, external_ref=ref, **values, **extra)
            session.add(new)
            new_rows.append((ref, new))
            added.add(ref)
            continue
        differs = {k: v for k, v in values.items() if getattr(row, k) != v}
        if differs:
            for key, value in differs.items():
                setattr(row, key, value)
            changed.add(ref)
    session.flush()
    ids = {ref: int(row.id) for ref, row in existing.items()}
    ids.update({ref: int(row.id) for ref, row in new_rows})
    return Upserted(ids, added, changed)


def user_ids(*, session: Session, usernames: Iterable[str]) -> dict[str, int]:
    """The ids of the users with these usernames."""
    names = sorted(set(usernames))
    if not names:
        return {}
    return {
        str(n): int(i)
        for n, i in session.execute(
            select(UserRow.username, UserRow.id).where(UserRow.username.in_(names))
        )
    }


@dataclass(frozen=True)
class CrimeFacts:
    """What a victim's provisional rights depend on."""

    id: int
    crime_type: str
    crime_group: str
    domestic_abuse: bool
    hate_crime: bool
    recorded_at: datetime


def crime_facts(*, session: Session, ids: Iterable[int]) -> dict[int, CrimeFacts]:
    """The crimes' facts, by store id."""
    wanted = sorted(set(ids))
    found: dict[int, CrimeFacts] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in session.scalars(
            select(CrimeRow).where(CrimeRow.id.in_(wanted[start : start + _CHUNK]))
        ):
            found[row.id] = CrimeFacts(
                row.id,
                row.crime_type,
                row.crime_group,
                bool(row.domestic_abuse),
                bool(row.hate_crime),
                row.recorded_at,
            )
    return found


def add_person(
    *,
    session: Session,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    now: datetime,
) -> int:
    """A person for an imported victim."""
    row = PersonRow(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, created_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def update_person(
    *,
    session: Session,
    person_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
) -> None:
    """Keep an imported victim's person as the source now has them."""
    row = session.get(PersonRow, person_id)
    if row is None:
        return
    if (row.given_name, row.family_name, row.date_of_birth) != (
        given_name,
        family_name,
        date_of_birth,
    ):
        row.given_name, row.family_name, row.date_of_birth = given_name, family_name, date_of_birth


def victim_person_ids(*, session: Session, victim_ids: Iterable[int]) -> dict[int, int]:
    """Each victim's person."""
    wanted = sorted(set(victim_ids))
    return {
        int(v): int(p)
        for v, p in session.execute(
            select(CrimeVictimRow.id, CrimeVictimRow.person_id).where(CrimeVictimRow.id.in_(wanted))
        )
    }


def set_first_victim(*, session: Session, crime_ids: Iterable[int]) -> None:
    """A crime with no victim person named takes its first victim's."""
    for crime_id in sorted(set(crime_ids)):
        crime = session.get(CrimeRow, crime_id)
        if crime is None or crime.victim_person_id is not None:
            continue
        crime.victim_person_id = session.scalar(
            select(CrimeVictimRow.person_id)
            .where(CrimeVictimRow.crime_id == crime_id)
            .order_by(CrimeVictimRow.id)
            .limit(1)
        )


UpdateDue = Callable[[datetime, bool], datetime]
"""When a victim must be told of a key event at this moment (with enhanced rights or not)."""

VpsDue = Callable[[datetime], datetime]
"""When a victim assessed at this moment must have been offered a Victim Personal Statement."""


def rebuild_from_events(
    *,
    session: Session,
    source: str,
    crime_ids: Iterable[int],
    update_due: UpdateDue,
    vps_due: VpsDue | None = None,
) -> None:
    """Make again, for each crime, what its imported events imply: a victim update owed to
    every victim for every key decision (the outcome included), marked told by the update
    events; the needs assessments; the plans and supervisor reviews; and the crime's plan and
    next-update deadlines the worklists read; with `vps_due` (the source holds VPS offers),
    each imported victim's VPS offer deadline, counted from the needs assessment (or, with
    none, from the victim's recording). Rows made in watchhouse are left alone."""
    for crime_id in sorted(set(crime_ids)):
        crime = session.get(CrimeRow, crime_id)
        if crime is None:
            continue
        for table in (VictimContactRow, InvestigationPlanRow, SupervisorReviewRow):
            session.execute(delete(table).where(table.crime_id == crime_id, table.source == source))
        victims = list(
            session.scalars(
                select(CrimeVictimRow)
                .where(CrimeVictimRow.crime_id == crime_id)
                .order_by(CrimeVictimRow.id)
            )
        )
        events = list(
            session.scalars(
                select(CrimeEventRow)
                .where(CrimeEventRow.crime_id == crime_id, CrimeEventRow.source == source)
                .order_by(CrimeEventRow.occurred_at, CrimeEventRow.id)
            )
        )
        decisions: list[tuple[str, datetime, int | None]] = [
            (e.kind, e.occurred_at, e.id) for e in events if e.kind in KEY_EVENTS
        ]
        if crime.source == source and crime.outcome_code > 0 and crime.outcome_at is not None:
            decisions.append(("outcome", crime.outcome_at, None))
        owed: list[VictimContactRow] = []
        for kind, at, event_id in sorted(decisions, key=lambda d: (d[1], d[0])):
            for victim in victims:
                wanted = victim.wants_updates is not False
                row = VictimContactRow(
                    crime_id=crime_id,
                    event=kind,
                    event_at=at,
                    victim_id=victim.id,
                    crime_event_id=event_id,
                    due_at=update_due(at, bool(victim.enhanced)) if wanted else None,
                    enhanced=bool(victim.enhanced),
                    required=wanted,
                    source=source,
                )
                session.add(row)
                owed.append(row)
        assessed: dict[int, datetime] = {}
        plans: list[datetime] = []
        for event in events:
            if event.kind == "victim_update":
                _mark_told(owed, event.victim_id, event.occurred_at)
            elif event.kind == "needs_assessment" and event.victim_id is not None:
                assessed.setdefault(event.victim_id, event.occurred_at)
            elif event.kind == "investigation_plan":
                plans.append(event.occurred_at)
                session.add(
                    InvestigationPlanRow(
                        crime_id=crime_id,
                        written_at=event.occurred_at,
                        adequate=False,
                        check_adequate=event.plan_adequate,
                        source=source,
                    )
                )
            elif event.kind == "supervisor_review":
                session.add(
                    SupervisorReviewRow(
                        crime_id=crime_id, reviewed_at=event.occurred_at, source=source
                    )
                )
        for victim in victims:
            if victim.source == source and victim.id in assessed:
                victim.assessed_at = assessed[victim.id]
            if victim.source == source and vps_due is not None:
                victim.vps_due_at = vps_due(victim.assessed_at or victim.added_at)
        if crime.source == source:
            crime.plan_written_at = min(plans) if plans else None
        session.flush()
        crime.next_victim_update_due_at = session.scalar(
            select(func.min(VictimContactRow.due_at)).where(
                VictimContactRow.crime_id == crime_id,
                VictimContactRow.contacted_at.is_(None),
                VictimContactRow.required.is_(True),
            )
        )
    session.flush()


def _mark_told(owed: list[VictimContactRow], victim_id: int | None, at: datetime) -> None:
    """An update given at `at` answers the victim's earliest decision not yet told of (any
    victim's, when the event names none) made by then."""
    waiting = [
        row
        for row in owed
        if row.contacted_at is None
        and row.required
        and row.event_at <= at
        and (victim_id is None or row.victim_id == victim_id)
    ]
    if waiting:
        first = min(waiting, key=lambda r: (r.event_at, r.victim_id or 0))
        first.contacted_at = at
