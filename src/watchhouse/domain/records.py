"""Read models the services hand to the web and command line: plain values, no ORM."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from watchhouse.domain.plans import plan_title
from watchhouse.domain.repeats import RepeatFinding
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import (
    GradeSuggestion,
    Level,
    ThriveAssessment,
    VulnerabilityFlag,
)
from watchhouse.domain.values import Channel, Grade, Origin, Settlement


def contact_reference(contact_id: int) -> str:
    """The reference a contact is known by, e.g. C0000042."""
    return f"C{contact_id:07d}"


@dataclass(frozen=True)
class DecisionView:
    """A supervisor's decision about two contacts: as the person page lists it (`decided_by`
    the supervisor's name), or as a stale decision's refusal names it (their username)."""

    id: int
    left_contact_id: int
    right_contact_id: int
    same_person: bool
    reason: str
    decided_by: str
    decided_at: datetime

    @property
    def left_reference(self) -> str:
        """The first contact's reference."""
        return contact_reference(self.left_contact_id)

    @property
    def right_reference(self) -> str:
        """The second contact's reference."""
        return contact_reference(self.right_contact_id)


def person_reference(person_id: int) -> str:
    """The reference a member of the public is known by on the screens, e.g. N0000123 (a
    "nominal", as police records call a person; P is taken by problem-solving plans)."""
    return f"N{person_id:07d}"


def incident_reference(incident_id: int) -> str:
    """The reference an incident is known by, e.g. I0000042."""
    return f"I{incident_id:07d}"


@dataclass(frozen=True)
class NewContact:
    """What a handler (or a telephony system) records when a contact is taken."""

    channel: Channel
    presented_at: datetime | None = None
    answered_at: datetime | None = None
    abandoned: bool = False
    caller_given_name: str = ""
    caller_family_name: str = ""
    date_of_birth: date | None = None
    telephone: str = ""
    location_description: str = ""
    postcode: str = ""
    neighbourhood_code: str = ""
    summary: str = ""
    # The force's own identifiers given (policy `[identity] extra_identifiers`): name, value.
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UserView:
    """A user as shown to administrators."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class Neighbourhood:
    """A neighbourhood policing area."""

    id: int
    code: str
    name: str
    settlement: Settlement


@dataclass(frozen=True)
class PersonView:
    """A member of the public."""

    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None

    @property
    def full_name(self) -> str:
        """Given and family name together."""
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def reference(self) -> str:
        """The screen reference, e.g. N0000123."""
        return person_reference(self.id)


@dataclass(frozen=True)
class LocationView:
    """Where a contact or incident is."""

    id: int
    description: str
    postcode: str | None
    neighbourhood: str | None
    settlement: Settlement


@dataclass(frozen=True)
class ContactSummary:
    """One line of a caller's history."""

    id: int
    channel: Channel | None  # None for a record the force started
    presented_at: datetime
    summary: str
    status: str
    grade: Grade | None
    matched_by: str = ""

    @property
    def reference(self) -> str:
        """The contact reference."""
        return contact_reference(self.id)


@dataclass(frozen=True)
class EarlierFlag:
    """A vulnerability flag recorded on an earlier contact of the same caller."""

    flag: VulnerabilityFlag
    contact_id: int
    at: datetime


@dataclass(frozen=True)
class LikelyMatch:
    """A person the caller on the line may be, with the trained model's probability and why."""

    person: PersonView
    probability: float
    match_weight: float
    evidence: tuple[tuple[str, str, float], ...]
    last_contact_at: datetime | None
    recent_contacts: int
    flags: tuple[VulnerabilityFlag, ...]
    is_linked: bool = False
    is_likely: bool = False


