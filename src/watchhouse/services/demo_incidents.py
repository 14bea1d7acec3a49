"""The demo force's live work: Jean Harper's week of calls, and the incidents on the queue when
the demo opens, each within its attendance target (a demo that opens on a breach teaches
nothing true about the queue)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import contacts, incidents
from watchhouse.services.context import AppContext

# The grade 1 collision came in this long before the demo was built (its rural target is 20
# minutes): a unit is on its way, with time left for someone opening the demo to watch it.
COLLISION_MINUTES_AGO = 5


@dataclass(frozen=True)
class DemoIncidents:
    """The demo incidents the demo's crimes are recorded from."""

    harassment: int
    domestic: int
    shed: int
    collision: int


def _at(ctx: AppContext, moment: datetime) -> AppContext:
    return replace(ctx, clock=lambda: moment)


def _assessment(
    level: Level,
    engagement: Engagement,
    *indicators: EmergencyIndicator,
    vulnerability: Level = Level.LOW,
    flags: frozenset[VulnerabilityFlag] = frozenset(),
) -> ThriveAssessment:
    """Threat, harm and risk at one level, investigation low."""
    return ThriveAssessment(
        threat=level,
        harm=level,
        risk=level,
        investigation=Level.LOW,
        vulnerability=vulnerability,
        engagement=engagement,
        indicators=frozenset(indicators),
        vulnerabilities=flags,
    )


@dataclass(frozen=True)
class LiveCall:
    """A call on the queue when the demo opens: taken this many minutes ago, graded as assessed."""

    minutes_ago: int
    new: NewContact
    assessment: ThriveAssessment


# The live incidents, taken in this order: a grade 1 collision, a grade 2 domestic abuse call
# and a grade 3 online report.
LIVE_CALLS = {
    "collision": LiveCall(
        COLLISION_MINUTES_AGO,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Two cars collided, driver trapped",
            telephone="07700 900 456",
            location_description="A61 by the Moor Inn",
            neighbourhood_code="high_moor",
        ),
        _assessment(
            Level.HIGH, Engagement.IMMEDIATE_ATTENDANCE, EmergencyIndicator.SERIOUS_ROAD_COLLISION
        ),
    ),
    "domestic": LiveCall(
        35,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Partner shouting, caller frightened",
            caller_given_name="Kerry",
            caller_family_name="Doyle",
            telephone="07700 900 789",
            location_description="3 Quay Street",
            postcode="TE2 7QS",
            neighbourhood_code="central",
        ),
        # The handler flags domestic abuse: the queue and incident page say so, a DASH is
        # expected of the attending officer, and the measures count it from the start.
        _assessment(
            Level.MEDIUM,
            Engagement.PROMPT_ATTENDANCE,
            vulnerability=Level.HIGH,
            flags=frozenset({VulnerabilityFlag.DOMESTIC_ABUSE}),
        ),
    ),
    "shed": LiveCall(
        5 * 60,
        NewContact(
            channel=Channel.ONLINE_REPORT,
            summary="Shed broken into overnight",
            caller_given_name="Alan",
            caller_family_name="Reid",
            location_description="22 Orchard Road",
            neighbourhood_code="northfield",
        ),
        _assessment(Level.LOW, Engagement.SCHEDULED_ATTENDANCE),
    ),
}


# How long each channel's demo contacts took to answer: presented that long before the handler
# took them, so the contact screen shows a real answer time (a contact answered the instant it
# arrived shows "not measured").
DEMO_ANSWER_SECONDS = {
    Channel.EMERGENCY_999: 6,
    Channel.NON_EMERGENCY_101: 48,
    Channel.LIVE_CHAT: 95,
    Channel.ONLINE_REPORT: 2700,
}


def _answered_after_ringing(ctx: AppContext, new: NewContact) -> NewContact:
    """The contact as answered now, presented the channel's demo answer time earlier."""
    seconds = DEMO_ANSWER_SECONDS.get(new.channel, 0) if new.channel else 0
    now = ctx.now()
    return replace(new, presented_at=now - timedelta(seconds=seconds), answered_at=now)


def _graded_contact(
    ctx: AppContext, actor: Actor, new: NewContact, assessment: ThriveAssessment
) -> int:
    taken = contacts.take_contact(ctx, actor=actor, new=_answered_after_ringing(ctx, new))
    suggestion = contacts.assess_thrive(
        ctx, actor=actor, contact_id=taken.contact_id, assessment=assessment, notes={}
    )
    return contacts.grade_contact(
        ctx, actor=actor, contact_id=taken.contact_id, grade=suggestion.grade
    )


