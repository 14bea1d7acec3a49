"""JSON shapes of the investigations API (separate from tables and domain values)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from watchhouse.domain.victims import KeyEvent, UpdateMethod


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeyEventIn(_In):
    """A key event (not an outcome: outcomes have their own rules)."""

    kind: KeyEvent
    occurred_at: AwareDatetime | None = Field(None, description="when it happened; now if left out")
    note: str = Field("", max_length=4000)


class VictimUpdateIn(_In):
    """That the victim was told of a key event."""

    method: UpdateMethod
    note: str = Field("", max_length=4000)


class VictimOut(BaseModel):
    """A victim and the Victims' Code entitlements tracked for them."""

    id: int
    name: str
    enhanced: bool
    enhanced_grounds: list[str]
    wants_updates: bool | None
    support_due_at: datetime | None
    support_referred_at: datetime | None
    vps_offered_at: datetime | None


class VictimUpdateOut(BaseModel):
    """An update a victim is owed (or was given) after a key event."""

    id: int
    victim_id: int | None
    event: str
    event_at: datetime
    due_at: datetime | None
    required: bool
    contacted_at: datetime | None
    overdue: bool


class CrimeOut(BaseModel):
    """A crime and where its investigation stands."""

    id: int
    reference: str
    crime_type: str
    crime_group: str
    domestic_abuse: bool
    recorded_at: datetime
    incident_id: int | None
    allocated_to: int | None
    supervisor_id: int | None
    plan_due_at: datetime | None
    plan_adequate: bool | None
    plan_gaps: list[str]
    next_review_due_at: datetime | None
    outcome_code: int
    victims: list[VictimOut]
    updates: list[VictimUpdateOut]


class WorkItemOut(BaseModel):
    """One line of a worklist."""

    crime_id: int
    crime_type: str
    domestic_abuse: bool
    due_at: datetime | None
    overdue: bool
    detail: str


class WorkSectionOut(BaseModel):
    """A part of a worklist: the most urgent items and the counts of all."""

    title: str
    total: int
    overdue: int
    items: list[WorkItemOut]


class WorklistOut(BaseModel):
    """A worklist, in parts."""

    title: str
    sections: list[WorkSectionOut]
