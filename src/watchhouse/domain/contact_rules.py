"""Checks on a new contact before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from watchhouse.domain.clock import require_aware
from watchhouse.domain.errors import FieldProblem
from watchhouse.domain.identifiers import normalise_postcode, normalise_telephone
from watchhouse.domain.records import NewContact

CLOCK_TOLERANCE = timedelta(minutes=2)
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class CheckedContact:
    """A new contact that passed its checks, with times filled in and identifiers normalised."""

    contact: NewContact
    telephone_e164: str | None
    postcode: str | None


def check_new_contact(new: NewContact, now: datetime) -> CheckedContact | list[FieldProblem]:
    """Validate a new contact; answer it now unless it was abandoned or answered already."""
    problems: list[FieldProblem] = []
    moment = require_aware(now, "now")
    answered = new.answered_at
    if answered is not None and answered.tzinfo is None:
        problems.append(FieldProblem("answered_at", "must include a time zone offset"))
        answered = None
    elif answered is not None and answered > moment + CLOCK_TOLERANCE:
        problems.append(FieldProblem("answered_at", "is in the future"))
    presented = new.presented_at or answered or moment
    if new.presented_at is not None and new.presented_at.tzinfo is None:
        problems.append(FieldProblem("presented_at", "must include a time zone offset"))
        presented = moment
    elif presented > moment + CLOCK_TOLERANCE:
        problems.append(FieldProblem("presented_at", "is in the future"))
    if new.abandoned and answered is not None:
        problems.append(FieldProblem("answered_at", "an abandoned contact was never answered"))
    if not new.abandoned and answered is None:
        answered = max(moment, presented)
    if answered is not None and presented.tzinfo is not None and answered < presented:
        problems.append(FieldProblem("answered_at", "is before the contact was presented"))
    if not new.abandoned and not new.summary.strip():
        problems.append(FieldProblem("summary", "say what is happening"))
    if len(new.summary) > 4000:
        problems.append(FieldProblem("summary", "is longer than 4000 characters"))
    telephone = None
    if new.telephone.strip():
        try:
            telephone = normalise_telephone(new.telephone)
        except ValueError as exc:
            problems.append(FieldProblem("telephone", str(exc)))
    postcode = None
    if new.postcode.strip():
        try:
            postcode = normalise_postcode(new.postcode)
        except ValueError as exc:
            problems.append(FieldProblem("postcode", str(exc)))
    if new.date_of_birth is not None:
        if new.date_of_birth > moment.date():
            problems.append(FieldProblem("date_of_birth", "is in the future"))
        elif new.date_of_birth < EARLIEST_BIRTH:
            problems.append(FieldProblem("date_of_birth", "is before 1900"))
    if (new.location_description.strip() or postcode) and not new.neighbourhood_code:
        problems.append(
            FieldProblem("neighbourhood_code", "choose the neighbourhood of the location")
        )
    for name in ("caller_given_name", "caller_family_name", "location_description"):
        if len(getattr(new, name)) > 200:
            problems.append(FieldProblem(name, "is longer than 200 characters"))
    if problems:
        return problems
    filled = replace(new, presented_at=presented, answered_at=answered)
    return CheckedContact(filled, telephone, postcode)
