"""Access log vocabulary (Data Protection Act 2018, Part 3, s.62)."""

from __future__ import annotations

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
