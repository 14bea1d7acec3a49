"""The permission table, role by action: every decision written out, nothing allowed by default."""

from __future__ import annotations

import pytest

from watchhouse.auth.permissions import PERMISSIONS, PUBLIC_ACTIONS, can
from watchhouse.domain.roles import Action, Role

pytestmark = pytest.mark.unit

# Column order of the table below. A new role must be added here and to every row.
COLUMNS = (
    Role.CALL_HANDLER,  # CH
    Role.DISPATCHER,  # DI
    Role.OFFICER,  # OF
    Role.INVESTIGATOR,  # IN
    Role.SUPERVISOR,  # SU
    Role.NEIGHBOURHOOD_OFFICER,  # NO
    Role.AUDITOR,  # AU
    Role.ANALYST,  # AN
    Role.ADMINISTRATOR,  # AD
    Role.TELEPHONY_SYSTEM,  # TS
)

# "Y" allowed, "." refused. A new action must be added here with a decision for every role.
# fmt: off
TABLE: dict[Action, str] = {
    #                          CH DI OF IN SU NO AU AN AD TS
    Action.SIGN_IN:           "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y",
    Action.VIEW_HOME:         "Y  Y  Y  Y  Y  Y  Y  Y  Y  .",
    Action.CHANGE_OWN_PASSWORD: "Y  Y  Y  Y  Y  Y  Y  Y  Y  .",
    Action.TAKE_CONTACT:      "Y  .  .  .  Y  .  .  .  .  .",
    Action.VIEW_CONTACT:      "Y  Y  Y  Y  Y  Y  Y  .  .  .",
    Action.ASSESS_THRIVE:     "Y  .  .  .  Y  .  .  .  .  .",
    Action.GRADE_CONTACT:     "Y  .  .  .  Y  .  .  .  .  .",
    Action.RESOLVE_CONTACT:   "Y  .  .  .  Y  .  .  .  .  .",
    Action.VIEW_PERSON:       "Y  .  .  Y  Y  Y  Y  .  .  .",
    Action.SEARCH_RECORDS:    "Y  .  .  Y  Y  Y  Y  .  .  .",
    Action.VIEW_QUEUE:        ".  Y  Y  .  Y  .  .  Y  .  .",
    Action.VIEW_INCIDENT:     "Y  Y  Y  Y  Y  Y  Y  .  .  .",
    Action.DEPLOY:            ".  Y  .  .  Y  .  .  .  .  .",
    Action.RECORD_ARRIVAL:    ".  Y  Y  .  Y  .  .  .  .  .",
    Action.CLOSE_INCIDENT:    ".  Y  .  .  Y  .  .  .  .  .",
    Action.VIEW_ACCESS_LOG:   ".  .  .  .  .  .  Y  .  .  .",
    Action.EXPORT_ACCESS_LOG: ".  .  .  .  .  .  Y  .  .  .",
    Action.MANAGE_USERS:      ".  .  .  .  .  .  .  .  Y  .",
    Action.VIEW_REPEAT_CALLERS: ".  .  .  .  Y  Y  .  .  .  .",
    Action.VIEW_PLANS:        ".  .  .  .  Y  Y  .  .  .  .",
    Action.MANAGE_PLANS:      ".  .  .  .  Y  Y  .  .  .  .",
    Action.ASSESS_RISK:       ".  .  Y  .  Y  .  .  .  .  .",
    Action.LINK_IDENTITIES:   ".  .  .  .  .  .  .  .  Y  .",
    Action.DECIDE_IDENTITY:   ".  .  .  .  Y  .  .  .  .  .",
    Action.CONFIRM_CALLER:    "Y  .  .  .  Y  .  .  .  .  .",
    Action.RECORD_CRIME:      ".  .  Y  Y  Y  .  .  .  .  .",
    Action.VIEW_CRIME:        ".  .  .  Y  Y  .  Y  .  .  .",
    Action.INVESTIGATE:       ".  .  .  Y  Y  .  .  .  .  .",
    Action.ALLOCATE_CRIME:    ".  .  .  .  Y  .  .  .  .  .",
    Action.SUPERVISE_INVESTIGATION: ".  .  .  .  Y  .  .  .  .  .",
    Action.VIEW_INVESTIGATOR_WORKLIST: ".  .  .  Y  Y  .  .  .  .  .",
    Action.VIEW_SUPERVISOR_WORKLIST: ".  .  .  .  Y  .  .  .  .  .",
    Action.WORK_BUREAU_TASKS: ".  .  .  Y  Y  .  .  .  .  .",
    Action.EXPORT_WORKLIST:   ".  .  .  Y  Y  .  .  .  .  .",
    Action.MANAGE_TEAMS:      ".  .  .  .  .  .  .  .  Y  .",
    Action.MANAGE_AUDITS:     ".  .  .  .  .  .  Y  .  .  .",
    Action.CONDUCT_AUDIT:     ".  .  .  .  .  .  Y  .  .  .",
    Action.VIEW_AUDIT_FEEDBACK: ".  .  .  .  Y  .  .  .  .  .",
    Action.ACKNOWLEDGE_AUDIT_FEEDBACK: ".  .  .  .  Y  .  .  .  .  .",
    Action.VIEW_AUDIT_TRENDS: ".  .  .  .  Y  .  Y  Y  .  .",
    Action.VIEW_BOARD:        ".  .  .  .  Y  .  .  Y  .  .",
    Action.DRILL_DOWN:        ".  .  .  .  Y  .  .  Y  .  .",
    Action.EXPORT_BOARD:      ".  .  .  .  Y  .  .  Y  .  .",
    Action.VIEW_MEASURES:     ".  .  .  .  Y  .  .  Y  Y  .",
    Action.VIEW_PLANNING:     ".  .  .  .  Y  .  .  Y  Y  .",
    Action.MAKE_PLANNING:     ".  .  .  .  .  .  .  Y  Y  .",
    Action.IMPORT_DATA:       ".  .  .  .  Y  .  .  .  Y  .",
    Action.EXPORT_DATA:       ".  .  .  .  .  .  .  Y  Y  .",
    Action.POST_CALL_EVENTS:  ".  .  .  .  .  .  .  .  .  Y",
}
# fmt: on


