"""Looking at a member of the public: a logged consultation."""

from __future__ import annotations

from dataclasses import dataclass

from watchhouse.db.repositories import contacts, places
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import NotFound
from watchhouse.domain.records import ContactSummary, PersonView
from watchhouse.domain.roles import Actor
from watchhouse.services.access import log_access, reason_for_view
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class PersonHistory:
    """A person and every contact linked to them."""

    person: PersonView
    contacts: tuple[ContactSummary, ...]


def get_person(
    ctx: AppContext, *, actor: Actor, person_id: int, justification: str | None
) -> PersonHistory:
    """A person with their contacts, newest first."""
    with ctx.db.transaction() as session:
        person = places.person(session=session, person_id=person_id)
        if person is None:
            raise NotFound("person", person_id)
        reason = reason_for_view(
            ctx, actor=actor, given=justification, work=None, what=f"person {person.reference}"
        )
        history = contacts.person_contacts(session=session, person_id=person_id)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="person",
            record_id=person_id,
            justification=reason,
        )
    return PersonHistory(person, tuple(history))
