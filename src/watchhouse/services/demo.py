"""A small demo force: neighbourhoods, a user of every role, and a little history."""

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
from watchhouse.domain.values import Channel, Grade, Settlement
from watchhouse.services import (
    accounts,
    contacts,
    identity,
    incidents,
    planning,
    plans,
    reference,
    staffing_plans,
    teams,
)
from watchhouse.services.context import AppContext
from watchhouse.services.demo_audits import build_demo_audits
from watchhouse.services.demo_crimes import build_demo_crimes
from watchhouse.services.synth import Progress, SynthRequest, synth_to_database

DEMO_SCALE = 0.01
DEMO_SEED = 2024
# Whole months of history before the current one: the board's monthly XmR charts need
# [board] xmr_min_points (6) and take their limits from the first xmr_baseline_points (12),
# and the same month last year must be there; so 15 months, at a small scale to stay quick.
DEMO_HISTORY_MONTHS = 15

NEIGHBOURHOODS = [
    ("central", "Central", Settlement.URBAN),
    ("riverside", "Riverside", Settlement.URBAN),
    ("northfield", "Northfield", Settlement.URBAN),
    ("marsh_vale", "Marsh Vale", Settlement.RURAL),
    ("high_moor", "High Moor", Settlement.RURAL),
]

USERS = [
    ("handler", "Priya Shah", Role.CALL_HANDLER),
    ("dispatcher", "Tom Evans", Role.DISPATCHER),
    ("officer", "PC Sam Okafor", Role.OFFICER),
    ("investigator", "DC Lena Novak", Role.INVESTIGATOR),
    ("supervisor", "Sgt Ruth Adams", Role.SUPERVISOR),
    ("neighbourhood", "PC Dev Patel", Role.NEIGHBOURHOOD_OFFICER),
    ("auditor", "Helen Brooks", Role.AUDITOR),
    ("analyst", "Marcus Lee", Role.ANALYST),
    ("admin", "Ann Admin", Role.ADMINISTRATOR),
]


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's sign-in."""

    username: str
    password: str
    role: Role


def demo_password(username: str) -> str:
    """The demo password of a demo user (demo only; never in production)."""
    return f"{username}-demo-pass"


