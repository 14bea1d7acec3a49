"""Read models of the audit regime that services hand to the web and command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watchhouse.domain.audit import AuditTemplate, RecordType, SampleRule


def sample_reference(sample_id: int) -> str:
    """The reference a sample is known by, e.g. AS000042."""
    return f"AS{sample_id:06d}"


def record_reference(record_type: RecordType, record_id: int) -> str:
    """How a sampled record is known: C0000042, I0000042, DA0000042 or CR0000042."""
    prefix = {
        RecordType.CONTACT: "C",
        RecordType.INCIDENT: "I",
        RecordType.DOMESTIC_ABUSE_ASSESSMENT: "DA",
        RecordType.CRIME: "CR",
    }[record_type]
    return f"{prefix}{record_id:07d}"


@dataclass(frozen=True)
class StoredTemplate:
    """A template with where it came from and its TOML text."""

    template: AuditTemplate
    origin: str  # "shipped" or "auditor"
    definition: str
    stored: bool  # False for a shipped template no sample has used yet


@dataclass(frozen=True)
class PopulationRecord:
    """A record that could be sampled: whose work it is, their team and its area."""

    record_id: int
    record_at: datetime
    stratum: str | None  # the worker's username or the allocated team; None if unknown
    subject_user_id: int | None
    team_id: int | None
    neighbourhood_id: int | None


@dataclass(frozen=True)
class SampleSummary:
    """A drawn sample and how far its audit has gone."""

    id: int
    template_code: str
    template_name: str
    record_type: RecordType
    period: str
    rule: SampleRule
    seed: int
    population: int
    drawn_by: str
    drawn_at: datetime
    items: int
    scored: int

    @property
    def reference(self) -> str:
        """e.g. AS000042."""
        return sample_reference(self.id)


@dataclass(frozen=True)
class SampleItem:
    """One sampled record, whose work it is and, once scored, its score."""

    id: int
    sample_id: int
    record_type: RecordType
    record_id: int
    record_at: datetime
    stratum: str
    subject: str | None
    team: str | None
    score: float | None
    passed: bool | None

    @property
    def reference(self) -> str:
        """The record's reference."""
        return record_reference(self.record_type, self.record_id)


@dataclass(frozen=True)
class RecordField:
    """One labelled value of a record shown beside the questions."""

    label: str
    value: str


@dataclass(frozen=True)
class AuditRecord:
    """The record under audit, as the auditor sees it."""

    record_type: RecordType
    record_id: int
    title: str
    fields: tuple[RecordField, ...]
    link: str | None

    @property
    def reference(self) -> str:
        """The record's reference."""
        return record_reference(self.record_type, self.record_id)


@dataclass(frozen=True)
class AuditResultView:
    """An auditor's answers for one record, its score and the finding."""

    id: int
    item_id: int
    answers: dict[str, str]
    points: float
    available: float
    score: float
    passed: bool
    failed_critical: tuple[str, ...]
    finding: str
    auditor: str
    audited_at: datetime


@dataclass(frozen=True)
class FeedbackItem:
    """A finding fed back to a supervisor about one of their team's records."""

    id: int
    template_name: str
    period: str
    record_type: RecordType
    record_id: int
    subject: str | None
    team: str | None
    score: float
    passed: bool
    failed_critical: tuple[str, ...]
    text: str
    auditor: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    response: str | None

    @property
    def reference(self) -> str:
        """The record's reference."""
        return record_reference(self.record_type, self.record_id)


@dataclass(frozen=True)
class RecordAudit:
    """One audit of a record (a record can be sampled by several templates)."""

    item_id: int
    sample_id: int
    template_name: str
    score: float
    passed: bool
    finding: str
    raised_at: datetime


@dataclass(frozen=True)
class FeedbackCounts:
    """How many findings a supervisor has, by what is left to do."""

    failures_waiting: int
    passes_waiting: int
    acknowledged: int

    @property
    def total(self) -> int:
        """Every finding for the supervisor."""
        return self.failures_waiting + self.passes_waiting + self.acknowledged


@dataclass(frozen=True)
class FeedbackPage:
    """One page of a supervisor's audit feedback, with the counts of the whole."""

    items: list[FeedbackItem]
    page: int
    pages: int
    page_size: int
    counts: FeedbackCounts

    @property
    def first_shown(self) -> int:
        """The position of the page's first finding (1-based; 0 when there are none)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def passes_on_page(self) -> list[int]:
        """The ids of the passes on this page still waiting for acknowledgement."""
        return [f.id for f in self.items if f.passed and f.acknowledged_at is None]
