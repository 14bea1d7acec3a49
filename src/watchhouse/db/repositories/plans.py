"""Problem-solving plans and their actions."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from watchhouse.db.tables import (
    ContactRow,
    LocationRow,
    NeighbourhoodRow,
    PersonRow,
    PlanActionRow,
    ProblemSolvingPlanRow,
    TelephoneNumberRow,
    UserRow,
)
from watchhouse.domain.errors import NotFound
from watchhouse.domain.plans import readable_subject
from watchhouse.domain.records import PlanAction, PlanContact, PlanView


def open_plan_id(*, session: Session, basis: str, subject_key: str) -> int | None:
    """The open plan for this subject, if there is one."""
    return session.scalar(
        select(ProblemSolvingPlanRow.id).where(
            ProblemSolvingPlanRow.basis == basis,
            ProblemSolvingPlanRow.subject_key == subject_key,
            ProblemSolvingPlanRow.status == "open",
        )
    )


def neighbourhood_of_location(*, session: Session, location_id: int | None) -> int | None:
    """The neighbourhood of a location."""
    if location_id is None:
        return None
    return session.scalar(select(LocationRow.neighbourhood_id).where(LocationRow.id == location_id))


def add_plan(
    *,
    session: Session,
    basis: str,
    subject_key: str,
    person_id: int | None,
    telephone_number_id: int | None,
    neighbourhood_id: int | None,
    opened_at: datetime,
    trigger: str,
    review_due_at: datetime,
) -> int:
    """Open a plan."""
    row = ProblemSolvingPlanRow(
        basis=basis,
        subject_key=subject_key,
        person_id=person_id,
        telephone_number_id=telephone_number_id,
        neighbourhood_id=neighbourhood_id,
        opened_at=opened_at,
        trigger=trigger,
        status="open",
        review_due_at=review_due_at,
    )
    session.add(row)
    session.flush()
    return row.id


def plan_row(*, session: Session, plan_id: int) -> ProblemSolvingPlanRow:
    """The stored plan, or NotFound."""
    row = session.get(ProblemSolvingPlanRow, plan_id)
    if row is None:
        raise NotFound("plan", plan_id)
    return row


def _subject(session: Session, row: ProblemSolvingPlanRow) -> str:
    if row.person_id is not None:
        person = session.get(PersonRow, row.person_id)
        if person is not None:
            return f"{person.given_name} {person.family_name}".strip()
    if row.telephone_number_id is not None:
        number = session.get(TelephoneNumberRow, row.telephone_number_id)
        if number is not None:
            return number.number
    return row.subject_key


def _view(session: Session, row: ProblemSolvingPlanRow, with_actions: bool) -> PlanView:
    owner = session.get(UserRow, row.owner_id) if row.owner_id else None
    hood = session.get(NeighbourhoodRow, row.neighbourhood_id) if row.neighbourhood_id else None
    actions: tuple[PlanAction, ...] = ()
    if with_actions:
        actions = tuple(
            PlanAction(a.id, a.text, a.added_at, a.done_at)
            for a in session.scalars(
                select(PlanActionRow)
                .where(PlanActionRow.plan_id == row.id)
                .order_by(PlanActionRow.id)
            )
        )
    return PlanView(
        id=row.id,
        basis=row.basis,
        subject_key=row.subject_key,
        subject=_subject(session, row),
        neighbourhood=hood.name if hood else None,
        opened_at=row.opened_at,
        trigger=row.trigger,
        owner=owner.display_name if owner else None,
        status=row.status,
        review_due_at=row.review_due_at,
        closed_at=row.closed_at,
        result=row.result,
        actions=actions,
    )


def plan(*, session: Session, plan_id: int) -> PlanView:
    """A plan with its actions."""
    return _view(session, plan_row(session=session, plan_id=plan_id), with_actions=True)


def open_plans(*, session: Session, neighbourhood_code: str | None = None) -> list[PlanView]:
    """Open plans, soonest review first, optionally for one neighbourhood."""
    statement = select(ProblemSolvingPlanRow).where(ProblemSolvingPlanRow.status == "open")
    if neighbourhood_code:
        statement = statement.join(
            NeighbourhoodRow, NeighbourhoodRow.id == ProblemSolvingPlanRow.neighbourhood_id
        ).where(NeighbourhoodRow.code == neighbourhood_code)
    rows = session.scalars(statement.order_by(ProblemSolvingPlanRow.review_due_at))
    return [_view(session, row, with_actions=False) for row in rows]


def open_plans_for_contact(
    *,
    session: Session,
    person_id: int | None,
    telephone_number_id: int | None,
    address_key: str | None,
) -> list[PlanView]:
    """Open plans about this caller, their number or their address."""
    shape = (person_id is not None, telephone_number_id is not None, bool(address_key))
    if not any(shape):
        return []
    rows = session.scalars(
        _open_plans_statement(*shape),
        {"person_id": person_id, "number_id": telephone_number_id, "address_key": address_key},
    )
    return [_view(session, row, with_actions=False) for row in rows]


@lru_cache(maxsize=8)
def _open_plans_statement(
    by_person: bool, by_number: bool, by_address: bool
) -> Select[ProblemSolvingPlanRow]:
    """Built once per shape: the online check runs it on every contact opened."""
    conditions: list[ColumnElement[bool]] = []
    if by_person:
        conditions.append(ProblemSolvingPlanRow.person_id == bindparam("person_id"))
    if by_number:
        conditions.append(ProblemSolvingPlanRow.telephone_number_id == bindparam("number_id"))
    if by_address:
        conditions.append(
            (ProblemSolvingPlanRow.basis == "address")
            & (ProblemSolvingPlanRow.subject_key == bindparam("address_key"))
        )
    return select(ProblemSolvingPlanRow).where(
        ProblemSolvingPlanRow.status == "open", or_(*conditions)
    )


def add_action(*, session: Session, plan_id: int, text: str, by: int, now: datetime) -> None:
    """Add an action to a plan."""
    session.add(PlanActionRow(plan_id=plan_id, text=text, added_at=now, added_by=by))


def complete_action(*, session: Session, plan_id: int, action_id: int, now: datetime) -> None:
    """Mark an action done."""
    row = session.get(PlanActionRow, action_id)
    if row is None or row.plan_id != plan_id:
        raise NotFound("plan action", action_id)
    row.done_at = now


def update_plan(*, session: Session, plan_id: int, **values: object) -> None:
    """Change a plan's owner, review date, status or result."""
    row = plan_row(session=session, plan_id=plan_id)
    for name, value in values.items():
        if name not in ("owner_id", "review_due_at", "status", "closed_at", "result"):
            raise AttributeError(f"plans have no editable field {name!r}")
        setattr(row, name, value)


