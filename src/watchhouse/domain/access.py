"""Access log vocabulary (Data Protection Act 2018, Part 3, s.62)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Role


class Operation(StrEnum):
    """The processing operations s.62 requires to be logged."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"


NEEDS_JUSTIFICATION = frozenset({Operation.CONSULTATION, Operation.DISCLOSURE})

# A justification a person gives: one of policy's reason codes (`[access_log]
# justification_reasons`), then optionally ": " and their own words. It is logged as given.
JUSTIFICATION_TEXT_MAX = 500
OWN_WORK_PREFIX = "own work: "


@dataclass(frozen=True)
class JustificationReason:
    """One reason a force lets people give for viewing personal data."""

    code: str
    label: str


def given_justification(
    code: str, text: str, reasons: Sequence[JustificationReason], *, field: str = "justification"
) -> str:
    """The log text for a reason chosen from the list plus free text ("code: text"), or
    ValidationFailed naming the field when the code is not one of the list."""
    code = code.strip()
    words = " ".join(text.split())
    known = [r.code for r in reasons]
    if not code:
        raise ValidationFailed.one(field, "choose a reason from the list")
    if code not in known:
        raise ValidationFailed.one(
            field, f"{code[:40]!r} is not a reason this force allows; one of {', '.join(known)}"
        )
    if len(words) > JUSTIFICATION_TEXT_MAX:
        raise ValidationFailed.one(
            field, f"the free text is longer than {JUSTIFICATION_TEXT_MAX} characters"
        )
    return f"{code}: {words}" if words else code


def read_justification_header(value: str, reasons: Sequence[JustificationReason]) -> str:
    """An API `X-Justification` header: a reason code, optionally followed by ':' and free
    text (``safeguarding: caller's welfare``)."""
    code, _, text = value.partition(":")
    return given_justification(code, text, reasons, field="X-Justification")


# Roles whose work queue is the live incident queue: an open incident (and its contact) is
# their own work; a closed one, or a record found otherwise, is not.
_QUEUE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.OFFICER})


@dataclass(frozen=True)
class RecordWork:
    """Who a contact or incident is work for: the handler who took the contact, its incident
    (if any) and whether that is still open, and the officer recorded as attending."""

    handler_id: int | None
    incident_id: int | None
    incident_open: bool
    attending_officer_id: int | None
    # Who graded, deployed, recorded the arrival of or closed the incident.
    worked_by: frozenset[int] = frozenset()


def own_work_reason(role: Role, user_id: int, work: RecordWork, what: str) -> str | None:
    """The system's reason when the record is in the person's own work (a contact they took,
    an incident they attend, an open incident on their live queue); None otherwise, when
    the person must give a reason themselves."""
    if work.handler_id is not None and work.handler_id == user_id:
        return own_work(f"{what} taken by you")
    if work.attending_officer_id is not None and work.attending_officer_id == user_id:
        return own_work(f"{what}, you are the attending officer")
    if user_id in work.worked_by:
        return own_work(f"{what}, which you worked on")
    if work.incident_open and role in _QUEUE_ROLES:
        return own_work(f"{what}, open on your live queue")
    return None


def own_work(what: str) -> str:
    """The system's reason for showing a record that is the person's own work."""
    return f"{OWN_WORK_PREFIX}{what}"


# The references people see on the screens (C0009957 for a contact; domain/records.py and
# domain/audit_views.py) and the record type the access log files each under.
REFERENCE_RECORD_TYPES = {
    "CR": "crime",
    "DA": "risk_assessment",
    "C": "contact",
    "I": "incident",
    "N": "person",
    "P": "problem_solving_plan",
}
_REFERENCE = re.compile(r"^(CR|DA|C|I|N|P)(\d+)$", re.IGNORECASE)


def parse_reference(text: str) -> tuple[str, str] | None:
    """The access-log record type and id a screen reference names (c0009957 -> contact 9957);
    None when the text is not a reference."""
    found = _REFERENCE.match(text.strip().replace(" ", ""))
    if found is None or int(found.group(2)) == 0:
        return None
    return REFERENCE_RECORD_TYPES[found.group(1).upper()], str(int(found.group(2)))


def reference_for(record_type: str, record_id: str) -> str | None:
    """The screen reference of a logged record (contact 9957 -> C0009957), if it has one."""
    for prefix, kind in REFERENCE_RECORD_TYPES.items():
        if kind == record_type and record_id.isdigit():
            return f"{prefix}{int(record_id):07d}"
    return None


@dataclass(frozen=True)
class AccessEntry:
    """One logged operation on one record."""

    id: int
    at: datetime
    username: str
    operation: Operation
    record_type: str
    record_id: str
    justification: str | None
    recipient: str | None
    name: str | None = None  # the user's name as the screens show it (None: user unknown)

    @property
    def reference(self) -> str | None:
        """The record's reference as the screens show it (C0009957), if it has one."""
        return reference_for(self.record_type, self.record_id)


@dataclass(frozen=True)
class AccessQuery:
    """Filters for searching the access log; None means any."""

    username: str | None = None  # the user's username or name as the screens show it, any case
    operation: Operation | None = None
    record_type: str | None = None
    record_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500
