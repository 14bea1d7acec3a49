"""Fixtures for the web tests: records that exist, so routes with ids have something to find."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from support import KNIFE
from watchhouse.db.repositories import incidents as incident_repo
from watchhouse.db.repositories import plans as plan_repo
from watchhouse.domain.investigation_records import BureauTask, HowReported, NewCrime
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.domain.victims import KeyEvent
from watchhouse.services import audit_feedback, audits, contacts, crimes, investigations, teams
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
    crime_id: int = 0
    victim_id: int = 0
    update_id: int = 0
    task_id: int = 0
    template_code: str = "thrive_quality"
    sample_id: int = 0
    item_id: int = 0
    finding_id: int = 0


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
    crime_id = crimes.record_crime(
        ctx,
        actor=actors[Role.OFFICER],
        new=NewCrime(
            offence_code="common_assault",
            summary="Threatened with a knife",
            how_reported=HowReported.INCIDENT,
            incident_id=incident_id,
            victim_is_caller=True,
        ),
    )
    investigations.allocate(
        ctx,
        actor=actors[Role.SUPERVISOR],
        crime_id=crime_id,
        investigator_id=actors[Role.INVESTIGATOR].user_id,
        supervisor_id=None,
        team="",
    )
    crimes.record_event(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        kind=KeyEvent.ARREST,
        occurred_at=None,
        note="",
    )
    task_id = investigations.ask_bureau(
        ctx,
        actor=actors[Role.INVESTIGATOR],
        crime_id=crime_id,
        task=BureauTask.RECORDS_CHECK,
        detail="PNC check",
    )
    crime = crimes.get_crime(
        ctx, actor=actors[Role.INVESTIGATOR], crime_id=crime_id, justification="set-up"
    )
    sample_id, item_id, finding_id = _audited(ctx, actors)
    return ExistingRecords(
        taken.contact_id,
        incident_id,
        view.person.id,
        plan_id,
        action_id,
        referral_id,
        crime_id,
        crime.victims[0].id,
        crime.updates[0].id,
        task_id,
        sample_id=sample_id,
        item_id=item_id,
        finding_id=finding_id,
    )


def _audited(ctx: AppContext, actors: dict[Role, Actor]) -> tuple[int, int, int]:
    """The handler's team, a THRIVE quality sample of the month with the call scored, and the
    finding fed back to the supervisor: (sample, item, finding)."""
    admin, auditor = actors[Role.ADMINISTRATOR], actors[Role.AUDITOR]
    teams.add_team(
        ctx,
        actor=admin,
        code="control-a",
        name="Control A",
        kind="control_room",
        supervisor="supervisor",
    )
    teams.assign(ctx, actor=admin, username="call_handler", team_code="control-a")
    period = ctx.now().strftime("%Y-%m")
    drawn = audits.draw(ctx, actor=auditor, template_code="thrive_quality", period=period, seed=1)
    item = drawn.items[0]
    answers = {
        q.id: "yes" for q in audits.get_template(ctx, code="thrive_quality").template.questions
    }
    audits.score_item(
        ctx,
        actor=auditor,
        sample_id=drawn.sample.id,
        item_id=item.id,
        answers={**answers, "overall": "4"},
        finding="",
    )
    (finding,) = audit_feedback.feedback(ctx, actor=actors[Role.SUPERVISOR])
    return drawn.sample.id, item.id, finding.id
