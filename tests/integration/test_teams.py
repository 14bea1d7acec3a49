"""Teams: administrators add them, name supervisors who can receive feedback, assign users."""

from __future__ import annotations

import pytest

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.domain.teams import TeamKind
from watchhouse.services import teams

pytestmark = pytest.mark.integration


def test_team_added_with_a_supervisor_lists_its_members(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    team = teams.add_team(
        ctx,
        actor=admin,
        code="control-a",
        name="Control room A",
        kind="control_room",
        supervisor="supervisor",
    )
    assert (team.kind, team.supervisor_username, team.members) == (
        TeamKind.CONTROL_ROOM,
        "supervisor",
        0,
    )
    teams.assign(ctx, actor=admin, username="call_handler", team_code="control-a")
    teams.assign(ctx, actor=admin, username="dispatcher", team_code="control-a")
    (listed,) = teams.list_teams(ctx)
    assert listed.members == 2
    assert teams.memberships(ctx)["call_handler"] == "control-a"
    assert teams.memberships(ctx)["officer"] is None


def test_user_taken_out_of_a_team_has_no_team(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    teams.add_team(ctx, actor=admin, code="resp", name="Response", kind="response")
    teams.assign(ctx, actor=admin, username="officer", team_code="resp")
    teams.assign(ctx, actor=admin, username="officer", team_code="")
    assert teams.memberships(ctx)["officer"] is None


def test_a_call_handler_cannot_be_a_team_supervisor(ctx, actors):
    with pytest.raises(ValidationFailed) as caught:
        teams.add_team(
            ctx,
            actor=actors[Role.ADMINISTRATOR],
            code="cid",
            name="CID",
            kind="investigation",
            supervisor="call_handler",
        )
    assert caught.value.problems[0].field == "supervisor"
    assert teams.list_teams(ctx) == []


def test_bad_team_names_every_field(ctx, actors):
    with pytest.raises(ValidationFailed) as caught:
        teams.add_team(ctx, actor=actors[Role.ADMINISTRATOR], code="Bad Code", name=" ", kind="x")
    assert {p.field for p in caught.value.problems} == {"code", "name", "kind"}


def test_team_code_is_unique(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    teams.add_team(ctx, actor=admin, code="resp", name="Response", kind="response")
    with pytest.raises(Conflict):
        teams.add_team(ctx, actor=admin, code="resp", name="Again", kind="response")


def test_assigning_to_an_unknown_team_or_user_is_refused(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    with pytest.raises(ValidationFailed, match="no team"):
        teams.assign(ctx, actor=admin, username="officer", team_code="nowhere")
    with pytest.raises(ValidationFailed, match="no user"):
        teams.assign(ctx, actor=admin, username="nobody", team_code="")
