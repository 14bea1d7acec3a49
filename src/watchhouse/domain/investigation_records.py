"""Values that services and templates use for crimes, their investigations and worklists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from watchhouse.domain.investigations import PlanContent


class HowReported(StrEnum):
    """Where a crime record came from."""

    INCIDENT = "incident"
    ONLINE = "online"


ACRONYMS = ("CCTV", "DASH", "MARAC", "VPS", "THRIVE", "PEEL", "ASB")


def label_of(code: str) -> str:
    """A stored code as people read it: "cctv_request" -> "CCTV request"."""
    words = code.replace("_", " ").capitalize().split(" ")
    return " ".join(w.upper() if w.upper() in ACRONYMS else w for w in words)


class BureauTask(StrEnum):
    """Paperwork the crime admin bureau takes off the investigator."""

    FILE_PREPARATION = "file_preparation"
    CCTV_REQUEST = "cctv_request"
    STATEMENT_TYPING = "statement_typing"
    VICTIM_LETTER = "victim_letter"
    PROPERTY_RECORD = "property_record"
    RECORDS_CHECK = "records_check"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human label, e.g. 'CCTV request'."""
        return label_of(self.value)


@dataclass(frozen=True)
class RecordedCrime:
    """A crime already recorded from an incident: what the incident page lists."""

    id: int
    crime_type: str
    recorded_at: datetime


@dataclass(frozen=True)
class NewVictim:
    """A victim to add: an existing person, or a new one by name (and date of birth)."""

    person_id: int | None = None
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None


@dataclass(frozen=True)
class NewSuspect:
    """A suspect to add: named (a person) or described, identified or not."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    description: str = ""
    identified: bool = False

    @property
    def named(self) -> bool:
        """A suspect with a name."""
        return bool(self.given_name.strip() or self.family_name.strip())


@dataclass(frozen=True)
class NewCrime:
    """A crime to record, from an incident or an online report."""

    offence_code: str
    summary: str
    how_reported: HowReported
    incident_id: int | None = None
    domestic_abuse: bool = False
    hate_crime: bool = False
    location_description: str = ""
    victims: tuple[NewVictim, ...] = ()
    suspects: tuple[NewSuspect, ...] = ()
    victim_is_caller: bool = False


@dataclass(frozen=True)
class NeedsAnswers:
    """What the officer records in the victim's needs assessment."""

    persistently_targeted: bool
    vulnerable: bool
    intimidated: bool
    wants_updates: bool
    update_method: str
    update_contact: str
    notes: str


@dataclass(frozen=True)
class VictimView:
    """A victim of a crime, with the Victims' Code entitlements tracked for them."""

    id: int
    person_id: int
    name: str
    date_of_birth: date | None
    assessed_at: datetime | None
    enhanced: bool
    enhanced_grounds: tuple[str, ...]
    wants_updates: bool | None
    update_method: str | None
    update_contact: str | None
    needs_notes: str | None
    support_due_at: datetime | None
    support_referred_at: datetime | None
    support_declined: bool
    vps_due_at: datetime | None
    vps_offered_at: datetime | None
    vps_decision: str | None
    vps_made_at: datetime | None


@dataclass(frozen=True)
class SuspectView:
    """A suspect of a crime."""

    id: int
    person_id: int | None
    name: str | None
    description: str
    identified: bool


@dataclass(frozen=True)
class EventView:
    """A key event recorded for a crime."""

    id: int
    kind: str
    occurred_at: datetime
    recorded_by: str | None
    note: str


@dataclass(frozen=True)
class VictimUpdateView:
    """An update a victim is owed (or was given) after a key event."""

    id: int
    crime_id: int
    victim_id: int | None
    victim_name: str | None
    event: str
    event_at: datetime
    due_at: datetime | None
    enhanced: bool
    required: bool
    contacted_at: datetime | None
    method: str | None
    note: str | None


@dataclass(frozen=True)
class PlanView:
    """The current investigation plan of a crime, with its checks."""

    id: int
    written_at: datetime
    written_by: str | None
    due_at: datetime | None
    content: PlanContent
    adequate: bool
    gaps: tuple[str, ...]
    checked_at: datetime | None
    checked_by: str | None
    check_adequate: bool | None
    check_note: str | None


@dataclass(frozen=True)
class ReviewView:
    """A supervisor's review of an investigation."""

    id: int
    reviewed_at: datetime
    reviewed_by: str | None
    due_at: datetime | None
    direction: str | None


@dataclass(frozen=True)
class TaskView:
    """A crime admin bureau task."""

    id: int
    crime_id: int
    crime_type: str
    task: str
    detail: str
    requested_at: datetime
    requested_by: str | None
    due_at: datetime
    done_at: datetime | None
    done_by: str | None
    result: str | None


@dataclass(frozen=True)
class CrimeView:
    """A crime and where its investigation stands."""

    id: int
    crime_type: str
    crime_group: str
    offence_code: str | None
    recorded_at: datetime
    how_reported: str | None
    summary: str | None
    domestic_abuse: bool
    hate_crime: bool
    incident_id: int | None
    contact_id: int | None
    location: str | None
    allocated_at: datetime | None
    allocated_team: str | None
    allocated_to: int | None
    allocated_to_name: str | None
    supervisor_id: int | None
    supervisor_name: str | None
    plan_due_at: datetime | None
    next_review_due_at: datetime | None
    next_victim_update_due_at: datetime | None
    outcome_code: int
    outcome_at: datetime | None
    outcome_rationale: str | None
    outcome_override_reason: str | None
    victim_withdrawal: str | None
    victims: tuple[VictimView, ...] = ()
    suspects: tuple[SuspectView, ...] = ()
    events: tuple[EventView, ...] = ()
    updates: tuple[VictimUpdateView, ...] = ()
    plan: PlanView | None = None
    reviews: tuple[ReviewView, ...] = ()
    tasks: tuple[TaskView, ...] = ()

    @property
    def open(self) -> bool:
        """Still under investigation (no outcome yet)."""
        return self.outcome_code == 0


@dataclass(frozen=True)
class WorkItem:
    """One line of a worklist: a crime and the deadline that puts it there."""

    crime_id: int
    crime_type: str
    domestic_abuse: bool
    due_at: datetime | None
    overdue: bool
    detail: str


@dataclass(frozen=True)
class WorkSection:
    """A part of a worklist: the most urgent items and how many there are in all."""

    title: str
    items: tuple[WorkItem, ...]
    total: int
    overdue: int


@dataclass(frozen=True)
class Worklist:
    """A person's worklist, in parts."""

    title: str
    sections: tuple[WorkSection, ...]


@dataclass(frozen=True)
class BureauWorklist:
    """The crime admin bureau's queue, and how quickly it has been turning tasks round."""

    open_tasks: tuple[TaskView, ...]
    open_total: int
    overdue_total: int
    done_recently: int
    median_turnaround_hours: float | None
    on_time_share: float | None