def _attend_and_close(
    ctx: AppContext, dispatcher: Actor, officer: Actor, incident_id: int, at: datetime
) -> None:
    """Deploy, arrive (the officer attends, body-worn video on) and close an incident in the
    past."""
    incidents.deploy(_at(ctx, at), actor=dispatcher, incident_id=incident_id, unit="NH04")
    arrived = at + timedelta(minutes=40)
    incidents.record_arrival(
        _at(ctx, arrived),
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=officer.user_id,
    )
    incidents.close_incident(
        _at(ctx, arrived + timedelta(minutes=30)),
        actor=dispatcher,
        incident_id=incident_id,
        closure=Closure.RESOLVED_AT_SCENE,
        reason="advice_given",
        note="Words of advice given",
    )


def build_demo_incidents(ctx: AppContext, actors: dict[Role, Actor]) -> DemoIncidents:
    """Jean Harper's four calls in a week (each attended and closed), a live chat resolved by a
    partner agency, and the live incidents: a grade 1 collision with a unit on its way, a
    grade 2 domestic abuse call attended by the demo officer, and a grade 3 online report
    awaiting an appointment; every open one within its attendance target now."""
    handler, dispatcher = actors[Role.CALL_HANDLER], actors[Role.DISPATCHER]
    now = ctx.now()
    caller = {
        "caller_given_name": "Jean",
        "caller_family_name": "Harper",
        "date_of_birth": date(1951, 4, 2),
        "telephone": "01632 960 123",
        "location_description": "14 Mill Lane",
        "postcode": "TE1 4AB",
        "neighbourhood_code": "riverside",
    }
    for days, summary in (
        (6, "Youths gathering outside, feels unsafe"),
        (4, "Stones thrown at the window"),
        (2, "Youths back again, shouting abuse"),
        (1, "Fence kicked in, same group"),
    ):
        then = now - timedelta(days=days)
        incident_id = _graded_contact(
            _at(ctx, then),
            handler,
            NewContact(channel=Channel.NON_EMERGENCY_101, summary=summary, **caller),  # type: ignore[arg-type]
            _assessment(Level.MEDIUM, Engagement.SCHEDULED_ATTENDANCE),
        )
        _attend_and_close(
            ctx, dispatcher, actors[Role.OFFICER], incident_id, then + timedelta(hours=days * 3)
        )
        if days == 4:
            # The crime (recorded two days ago, services/demo_crimes.py) comes from the
            # stones-thrown incident, attended before then: not from a later one.
            harassment = incident_id
    live = {
        name: _graded_contact(
            _at(ctx, now - timedelta(minutes=call.minutes_ago)), handler, call.new, call.assessment
        )
        for name, call in LIVE_CALLS.items()
    }
    incidents.deploy(
        _at(ctx, now - timedelta(minutes=COLLISION_MINUTES_AGO - 2)),
        actor=dispatcher,
        incident_id=live["collision"],
        unit="RP21",
    )
    # The demo officer went and arrived within the target, so the crime recorded from it
    # (services/demo_crimes.py, five minutes ago) was recorded by someone who was there, and the
    # officer's home page lists it with its DASH to do.
    incidents.deploy(
        _at(ctx, now - timedelta(minutes=32)),
        actor=dispatcher,
        incident_id=live["domestic"],
        unit="RP14",
    )
    incidents.record_arrival(
        _at(ctx, now - timedelta(minutes=20)),
        actor=dispatcher,
        incident_id=live["domestic"],
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )
    advice_at = _at(ctx, now - timedelta(hours=3))
    advice = contacts.take_contact(
        advice_at,
        actor=handler,
        new=_answered_after_ringing(
            advice_at,
            NewContact(
                channel=Channel.LIVE_CHAT,
                summary="Neighbour's hedge blocks pavement",
                caller_given_name="Ivy",
                caller_family_name="Stone",
            ),
        ),
    )
    later = _at(ctx, now - timedelta(hours=3) + timedelta(minutes=5))
    contacts.assess_thrive(
        later,
        actor=handler,
        contact_id=advice.contact_id,
        assessment=_assessment(Level.NONE, Engagement.PARTNER_AGENCY),
        notes={},
    )
    contacts.grade_contact(
        later,
        actor=handler,
        contact_id=advice.contact_id,
        grade=Grade.RESOLUTION_WITHOUT_DEPLOYMENT,
    )
    contacts.resolve_contact(
        later,
        actor=handler,
        contact_id=advice.contact_id,
        outcome=Closure.REFERRED_TO_PARTNER,
        agency_code="other",
        note="Passed to the council's highways team",
    )
    return DemoIncidents(
        harassment=harassment,
        domestic=live["domestic"],
        shed=live["shed"],
        collision=live["collision"],
    )
