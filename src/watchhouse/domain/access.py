"""Access log vocabulary (Data Protection Act 2018, Part 3, s.62)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Operation(StrEnum):
    """The processing operations s.62 requires to be logged."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"


NEEDS_JUSTIFICATION = frozenset({Operation.CONSULTATION, Operation.DISCLOSURE})

# The references people see on the screens (C0009957 for a contact; domain/records.py and
# domain/audit_views.py) and the record type the access log files each under.
REFERENCE_RECORD_TYPES = {
    "CR": "crime",
    "DA": "risk_assessment",
    "C": "contact",
    "I": "incident",
    "P": "problem_solving_plan",
}
_REFERENCE = re.compile(r"^(CR|DA|C|I|P)(\d+)$", re.IGNORECASE)


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

    @property
    def reference(self) -> str | None:
        """The record's reference as the screens show it (C0009957), if it has one."""
        return reference_for(self.record_type, self.record_id)


@dataclass(frozen=True)
class AccessQuery:
    """Filters for searching the access log; None means any."""

    username: str | None = None
    operation: Operation | None = None
    record_type: str | None = None
    record_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500
