"""How quickly a contact was answered, in the Home Office's bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from watchhouse.domain.clock import require_aware


class AnswerBand(StrEnum):
    """The Home Office's answer-time buckets, plus abandoned and not yet answered."""

    WITHIN_STANDARD = "within_standard"
    DELAYED = "delayed"
    LONG_DELAYED = "long_delayed"
    ABANDONED = "abandoned"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class AnswerBands:
    """Band edges in seconds: under `standard`, `standard` to under `long`, `long` or more."""

    standard_seconds: float = 10.0
    long_seconds: float = 60.0

    def __post_init__(self) -> None:
        """Refuse edges that do not make three ordered bands."""
        if not 0 < self.standard_seconds < self.long_seconds:
            raise ValueError("answer bands need 0 < standard_seconds < long_seconds")

    def label(self, band: AnswerBand) -> str:
        """Plain-English label of a band with these edges."""
        s, long_ = _fmt(self.standard_seconds), _fmt(self.long_seconds)
        return {
            AnswerBand.WITHIN_STANDARD: f"under {s} s",
            AnswerBand.DELAYED: f"{s} to under {long_} s",
            AnswerBand.LONG_DELAYED: f"{long_} s or more",
            AnswerBand.ABANDONED: "abandoned",
            AnswerBand.UNANSWERED: "not yet answered",
        }[band]


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def answer_seconds(presented_at: datetime, answered_at: datetime) -> float:
    """Seconds from the call being presented to the force to the handler answering."""
    seconds = (
        require_aware(answered_at, "answered_at") - require_aware(presented_at, "presented_at")
    ).total_seconds()
    if seconds < 0:
        raise ValueError("answered_at is before presented_at")
    return seconds


def classify_answer(
    *,
    presented_at: datetime,
    answered_at: datetime | None,
    abandoned: bool,
    bands: AnswerBands,
) -> AnswerBand:
    """Put a contact in its answer band; exactly 10 s is in the 10-to-60 band, as published."""
    if abandoned:
        if answered_at is not None:
            raise ValueError("an abandoned contact cannot have been answered")
        return AnswerBand.ABANDONED
    if answered_at is None:
        return AnswerBand.UNANSWERED
    seconds = answer_seconds(presented_at, answered_at)
    if seconds < bands.standard_seconds:
        return AnswerBand.WITHIN_STANDARD
    if seconds < bands.long_seconds:
        return AnswerBand.DELAYED
    return AnswerBand.LONG_DELAYED
