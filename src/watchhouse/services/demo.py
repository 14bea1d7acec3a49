"""A small demo force: neighbourhoods, a user of every role, and a little history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Settlement
from watchhouse.services import (
    accounts,
    identity,
    planning,
    plans,
    reference,
    staffing_plans,
    teams,
)
from watchhouse.services.context import AppContext
from watchhouse.services.demo_audits import build_demo_audits
from watchhouse.services.demo_crimes import build_demo_crimes
from watchhouse.services.demo_incidents import build_demo_incidents
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
    # The forecast first: the live incidents' times are taken from the clock after it, so
    # they are as fresh as they can be when the demo opens.
    _demo_forecast(ctx, actors[Role.ANALYST], history_days=(today - history_start).days)
    live = build_demo_incidents(ctx, actors)
    build_demo_crimes(
        ctx,
        actors,
        harassment_incident=live.harassment,
        domestic_incident=live.domestic,
        shed_incident=live.shed,
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
