"""Fixtures for the web tests: records that exist, so routes with ids have something to find."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from support import KNIFE
from watchhouse.db.repositories import incidents as incident_repo
from watchhouse.db.repositories import plans as plan_repo
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts
from watchhouse.services.context import AppContext


@dataclass(frozen=True)
class ExistingRecords:
    """Ids of a graded contact, its incident and its caller."""

    contact_id: int
    incident_id: int
    person_id: int
    plan_id: int
    action_id: int
    referral_id: int


@pytest.fixture
def existing_records(
    ctx: AppContext, actors: dict[Role, Actor], neighbourhoods: dict[str, str]
) -> ExistingRecords:
    """A 999 call from a named caller, assessed and graded 1: a contact, incident and person."""
    handler = actors[Role.CALL_HANDLER]
    taken = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999,
            caller_given_name="Sam",
            caller_family_name="Lowe",
            telephone="07700 900123",
            location_description="High Street",
            neighbourhood_code=neighbourhoods["urban"],
            summary="Man with a knife in the street",
        ),
    )
    suggestion = contacts.assess_thrive(
        ctx, actor=handler, contact_id=taken.contact_id, assessment=KNIFE, notes={}
    )
    incident_id = contacts.grade_contact(
        ctx, actor=handler, contact_id=taken.contact_id, grade=suggestion.grade
    )
    view = contacts.get_contact(
        ctx, actor=handler, contact_id=taken.contact_id, justification="test set-up"
    )
    assert view.person is not None
    with ctx.db.transaction() as session:
        plan_id = plan_repo.add_plan(
            session=session,
            basis="person",
            subject_key=str(view.person.id),
            person_id=view.person.id,
            telephone_number_id=None,
            neighbourhood_id=None,
            opened_at=ctx.now(),
            trigger="test set-up",
            review_due_at=ctx.now(),
        )
        plan_repo.add_action(
            session=session, plan_id=plan_id, text="visit", by=handler.user_id, now=ctx.now()
        )
        action_id = plan_repo.plan(session=session, plan_id=plan_id).actions[0].id
        referral_id = incident_repo.add_referral(
            session=session,
            incident_id=incident_id,
            agency_code="mental_health",
            note="test set-up",
            referred_by=handler.user_id,
            now=ctx.now(),
        )
    return ExistingRecords(
        taken.contact_id, incident_id, view.person.id, plan_id, action_id, referral_id
    )
