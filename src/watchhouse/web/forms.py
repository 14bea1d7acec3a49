"""Turn submitted form fields into domain values, collecting every problem with its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import TypeVar

from watchhouse.domain.access import AccessQuery, Operation, parse_reference
from watchhouse.domain.clock import local_to_utc
from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel
from watchhouse.web.ids import record_id_or_none
from watchhouse.web.limits import MAX_FREE_TEXT_CHARS

E = TypeVar("E", bound=Enum)
CONTACT_REFERENCE = re.compile(r"^[Cc]?0*(\d{1,12})$")

LEVEL_PARTS = ("threat", "harm", "risk", "investigation", "vulnerability")


# Dates and times are typed into one text field each (one tab stop; the browsers' date inputs
# take three or more), in the UK order the screens show; ISO forms are accepted too.
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM (seconds optional)"
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_UK_DATETIME = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?$"
)


def read_date(raw: str) -> date:
    """A date typed as DD/MM/YYYY (also D/M/YYYY, with . or -) or YYYY-MM-DD."""
    text = raw.strip()
    found = _UK_DATE.match(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def read_local_datetime(raw: str) -> datetime:
    """A wall-clock time typed as DD/MM/YYYY HH:MM[:SS] or ISO (YYYY-MM-DDTHH:MM[:SS])."""
    text = " ".join(raw.split())
    found = _UK_DATETIME.match(text)
    if found:
        day, month, year, hour, minute = (int(g) for g in found.groups()[:5])
        second = int(found.group(6) or 0)
        return datetime(year, month, day, hour, minute, second)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        raise ValueError("a local time has no offset")
    return moment


class FormReader:
    """Reads typed values from a form, remembering what was wrong."""

    def __init__(self, form: Mapping[str, object]) -> None:
        """Wrap the submitted fields."""
        self.form = form
        self.problems: list[FieldProblem] = []

    def text(self, name: str, *, required: bool = False, label: str = "") -> str:
        """A text field, stripped."""
        value = self.form.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > MAX_FREE_TEXT_CHARS:
            # Refused at once, whether or not the route collects problems: never stored cut.
            raise ValidationFailed.one(name, f"is longer than {MAX_FREE_TEXT_CHARS} characters")
        if required and not text:
            self.problems.append(
                FieldProblem(name, f"{label or name.replace('_', ' ')} is required")
            )
        return text

    def choice(self, name: str, enum: type[E]) -> E | None:
        """One value of an enumeration."""
        raw = self.text(name)
        try:
            return enum(int(raw)) if issubclass(enum, int) else enum(raw)
        except ValueError:
            self.problems.append(FieldProblem(name, "choose one of the options"))
            return None

    def date(self, name: str) -> date | None:
        """An optional date, typed as DD/MM/YYYY (one text field, one tab stop) or ISO."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            return read_date(raw)
        except ValueError:
            self.problems.append(FieldProblem(name, f"give a date as {DATE_FORMAT}"))
            return None

    def local_time(self, name: str, zone: str) -> datetime | None:
        """An optional local wall-clock time typed as DD/MM/YYYY HH:MM[:SS] (or ISO), in UTC."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            return local_to_utc(read_local_datetime(raw), zone)
        except ValueError:
            self.problems.append(FieldProblem(name, f"give a date and time as {DATETIME_FORMAT}"))
            return None

    def aware_time(self, name: str) -> datetime | None:
        """An optional ISO 8601 time with its offset (as the server wrote it into the form)."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.problems.append(FieldProblem(name, "give an ISO 8601 time with its offset"))
            return None
        return moment

    def flag(self, name: str) -> bool:
        """A checkbox: present means ticked."""
        return self.form.get(name) not in (None, "", "0", "false", "off")

    def many(self, name: str) -> list[str]:
        """All values of a repeated field."""
        getlist = getattr(self.form, "getlist", None)
        values = getlist(name) if getlist else []
        return [v for v in values if isinstance(v, str)]

    def raise_if_problems(self) -> None:
        """Stop with every problem found so far."""
        if self.problems:
            raise ValidationFailed(self.problems)


IDENTIFIER_PREFIX = "identifier_"


def read_new_contact(form: Mapping[str, object], zone: str) -> NewContact:
    """A new contact from the handler's form."""
    reader = FormReader(form)
    channel = reader.choice("channel", Channel)
    contact = NewContact(
        channel=channel or Channel.EMERGENCY_999,
        presented_at=reader.local_time("presented_at", zone),
        answered_at=reader.aware_time("opened_at"),
        caller_given_name=reader.text("caller_given_name"),
        caller_family_name=reader.text("caller_family_name"),
        date_of_birth=reader.date("date_of_birth"),
        telephone=reader.text("telephone"),
        location_description=reader.text("location_description"),
        postcode=reader.text("postcode"),
        neighbourhood_code=reader.text("neighbourhood_code"),
        summary=reader.text("summary"),
        identifiers=tuple(
            (key.removeprefix(IDENTIFIER_PREFIX), value.strip())
            for key, value in form.items()
            if key.startswith(IDENTIFIER_PREFIX) and isinstance(value, str) and value.strip()
        ),
    )
    reader.raise_if_problems()
    return contact


