"""Roles, actions and who is acting: the vocabulary of permissions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The jobs people do in and around the control room."""

    CALL_HANDLER = "call_handler"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    NEIGHBOURHOOD_OFFICER = "neighbourhood_officer"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    TELEPHONY_SYSTEM = "telephony_system"

    @property
    def label(self) -> str:
        """Human label, e.g. 'Call handler'."""
        return self.value.replace("_", " ").capitalize()


class Action(StrEnum):
    """Everything a route can do; every route declares exactly one."""

    SIGN_IN = "sign_in"
    VIEW_HOME = "view_home"
    CHANGE_OWN_PASSWORD = "change_own_password"
    TAKE_CONTACT = "take_contact"
    VIEW_CONTACT = "view_contact"
    ASSESS_THRIVE = "assess_thrive"
    GRADE_CONTACT = "grade_contact"
    RESOLVE_CONTACT = "resolve_contact"
    VIEW_PERSON = "view_person"
    VIEW_QUEUE = "view_queue"
    VIEW_INCIDENT = "view_incident"
    DEPLOY = "deploy"
    RECORD_ARRIVAL = "record_arrival"
    CLOSE_INCIDENT = "close_incident"
    VIEW_ACCESS_LOG = "view_access_log"
    EXPORT_ACCESS_LOG = "export_access_log"
    MANAGE_USERS = "manage_users"
    VIEW_REPEAT_CALLERS = "view_repeat_callers"
    VIEW_PLANS = "view_plans"
    MANAGE_PLANS = "manage_plans"
    ASSESS_RISK = "assess_risk"
    LINK_IDENTITIES = "link_identities"
    DECIDE_IDENTITY = "decide_identity"
    CONFIRM_CALLER = "confirm_caller"
    RECORD_CRIME = "record_crime"
    VIEW_CRIME = "view_crime"
    INVESTIGATE = "investigate"
    ALLOCATE_CRIME = "allocate_crime"
    SUPERVISE_INVESTIGATION = "supervise_investigation"
    VIEW_INVESTIGATOR_WORKLIST = "view_investigator_worklist"
    VIEW_SUPERVISOR_WORKLIST = "view_supervisor_worklist"
    WORK_BUREAU_TASKS = "work_bureau_tasks"
    EXPORT_WORKLIST = "export_worklist"  # one's own worklist as CSV (a logged disclosure)
    MANAGE_TEAMS = "manage_teams"
    MANAGE_AUDITS = "manage_audits"
    CONDUCT_AUDIT = "conduct_audit"
    VIEW_AUDIT_FEEDBACK = "view_audit_feedback"
    ACKNOWLEDGE_AUDIT_FEEDBACK = "acknowledge_audit_feedback"
    VIEW_AUDIT_TRENDS = "view_audit_trends"
    VIEW_BOARD = "view_board"
    DRILL_DOWN = "drill_down"
    EXPORT_BOARD = "export_board"  # the board's and PEEL view's figures as CSV (aggregates)
    VIEW_MEASURES = "view_measures"
    VIEW_PLANNING = "view_planning"
    MAKE_PLANNING = "make_planning"
    IMPORT_DATA = "import_data"
    EXPORT_DATA = "export_data"
    POST_CALL_EVENTS = "post_call_events"
    SEARCH_RECORDS = "search_records"


@dataclass(frozen=True)
class Actor:
    """The signed-in person a request acts for."""

    user_id: int
    username: str
    display_name: str
    role: Role
