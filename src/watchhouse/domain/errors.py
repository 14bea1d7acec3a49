"""Errors the rules raise, each saying what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchhouse.domain.records import DecisionView


@dataclass(frozen=True)
class FieldProblem:
    """One field and why its value was refused."""

    field: str
    reason: str


class ValidationFailed(ValueError):
    """Input that cannot be accepted; lists every field and its reason."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        """Keep the problems and make a readable message of them."""
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))

    @classmethod
    def one(cls, field: str, reason: str) -> ValidationFailed:
        """A failure with a single problem."""
        return cls([FieldProblem(field, reason)])


class JustificationNeeded(ValidationFailed):
    """Personal data outside the person's own work, asked for without a stated reason while
    policy requires one: the screen asks for the reason before showing anything."""

    def __init__(self, what: str) -> None:
        """Name what was asked for (e.g. 'person 12')."""
        self.what = what
        super().__init__([FieldProblem("justification", f"choose a reason before viewing {what}")])


class NotFound(LookupError):
    """A record that does not exist."""

    def __init__(self, what: str, key: object) -> None:
        """Name the kind of record and the key looked for."""
        self.what = what
        self.key = key
        super().__init__(f"{what} {key} not found")


class Conflict(RuntimeError):
    """A request that breaks a rule about the record's current state."""


class StaleDecision(Conflict):
    """An identity decision made without seeing a newer one about the same contacts."""

    def __init__(self, message: str, *, latest: DecisionView, newer: int) -> None:
        """Keep the latest unseen decision and how many there are."""
        self.latest = latest
        self.newer = newer
        super().__init__(message)


class SignInRefused(PermissionError):
    """A sign-in that failed; the message never says which part was wrong."""


class SignInThrottled(SignInRefused):
    """A sign-in refused unread because its source address failed too often lately."""