@dataclass(frozen=True)
class PlanAction:
    """One action of a problem-solving plan."""

    id: int
    text: str
    added_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class PlanView:
    """A problem-solving plan as the neighbourhood team sees it."""

    id: int
    basis: str
    subject_key: str
    subject: str
    neighbourhood: str | None
    opened_at: datetime
    trigger: str
    owner: str | None
    status: str
    review_due_at: datetime
    closed_at: datetime | None
    result: str | None
    actions: tuple[PlanAction, ...] = ()

    @property
    def reference(self) -> str:
        """The plan reference, e.g. P0000012."""
        return f"P{self.id:07d}"

    @property
    def title(self) -> str:
        """Whom or what the plan is about, readable: "Jean Harper (caller)"."""
        return plan_title(self.basis, self.subject)

    @property
    def person_id(self) -> int | None:
        """The caller the plan is about, when it is about a person."""
        return int(self.subject_key) if self.basis == "person" else None


@dataclass(frozen=True)
class PlanContact:
    """A contact behind a problem-solving plan."""

    id: int
    presented_at: datetime
    summary: str
    person_id: int | None
    # The person on record's name when the contact is linked to one, else the name the
    # caller gave; "" when neither is known.
    caller: str = ""

    @property
    def reference(self) -> str:
        """The contact's reference, e.g. C0000042."""
        return contact_reference(self.id)


@dataclass(frozen=True)
class ThriveRecord:
    """A stored THRIVE assessment with the grade it suggested."""

    id: int
    assessed_at: datetime
    assessed_by: str
    assessment: ThriveAssessment
    notes: dict[str, str]
    suggestion: GradeSuggestion


@dataclass(frozen=True)
class ReferralView:
    """A referral to a partner agency."""

    id: int
    agency_code: str
    note: str
    referred_at: datetime
    status: str
    outcome: str | None = None


@dataclass(frozen=True)
class IncidentView:
    """An incident and where it stands."""

    id: int
    contact_id: int
    grade: Grade
    suggested_grade: Grade
    departure_reason: str | None
    settlement: Settlement
    location: LocationView | None
    summary: str
    status: str
    created_at: datetime
    deployed_at: datetime | None
    deployed_unit: str | None
    arrived_at: datetime | None
    body_worn_video: bool | None
    closed_at: datetime | None
    closure: str | None
    closure_note: str | None
    referrals: tuple[ReferralView, ...] = ()
    domestic_abuse: bool = False
    closure_reason: str | None = None
    closure_rationale: str | None = None
    closure_authority: str | None = None
    closure_crime_id: int | None = None
    closed_by: str | None = None
    attending_officer: str | None = None
    thrive: IncidentThrive | None = None

    @property
    def reference(self) -> str:
        """The incident reference."""
        return incident_reference(self.id)


@dataclass(frozen=True)
class IncidentThrive:
    """What the handler's latest THRIVE assessment tells those who attend."""

    risk: Level
    vulnerability: Level
    flags: tuple[VulnerabilityFlag, ...]

    @property
    def domestic_abuse(self) -> bool:
        """The handler flagged domestic abuse."""
        return VulnerabilityFlag.DOMESTIC_ABUSE in self.flags


@dataclass(frozen=True)
class ContactView:
    """A contact with everything the handler needs on one screen."""

    id: int
    channel: Channel | None  # None for a record the force started (officer-initiated, ...)
    presented_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    abandoned: bool
    handler: str | None
    caller_name: str
    person: PersonView | None
    telephone: str | None
    location: LocationView | None
    summary: str
    status: str
    thrive: ThriveRecord | None = None
    caller_date_of_birth: date | None = None  # as the caller gave it, not the person's
    incident: IncidentView | None = None
    earlier_contacts: tuple[ContactSummary, ...] = field(default_factory=tuple)
    repeat_findings: tuple[RepeatFinding, ...] = field(default_factory=tuple)
    earlier_flags: tuple[EarlierFlag, ...] = field(default_factory=tuple)
    open_plans: tuple[PlanView, ...] = field(default_factory=tuple)
    likely_matches: tuple[LikelyMatch, ...] = field(default_factory=tuple)
    matching_note: str | None = None
    source: str = "watchhouse"
    origin: Origin = Origin.PUBLIC
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def imported(self) -> bool:
        """Whether the record came from another system (its THRIVE was never held here)."""
        return self.source != "watchhouse"

    @property
    def reference(self) -> str:
        """The contact reference."""
        return contact_reference(self.id)
