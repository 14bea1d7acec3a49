"""JSON shapes of the audit API (separate from tables and domain values)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from watchhouse.web.limits import WholeNumber


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SampleIn(_In):
    """Draw a sample: template, month, seed, and optionally the rule."""

    template: str = Field(max_length=80, examples=["thrive_quality"])
    month: str = Field(
        max_length=7, examples=["2024-05"], description="the month to sample, YYYY-MM"
    )
    seed: Annotated[int, WholeNumber] = Field(
        ge=0, le=2**31 - 1, description="the same seed draws the same sample"
    )
    per: str | None = Field(
        None, max_length=40, description="handler, officer, assessor, team, investigator or all"
    )
    count: Annotated[int, WholeNumber] | None = Field(
        None, ge=1, le=1000, description="records per stratum"
    )


class ScoreIn(_In):
    """An auditor's answers for one sampled record, and the finding."""

    answers: dict[Annotated[str, Field(max_length=80)], Annotated[str, Field(max_length=40)]] = (
        Field(
            max_length=200,
            description="question id to yes / partly / no / not_applicable, or a scale number",
        )
    )
    finding: str = Field("", max_length=4000, description="required when the record fails")


class AcknowledgementIn(_In):
    """A supervisor's acknowledgement of a finding."""

    response: str = Field("", max_length=4000, description="what was done about it")


class QuestionOut(BaseModel):
    """One question of a template."""

    id: str
    text: str
    answers: list[str]
    weight: int
    critical: bool
    guidance: str


class TemplateOut(BaseModel):
    """An audit template."""

    code: str
    name: str
    record_type: str
    origin: str
    pass_mark: float
    partly_credit: float
    sample_per: str
    sample_count: int
    questions: list[QuestionOut]


class SampleItemOut(BaseModel):
    """A sampled record (its reference and whose work, not its content)."""

    id: int
    record_type: str
    record_id: int
    reference: str
    record_at: datetime
    stratum: str
    subject: str | None
    team: str | None
    score: float | None
    passed: bool | None


class SampleOut(BaseModel):
    """A drawn sample and its records."""

    id: int
    reference: str
    template: str
    period: str
    per: str
    count: int
    seed: int
    population: int
    drawn_by: str
    drawn_at: datetime
    created: bool
    items: list[SampleItemOut]


class RecordFieldOut(BaseModel):
    """One labelled value of the record under audit."""

    label: str
    value: str


class ResultOut(BaseModel):
    """The score of one audited record."""

    score: float
    passed: bool
    points: float
    available: float
    failed_critical: list[str]
    finding: str
    auditor: str
    audited_at: datetime


class ItemOut(BaseModel):
    """A sampled record opened for audit (a logged consultation) with its result, if any."""

    item: SampleItemOut
    title: str
    fields: list[RecordFieldOut]
    result: ResultOut | None


class FeedbackOut(BaseModel):
    """A finding fed back to the supervisor."""

    id: int
    template: str
    period: str
    reference: str
    subject: str | None
    team: str | None
    score: float
    passed: bool
    failed_critical: list[str]
    finding: str
    auditor: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    response: str | None


class TrendOut(BaseModel):
    """Audits of one team (or area) in one month; no score or rate when none was audited."""

    period: str
    group: str
    audits: int
    mean_score: float | None
    pass_rate: float | None