def read_thrive(form: Mapping[str, object]) -> tuple[ThriveAssessment, dict[str, str]]:
    """A THRIVE assessment and its notes from the form."""
    reader = FormReader(form)
    levels = {part: reader.choice(part, Level) for part in LEVEL_PARTS}
    engagement = reader.choice("engagement", Engagement)
    indicators = []
    for raw in reader.many("indicators"):
        try:
            indicators.append(EmergencyIndicator(raw))
        except ValueError:
            reader.problems.append(FieldProblem("indicators", f"unknown indicator {raw!r}"))
    vulnerabilities = []
    for raw in reader.many("vulnerabilities"):
        try:
            vulnerabilities.append(VulnerabilityFlag(raw))
        except ValueError:
            reader.problems.append(FieldProblem("vulnerabilities", f"unknown flag {raw!r}"))
    notes = {part: reader.text(f"{part}_notes") for part in (*LEVEL_PARTS, "engagement")}
    reader.raise_if_problems()
    assert engagement is not None
    assessment = ThriveAssessment(
        threat=levels["threat"] or Level.NONE,
        harm=levels["harm"] or Level.NONE,
        risk=levels["risk"] or Level.NONE,
        investigation=levels["investigation"] or Level.NONE,
        vulnerability=levels["vulnerability"] or Level.NONE,
        engagement=engagement,
        indicators=frozenset(indicators),
        vulnerabilities=frozenset(vulnerabilities),
    )
    return assessment, notes


ACCESS_FILTERS = ("username", "operation", "record_type", "record_id", "since", "until")


def read_access_query(params: Mapping[str, str], zone: str) -> AccessQuery:
    """Access-log filters from a query string (dates are local days)."""
    reader = FormReader(params)
    operation = None
    if reader.text("operation"):
        operation = reader.choice("operation", Operation)
    since, until = reader.date("since"), reader.date("until")
    record_type, record_id = reader.text("record_type") or None, reader.text("record_id") or None
    named = parse_reference(record_id or "")
    if named is not None:
        if record_type and record_type.lower() != named[0]:
            reader.problems.append(
                FieldProblem(
                    "record_id",
                    f"{record_id} is a {named[0]} reference; the record type chosen is "
                    f"{record_type}",
                )
            )
        record_type, record_id = named
    reader.raise_if_problems()
    return AccessQuery(
        username=reader.text("username") or None,
        operation=operation,
        record_type=record_type,
        record_id=record_id,
        since=None if since is None else local_to_utc(datetime.combine(since, time()), zone),
        until=None
        if until is None
        else local_to_utc(datetime.combine(until + timedelta(days=1), time()), zone),
    )


@dataclass(frozen=True)
class IdentityDecisionForm:
    """A supervisor's decision as typed: two contacts, same person or not, and why."""

    left_contact_id: int
    right_contact_id: int
    same_person: bool
    reason: str
    # The latest decision about the person's contacts when the page was loaded (0: none);
    # None when not sent (the decision is then not checked for being made on a stale page).
    decisions_seen: int | None = None


def read_contact_reference(reader: FormReader, name: str, label: str) -> int | None:
    """A contact given as its reference (C0000042) or its number (42)."""
    raw = reader.text(name).replace(" ", "")
    if not raw:
        reader.problems.append(FieldProblem(name, f"give the {label}'s reference, e.g. C0000042"))
        return None
    match = CONTACT_REFERENCE.match(raw)
    if match is None or record_id_or_none(match.group(1)) is None:
        reader.problems.append(
            FieldProblem(name, f"{raw!r} is not a contact reference (C followed by digits)")
        )
        return None
    return int(match.group(1))


def read_identity_decision(form: Mapping[str, object]) -> IdentityDecisionForm:
    """Two contacts, whether they are the same person, and the reason (every problem named)."""
    reader = FormReader(form)
    left = read_contact_reference(reader, "left_contact_id", "first contact")
    right = read_contact_reference(reader, "right_contact_id", "second contact")
    decision = reader.text("same_person")
    if decision not in ("same", "different"):
        reader.problems.append(
            FieldProblem("same_person", "say whether they are the same person or not")
        )
    reason = reader.text("reason")
    seen_text = reader.text("decisions_seen")
    seen = int(seen_text) if seen_text.isdigit() and len(seen_text) < 19 else None
    if seen_text and seen is None:
        reader.problems.append(FieldProblem("decisions_seen", "reload the page and decide again"))
    if not reason and reader.problems:
        # The service says this too; said here as well so that every problem shows at once.
        reader.problems.append(FieldProblem("reason", "say why (it is kept with the decision)"))
    reader.raise_if_problems()
    assert left is not None and right is not None
    return IdentityDecisionForm(left, right, decision == "same", reason, seen)


def read_person_choice(form: Mapping[str, object]) -> int | None:
    """The person the handler confirmed as the caller; None (blank) for a new person."""
    raw = FormReader(form).text("person_id")
    if not raw:
        return None
    chosen = record_id_or_none(raw)
    if chosen is None:
        raise ValidationFailed.one("person_id", "choose one of the people offered")
    return chosen
