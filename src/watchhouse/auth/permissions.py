"""The one permission table: which role may do which action. Nothing is allowed by default."""

from __future__ import annotations

from collections.abc import Mapping

from watchhouse.domain.roles import Action, Role

PUBLIC_ACTIONS: frozenset[Action] = frozenset({Action.SIGN_IN})

_EVERY_SIGNED_IN = frozenset({Action.VIEW_HOME, Action.CHANGE_OWN_PASSWORD})
_HANDLING = frozenset(
    {
        Action.SEARCH_RECORDS,
        Action.TAKE_CONTACT,
        Action.VIEW_CONTACT,
        Action.ASSESS_THRIVE,
        Action.GRADE_CONTACT,
        Action.RESOLVE_CONTACT,
        Action.VIEW_PERSON,
        Action.CONFIRM_CALLER,
    }
)
_DISPATCHING = frozenset(
    {
        Action.VIEW_QUEUE,
        Action.VIEW_INCIDENT,
        Action.VIEW_CONTACT,
        Action.DEPLOY,
        Action.RECORD_ARRIVAL,
        Action.CLOSE_INCIDENT,
    }
)

_PLANNING = frozenset({Action.VIEW_REPEAT_CALLERS, Action.VIEW_PLANS, Action.MANAGE_PLANS})
_AUDITING = frozenset({Action.MANAGE_AUDITS, Action.CONDUCT_AUDIT, Action.VIEW_AUDIT_TRENDS})
_AUDIT_FEEDBACK = frozenset(
    {Action.VIEW_AUDIT_FEEDBACK, Action.ACKNOWLEDGE_AUDIT_FEEDBACK, Action.VIEW_AUDIT_TRENDS}
)

# Investigators run their crimes; crime admin bureau staff hold the investigator role too (the
# bureau's worklist and tasks are WORK_BUREAU_TASKS), so no separate role is needed.
_INVESTIGATING = frozenset(
    {
        Action.RECORD_CRIME,
        Action.VIEW_CRIME,
        Action.INVESTIGATE,
        Action.VIEW_INVESTIGATOR_WORKLIST,
        Action.WORK_BUREAU_TASKS,
        Action.EXPORT_WORKLIST,
    }
)
_SUPERVISING_INVESTIGATIONS = frozenset(
    {Action.ALLOCATE_CRIME, Action.SUPERVISE_INVESTIGATION, Action.VIEW_SUPERVISOR_WORKLIST}
)

# The performance board (aggregates) and its drill-down to the records behind a measure (a
# logged consultation of personal data). Chief officers hold the analyst role.
_PERFORMANCE = frozenset({Action.VIEW_BOARD, Action.DRILL_DOWN, Action.EXPORT_BOARD})
# Demand forecasts and staffing plans hold no personal data: counts per interval only.
_RESOURCING = frozenset({Action.VIEW_PLANNING, Action.MAKE_PLANNING})

PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    Role.CALL_HANDLER: _EVERY_SIGNED_IN | _HANDLING | {Action.VIEW_INCIDENT},
    Role.DISPATCHER: _EVERY_SIGNED_IN | _DISPATCHING,
    Role.OFFICER: _EVERY_SIGNED_IN
    | {
        Action.VIEW_QUEUE,
        Action.VIEW_INCIDENT,
        Action.VIEW_CONTACT,
        Action.RECORD_ARRIVAL,
        Action.ASSESS_RISK,
        Action.RECORD_CRIME,
    },
    Role.INVESTIGATOR: _EVERY_SIGNED_IN
    | _INVESTIGATING
    | {Action.VIEW_INCIDENT, Action.VIEW_CONTACT, Action.VIEW_PERSON, Action.SEARCH_RECORDS},
    Role.SUPERVISOR: _EVERY_SIGNED_IN
    | _HANDLING
    | _DISPATCHING
    | _PLANNING
    | _INVESTIGATING
    | _SUPERVISING_INVESTIGATIONS
    | _AUDIT_FEEDBACK
    | _PERFORMANCE
    | {Action.ASSESS_RISK, Action.DECIDE_IDENTITY, Action.VIEW_MEASURES, Action.VIEW_PLANNING}
    | {Action.IMPORT_DATA},
    Role.NEIGHBOURHOOD_OFFICER: _EVERY_SIGNED_IN
    | _PLANNING
    | {Action.VIEW_INCIDENT, Action.VIEW_CONTACT, Action.VIEW_PERSON, Action.SEARCH_RECORDS},
    Role.AUDITOR: _EVERY_SIGNED_IN
    | _AUDITING
    | {
        Action.VIEW_ACCESS_LOG,
        Action.EXPORT_ACCESS_LOG,
        Action.VIEW_CONTACT,
        Action.VIEW_INCIDENT,
        Action.VIEW_PERSON,
        Action.VIEW_CRIME,
        Action.SEARCH_RECORDS,
    },
    Role.ANALYST: _EVERY_SIGNED_IN
    | _PERFORMANCE
    | _RESOURCING
    | {Action.VIEW_QUEUE, Action.VIEW_MEASURES, Action.VIEW_AUDIT_TRENDS, Action.EXPORT_DATA},
    Role.ADMINISTRATOR: _EVERY_SIGNED_IN
    | _RESOURCING
    | {Action.MANAGE_USERS, Action.LINK_IDENTITIES, Action.MANAGE_TEAMS, Action.VIEW_MEASURES}
    | {Action.IMPORT_DATA, Action.EXPORT_DATA},
    # The force's telephony platform posts call events with an API token, and does nothing else.
    Role.TELEPHONY_SYSTEM: frozenset({Action.POST_CALL_EVENTS}),
}


def can(role: Role | None, action: Action) -> bool:
    """True if the role (None for nobody signed in) may perform the action."""
    if action in PUBLIC_ACTIONS:
        return True
    if role is None:
        return False
    return action in PERMISSIONS.get(role, frozenset())
