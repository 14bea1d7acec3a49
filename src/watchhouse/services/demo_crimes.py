"""The demo force's investigations: a few crimes on the investigator's, supervisor's and
bureau's worklists."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from watchhouse.domain.investigation_records import (
    BureauTask,
    HowReported,
    NeedsAnswers,
    NewCrime,
    NewSuspect,
    NewVictim,
)
from watchhouse.domain.investigations import PlanContent
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.victims import KeyEvent
from watchhouse.services import crimes, investigations
from watchhouse.services.context import AppContext


def _at(ctx: AppContext, moment: datetime) -> AppContext:
    return replace(ctx, clock=lambda: moment)


def crime_from_incident(
    ctx: AppContext,
    recorder: Actor,
    incident_id: int,
    offence_code: str,
    summary: str,
    *,
    domestic_abuse: bool = False,
    suspects: tuple[NewSuspect, ...] = (),
) -> int:
    """The crime `recorder` records from an incident, its caller the victim; the crime's id."""
    how = HowReported.INCIDENT
    new = NewCrime(offence_code, summary, how, incident_id, domestic_abuse, suspects=suspects)
    return crimes.record_crime(ctx, actor=recorder, new=replace(new, victim_is_caller=True))


def build_demo_crimes(
    ctx: AppContext,
    actors: dict[Role, Actor],
    *,
    harassment_incident: int,
    domestic_incident: int,
    shed_incident: int,
) -> None:
    """Record the demo's crimes: Jean Harper's harassment, allocated two days ago, with a plan,
    a needs assessment (persistently targeted: enhanced rights) and yesterday's arrest that
    she has not been told of; the domestic abuse call of half an hour ago, the shed burglary
    and an online fraud, awaiting allocation."""
    now = ctx.now()
    investigator, supervisor = actors[Role.INVESTIGATOR], actors[Role.SUPERVISOR]
    two_days = _at(ctx, now - timedelta(days=2, hours=-4))
    harassment = crime_from_incident(
        two_days,
        actors[Role.OFFICER],
        harassment_incident,
        "harassment",
        "Youths repeatedly gathering outside, shouting abuse and throwing stones",
        suspects=(NewSuspect(description="Three youths, one in a red jacket"),),
    )
    investigations.allocate(
        two_days,
        actor=supervisor,
        crime_id=harassment,
        investigator_id=investigator.user_id,
        supervisor_id=None,
        team="Local investigation team",
    )
    (victim,) = crimes.get_crime(
        two_days, actor=investigator, crime_id=harassment, justification="demo set-up"
    ).victims
    crimes.assess_needs(
        two_days,
        actor=investigator,
        crime_id=harassment,
        victim_id=victim.id,
        answers=NeedsAnswers(
            persistently_targeted=True,
            vulnerable=False,
            intimidated=True,
            wants_updates=True,
            update_method="telephone",
            update_contact="01632 960 123",
            notes="Lives alone; hard of hearing, call slowly",
        ),
    )
    investigations.write_plan(
        _at(ctx, now - timedelta(days=1, hours=6)),
        actor=investigator,
        crime_id=harassment,
        content=PlanContent(
            lines_of_enquiry=("House-to-house on Mill Lane", "Ask the school to identify them"),
            evidence_to_secure=("Doorbell camera footage from no. 12",),
            safeguarding_actions=("Neighbourhood team visits twice a week",),
            suspect_strategy="",
            victim_needs="Telephone, speak slowly; a visit in person preferred",
        ),
    )
    crimes.record_event(
        _at(ctx, now - timedelta(days=1)),
        actor=investigator,
        crime_id=harassment,
        kind=KeyEvent.ARREST,
        occurred_at=None,
        note="One youth arrested, released on bail",
    )
    investigations.ask_bureau(
        _at(ctx, now - timedelta(days=1)),
        actor=investigator,
        crime_id=harassment,
        task=BureauTask.CCTV_REQUEST,
        detail="Doorbell footage from 12 Mill Lane, the last two weeks",
    )
    crime_from_incident(
        _at(ctx, now - timedelta(minutes=5)),
        actors[Role.OFFICER],
        domestic_incident,
        "common_assault",
        "Pushed against the wall by her partner; no visible injury",
        domestic_abuse=True,
    )
    crime_from_incident(
        _at(ctx, now - timedelta(hours=4)),
        investigator,
        shed_incident,
        "business_burglary",
        "Shed broken into overnight; tools taken",
    )
    crimes.record_crime(
        _at(ctx, now - timedelta(hours=2)),
        actor=investigator,
        new=NewCrime(
            offence_code="online_fraud",
            summary="Paid for a car advertised online that did not exist",
            how_reported=HowReported.ONLINE,
            victims=(NewVictim(given_name="Owen", family_name="Price"),),
        ),
    )