def expected() -> list[tuple[Role, Action, bool]]:
    """Every (role, action, allowed) cell of the table."""
    cells = []
    for action, row in TABLE.items():
        marks = row.split()
        assert len(marks) == len(COLUMNS), f"row {action} needs one mark per role"
        assert set(marks) <= {"Y", "."}, f"row {action} has a mark that is not Y or ."
        cells.extend((role, action, mark == "Y") for role, mark in zip(COLUMNS, marks, strict=True))
    return cells


def test_the_table_has_a_column_for_every_role_and_no_other() -> None:
    assert sorted(COLUMNS) == sorted(Role)
    assert len(set(COLUMNS)) == len(COLUMNS)


def test_the_table_has_a_row_for_every_action_and_no_other() -> None:
    assert set(TABLE) == set(Action)


def test_the_code_table_names_every_role() -> None:
    assert set(PERMISSIONS) == set(Role)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    expected(),
    ids=[f"{r.value}-{a.value}" for r, a, _ in expected()],
)
def test_role_may_perform_action_exactly_as_the_table_says(
    role: Role, action: Action, allowed: bool
) -> None:
    assert can(role, action) is allowed


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_nobody_signed_in_may_only_sign_in(action: Action) -> None:
    assert can(None, action) is (action == Action.SIGN_IN)


def test_sign_in_is_the_only_public_action() -> None:
    assert frozenset({Action.SIGN_IN}) == PUBLIC_ACTIONS


def test_only_the_auditor_can_see_or_export_the_access_log() -> None:
    for action in (Action.VIEW_ACCESS_LOG, Action.EXPORT_ACCESS_LOG):
        assert {r for r in Role if can(r, action)} == {Role.AUDITOR}


def test_only_the_administrator_can_manage_users() -> None:
    assert {r for r in Role if can(r, Action.MANAGE_USERS)} == {Role.ADMINISTRATOR}


def test_the_administrator_cannot_see_personal_data() -> None:
    for action in (Action.VIEW_CONTACT, Action.VIEW_PERSON, Action.VIEW_INCIDENT):
        assert can(Role.ADMINISTRATOR, action) is False


def test_only_supervisors_review_investigations_and_allocate_crimes() -> None:
    for action in (Action.SUPERVISE_INVESTIGATION, Action.ALLOCATE_CRIME):
        assert {r for r in Role if can(r, action)} == {Role.SUPERVISOR}


def test_only_the_auditor_draws_samples_and_scores_records() -> None:
    for action in (Action.MANAGE_AUDITS, Action.CONDUCT_AUDIT):
        assert {r for r in Role if can(r, action)} == {Role.AUDITOR}


def test_audit_feedback_goes_to_supervisors_only() -> None:
    for action in (Action.VIEW_AUDIT_FEEDBACK, Action.ACKNOWLEDGE_AUDIT_FEEDBACK):
        assert {r for r in Role if can(r, action)} == {Role.SUPERVISOR}
