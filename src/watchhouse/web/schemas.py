"""JSON shapes of the API (separate from tables and domain values)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.thrive import EmergencyIndicator, Engagement, Level, VulnerabilityFlag
from watchhouse.domain.values import Channel, Grade, Settlement
from watchhouse.web.limits import FreeText, ShortText, ThriveNoteKey, WholeNumber

LevelIn = Annotated[Level, WholeNumber]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_In):
    """A contact from a handler's desktop or a telephony system."""

    channel: Channel
    presented_at: AwareDatetime | None = Field(
        None, description="when the force was presented with it"
    )
    answered_at: AwareDatetime | None = None
    abandoned: bool = False
    caller_given_name: str = Field("", max_length=200)
    caller_family_name: str = Field("", max_length=200)
    date_of_birth: date | None = None
    telephone: str = Field("", max_length=40)
    location_description: str = Field("", max_length=200)
    postcode: str = Field("", max_length=10)
    neighbourhood_code: str = Field("", max_length=40)
    summary: str = Field("", max_length=4000)
    identifiers: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="the force's own identifiers (policy [identity] extra_identifiers), by name",
    )


class ThriveIn(_In):
    """A THRIVE assessment: five levels (0 none to 3 high), engagement and indicators."""

    threat: LevelIn
    harm: LevelIn
    risk: LevelIn
    investigation: LevelIn
    vulnerability: LevelIn
    engagement: Engagement
    indicators: list[EmergencyIndicator] = []
    vulnerabilities: list[VulnerabilityFlag] = []
    notes: dict[ThriveNoteKey, FreeText] = {}


class SuggestionOut(BaseModel):
    """The grade suggested and why."""

    grade: Grade
    reasons: list[str]


class GradeIn(_In):
    """The handler's grade; a reason is required when it departs from the suggestion."""

    grade: Grade
    departure_reason: FreeText = ""


class ResolutionIn(_In):
    """How a grade 4 contact was resolved."""

    outcome: Closure
    note: FreeText
    agency_code: ShortText = ""


class DeploymentIn(_In):
    """The unit sent."""

    unit: ShortText


class ArrivalIn(_In):
    """First arrival and body-worn video."""

    body_worn_video: bool
    arrived_at: AwareDatetime | None = None
    attending_officer_id: Annotated[int, WholeNumber] | None = None


class ClosureIn(_In):
    """How an incident ended."""

    closure: Closure
    reason: str = Field(default="", max_length=200)
    note: FreeText = ""
    rationale: FreeText = ""
    crime_reference: str = Field(default="", max_length=200)


class LocationOut(BaseModel):
    """Where."""

    description: str
    postcode: str | None
    neighbourhood: str | None
    settlement: Settlement


class IncidentOut(BaseModel):
    """An incident and where it stands against its target."""

    id: int
    reference: str
    contact_id: int
    grade: Grade
    suggested_grade: Grade
    departure_reason: str | None
    status: str
    settlement: Settlement
    location: LocationOut | None
    summary: str
    created_at: datetime
    deployed_at: datetime | None
    deployed_unit: str | None
    arrived_at: datetime | None
    body_worn_video: bool | None
    closed_at: datetime | None
    closure: str | None
    target_seconds: float | None = None
    time_left_seconds: float | None = None
    breached: bool = False


class EarlierContactOut(BaseModel):
    """One earlier contact from the same person or number."""

    id: int
    reference: str
    channel: Channel | None = Field(description="none for a record the force started")
    presented_at: datetime
    summary: str
    grade: Grade | None
    matched_by: str


class ContactOut(BaseModel):
    """A contact with its assessment, incident and the caller's history."""

    id: int
    reference: str
    channel: Channel | None = Field(description="none for a record the force started")
    presented_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    abandoned: bool
    status: str
    caller_name: str
    person_id: int | None
    telephone: str | None
    location: LocationOut | None
    summary: str
    suggestion: SuggestionOut | None
    incident: IncidentOut | None
    earlier_contacts: list[EarlierContactOut]


class AccessEntryOut(BaseModel):
    """One access log entry."""

    id: int
    at: datetime
    username: str
    operation: str
    record_type: str
    record_id: str
    justification: str | None
    recipient: str | None


class ProblemOut(BaseModel):
    """One field and why it was refused."""

    field: str
    reason: str


class ErrorOut(BaseModel):
    """An error: a message and, for bad input, every field at fault."""

    message: str
    problems: list[ProblemOut] = []
