"""Walking the demo: the supervisor leads all three teams, yet the teams page listed them under
"no team". The page now says which teams each person leads, besides any team they are in."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role
from watchhouse.services import teams

pytestmark = pytest.mark.web


def _team_cell(page: str, username: str) -> str:
    members = page.split("<h2>Members</h2>")[1]
    row = members.split(f"<tr><td>{username}</td>")[1].split("</tr>")[0]
    return row.split("<td>")[-1].split("</td>")[0]


def test_the_teams_page_shows_a_leader_leading_their_teams(ctx, actors, client_as) -> None:
    admin = actors[Role.ADMINISTRATOR]
    for code, name in (("control-a", "Control A"), ("control-b", "Control B")):
        teams.add_team(
            ctx, actor=admin, code=code, name=name, kind="control_room", supervisor="supervisor"
        )
    teams.assign(ctx, actor=admin, username="call_handler", team_code="control-a")

    page = client_as(Role.ADMINISTRATOR).client.get("/admin/teams")
    assert page.status_code == 200
    leader = _team_cell(page.text, "supervisor")
    assert "leads: Control A, Control B" in leader
    assert not leader.startswith("no team")
    assert _team_cell(page.text, "call_handler") == "control-a"
    assert _team_cell(page.text, "dispatcher") == "no team"

    teams.assign(ctx, actor=admin, username="supervisor", team_code="control-b")
    page = client_as(Role.ADMINISTRATOR).client.get("/admin/teams")
    assert _team_cell(page.text, "supervisor") == "control-b; leads: Control A, Control B"