def _months_before(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _at(ctx: AppContext, moment: datetime) -> AppContext:
    return replace(ctx, clock=lambda: moment)


def _assessment(
    level: Level, engagement: Engagement, *indicators: EmergencyIndicator
) -> ThriveAssessment:
    return ThriveAssessment(
        threat=level,
        harm=level,
        risk=level,
        investigation=Level.LOW,
        vulnerability=Level.LOW,
        engagement=engagement,
        indicators=frozenset(indicators),
    )


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


def _demo_teams(ctx: AppContext, admin: Actor) -> None:
    """Teams under the demo supervisor, so that audit feedback has somewhere to go: the
    control room (every handler and dispatcher, synthetic ones too), response (every officer,
    synthetic ones too), and CID (the name the synthetic crimes are allocated to)."""
    for code, name, kind in (
        ("control-room", "Control room", "control_room"),
        ("response", "Response", "response"),
        ("cid", "CID", "investigation"),
    ):
        teams.add_team(ctx, actor=admin, code=code, name=name, kind=kind, supervisor="supervisor")
    members = {"handler": "control-room", "dispatcher": "control-room", "officer": "response"}
    members["investigator"] = "cid"
    for username in teams.memberships(ctx):
        if username.startswith(("synth.h", "synth.d")):
            members[username] = "control-room"
        elif username.startswith("synth.o"):  # their body-worn video audits reach Response
            members[username] = "response"
    for username, code in members.items():
        teams.assign(ctx, actor=admin, username=username, team_code=code)


def build_demo(
    ctx: AppContext, progress: Progress | None = None, *, scale: float = DEMO_SCALE
) -> list[DemoLogin]:
    """Fill an empty store with the demo force; refuses a store that already has users.

    Fifteen months of the synthetic force (1% of the default profile) give the history, so
    the board's monthly charts have their limits; a user of every role, a handful of live
    incidents and a first identity linkage make it ready to explore.
    """
    if ctx.settings.environment == "production":
        raise RuntimeError("the demo force cannot be built in production")
    if accounts.list_users(ctx):
        raise RuntimeError("the store already has users; the demo needs an empty one")
    today = ctx.now().date()
    history_start = _months_before(today.replace(day=1), DEMO_HISTORY_MONTHS)
    synth_to_database(
        ctx,
        SynthRequest(
            profile="default",
            start=history_start,
            end=today,
            scale=scale,
            seed=DEMO_SEED,
            settle_incidents=True,
        ),
        progress,
    )
    for code, name, settlement in NEIGHBOURHOODS:
        reference.add_neighbourhood(ctx, code=code, name=name, settlement=settlement)
    logins, actors = [], {}
    for username, name, role in USERS:
        user = accounts.add_user(
            ctx,
            username=username,
            display_name=name,
            role=role,
            password=demo_password(username),
        )
        logins.append(DemoLogin(username, demo_password(username), role))
        actors[role] = Actor(user.id, user.username, user.display_name, role)
    _demo_teams(ctx, actors[Role.ADMINISTRATOR])
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
    collision = _graded_contact(
        _at(ctx, now - timedelta(minutes=24)),
        handler,
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
    )
    incidents.deploy(
        _at(ctx, now - timedelta(minutes=20)), actor=dispatcher, incident_id=collision, unit="RP21"
    )
    domestic = _graded_contact(
        _at(ctx, now - timedelta(minutes=35)),
        handler,
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
        ThriveAssessment(
            threat=Level.MEDIUM,
            harm=Level.MEDIUM,
            risk=Level.MEDIUM,
            investigation=Level.LOW,
            vulnerability=Level.HIGH,
            engagement=Engagement.PROMPT_ATTENDANCE,
            # The handler flags domestic abuse: the queue and incident page say so, a DASH is
            # expected of the attending officer, and the measures count it from the start.
            vulnerabilities=frozenset({VulnerabilityFlag.DOMESTIC_ABUSE}),
        ),
    )
    shed = _graded_contact(
        _at(ctx, now - timedelta(hours=5)),
        handler,
        NewContact(
            channel=Channel.ONLINE_REPORT,
            summary="Shed broken into overnight",
            caller_given_name="Alan",
            caller_family_name="Reid",
            location_description="22 Orchard Road",
            neighbourhood_code="northfield",
        ),
        _assessment(Level.LOW, Engagement.SCHEDULED_ATTENDANCE),
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
    build_demo_crimes(
        ctx, actors, harassment_incident=harassment, domestic_incident=domestic, shed_incident=shed
    )
    # A quality audit of each month, so the board's audit measures have values.
    build_demo_audits(ctx, actors[Role.AUDITOR], first=history_start, last=today)
    # The first identity linkage, so that handlers are offered the people a caller may be.
    identity.link_identities(ctx, actor=actors[Role.ADMINISTRATOR])
    # The daily repeat-caller batch over the last fortnight, so the neighbourhood officer has
    # problem-solving plans (Jean Harper's four calls in a week among them).
    for days_ago in range(14, -1, -1):
        plans.run_daily_batch(
            ctx, actor=actors[Role.NEIGHBOURHOOD_OFFICER], day=today - timedelta(days=days_ago)
        )
    _demo_forecast(ctx, actors[Role.ANALYST], history_days=(today - history_start).days)
    return logins


def _demo_forecast(ctx: AppContext, analyst: Actor, *, history_days: int) -> None:
    """A stored demand forecast and the policy's staffing plan from it, for the planning page,
    as long as the demo's history allows (a backtest window of the horizon plus four weeks;
    none when the history is too short)."""
    weeks = min(ctx.policy.planning.horizon_weeks, (history_days - 4 * 7 - 2) // 7)
    if weeks >= 1:
        forecast = planning.make_forecast(ctx, actor=analyst, horizon_weeks=weeks)
        staffing_plans.make_plan(
            ctx, actor=analyst, request=planning.PlanRequest(forecast_run_id=forecast.run_id)
        )