def latest_neighbourhood(*, session: Session, basis: str, subject_key: str) -> int | None:
    """The neighbourhood of the latest contact about this subject (where the plan belongs)."""
    statement = (
        select(LocationRow.neighbourhood_id)
        .join(ContactRow, ContactRow.location_id == LocationRow.id)
        .order_by(ContactRow.presented_at.desc())
        .limit(1)
    )
    if basis == "person":
        statement = statement.where(ContactRow.person_id == int(subject_key))
    elif basis == "telephone":
        statement = statement.where(ContactRow.telephone_number_id == int(subject_key))
    else:
        statement = statement.where(
            func.lower(LocationRow.postcode + "|" + LocationRow.description) == subject_key
        )
    return session.scalar(statement)


def address_key(*, session: Session, location_id: int | None) -> str | None:
    """The key an address is counted by (postcode and address, lower case), if it has one."""
    if location_id is None:
        return None
    row = session.get(LocationRow, location_id)
    if row is None or not row.postcode:
        return None
    return address_key_of(row.postcode, row.description)


def address_key_of(postcode: str, description: str) -> str:
    """The key an address with this postcode and text is counted by."""
    return f"{postcode}|{description}".lower()


def open_plans_for_contact_id(*, session: Session, contact_id: int) -> list[PlanView]:
    """Open plans about the caller, number or address of a contact."""
    contact = session.get(ContactRow, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return open_plans_for_contact(
        session=session,
        person_id=contact.person_id,
        telephone_number_id=contact.telephone_number_id,
        address_key=address_key(session=session, location_id=contact.location_id),
    )


def _about(basis: str, subject_key: str) -> ColumnElement[bool]:
    """Contacts about a plan's subject: the person, the number or the address."""
    if basis == "person":
        return ContactRow.person_id == int(subject_key)
    if basis == "telephone":
        return ContactRow.telephone_number_id == int(subject_key)
    return func.lower(LocationRow.postcode + "|" + LocationRow.description) == subject_key


def plan_contacts(*, session: Session, plan_id: int, limit: int = 50) -> list[PlanContact]:
    """The latest contacts about a plan's subject (at most `limit`)."""
    row = plan_row(session=session, plan_id=plan_id)
    statement = (
        select(
            ContactRow.id,
            ContactRow.presented_at,
            ContactRow.summary,
            ContactRow.person_id,
            PersonRow.given_name,
            PersonRow.family_name,
            ContactRow.caller_name,
            ContactRow.caller_given_name,
            ContactRow.caller_family_name,
        )
        .outerjoin(LocationRow, LocationRow.id == ContactRow.location_id)
        .outerjoin(PersonRow, PersonRow.id == ContactRow.person_id)
        .where(_about(row.basis, row.subject_key))
        .order_by(ContactRow.presented_at.desc(), ContactRow.id.desc())
        .limit(limit)
    )
    found = []
    for r in session.execute(statement).all():
        on_record = " ".join(p for p in (r.given_name, r.family_name) if p)
        given = r.caller_name or " ".join(
            p for p in (r.caller_given_name, r.caller_family_name) if p
        )
        found.append(
            PlanContact(r.id, r.presented_at, r.summary, r.person_id, on_record or given or "")
        )
    return found


def subject_title(*, session: Session, basis: str, subject_key: str) -> str:
    """Whom or what a repeat-contact subject is, readable (a name, a number, an address)."""
    if basis == "person":
        person = session.get(PersonRow, int(subject_key))
        if person is not None:
            return f"{person.given_name} {person.family_name}".strip()
    if basis == "telephone":
        number = session.get(TelephoneNumberRow, int(subject_key))
        if number is not None:
            return number.number
    return readable_subject(basis, subject_key)
