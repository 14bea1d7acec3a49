"""Teams: who works together under which supervisor (audit feedback goes to them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from watchhouse.domain.errors import FieldProblem, ValidationFailed

NO_TEAM = "no team"
TEAM_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class TeamKind(StrEnum):
    """The kinds of team a force is organised into."""

    CONTROL_ROOM = "control_room"
    RESPONSE = "response"
    INVESTIGATION = "investigation"
    NEIGHBOURHOOD = "neighbourhood"
    SAFEGUARDING = "safeguarding"
    CRIME_ADMIN = "crime_admin"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Control room'."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Team:
    """A team and its supervisor (None until one is named)."""

    id: int
    code: str
    name: str
    kind: TeamKind
    supervisor_id: int | None
    supervisor_username: str | None
    members: int = 0


def check_new_team(*, code: str, name: str, kind: str) -> TeamKind:
    """Check a new team's code, name and kind; every problem named with its field."""
    problems = []
    if not TEAM_CODE.match(code):
        problems.append(
            FieldProblem("code", "lower-case letters, digits, '_' or '-', up to 40 characters")
        )
    if not name.strip():
        problems.append(FieldProblem("name", "required"))
    try:
        team_kind = TeamKind(kind)
    except ValueError:
        problems.append(
            FieldProblem("kind", f"one of {', '.join(k.value for k in TeamKind)}, not {kind!r}")
        )
        team_kind = TeamKind.RESPONSE
    if problems:
        raise ValidationFailed(problems)
    return team_kind
