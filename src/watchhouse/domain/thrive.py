"""THRIVE assessment and the grade it suggests."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from watchhouse.domain.values import Grade


class Level(IntEnum):
    """How much of a THRIVE element is present."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3


class Engagement(StrEnum):
    """What kind of response will resolve the matter (the E of THRIVE)."""

    IMMEDIATE_ATTENDANCE = "immediate_attendance"
    PROMPT_ATTENDANCE = "prompt_attendance"
    SCHEDULED_ATTENDANCE = "scheduled_attendance"
    RESOLVE_WITHOUT_DEPLOYMENT = "resolve_without_deployment"
    PARTNER_AGENCY = "partner_agency"


class EmergencyIndicator(StrEnum):
    """Circumstances that make an incident an emergency under the national standard."""

    DANGER_TO_LIFE = "danger_to_life"
    VIOLENCE = "violence"
    SERIOUS_INJURY = "serious_injury"
    SERIOUS_PROPERTY_DAMAGE = "serious_property_damage"
    CRIME_IN_PROGRESS = "crime_in_progress"
    OFFENDER_PRESENT = "offender_present"
    SERIOUS_ROAD_COLLISION = "serious_road_collision"


class VulnerabilityFlag(StrEnum):
    """Structured vulnerability indicators recorded with THRIVE."""

    CHILD = "child"
    OLDER_PERSON = "older_person"
    MENTAL_HEALTH = "mental_health"
    DISABILITY = "disability"
    DOMESTIC_ABUSE = "domestic_abuse"
    REPEAT_VICTIM = "repeat_victim"
    ALCOHOL_OR_DRUGS = "alcohol_or_drugs"
    HOMELESS = "homeless"
    OTHERS_IN_HOUSEHOLD_AT_RISK = "others_in_household_at_risk"

    @property
    def label(self) -> str:
        """Human label."""
        return self.value.replace("_", " ").capitalize()


THRIVE_PARTS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


@dataclass(frozen=True)
class ThriveAssessment:
    """The six THRIVE judgements a handler records, with any emergency indicators."""

    threat: Level
    harm: Level
    risk: Level
    investigation: Level
    vulnerability: Level
    engagement: Engagement
    indicators: frozenset[EmergencyIndicator] = field(default_factory=frozenset)
    vulnerabilities: frozenset[VulnerabilityFlag] = field(default_factory=frozenset)


@dataclass(frozen=True)
class GradeSuggestion:
    """The grade the rules suggest and the reasons, in the handler's words."""

    grade: Grade
    reasons: tuple[str, ...]


def suggest_grade(assessment: ThriveAssessment) -> GradeSuggestion:
    """Suggest the most urgent grade that any part of the assessment calls for.

    Each rule below names the grade it demands; the suggestion is the most
    urgent of those, and every rule that demanded it is given as a reason.
    """
    a = assessment
    danger = max(a.threat, a.harm)
    demands: list[tuple[Grade, str]] = []
    for indicator in sorted(a.indicators):
        demands.append(
            (Grade.EMERGENCY, f"emergency indicator: {indicator.value.replace('_', ' ')}")
        )
    if a.risk == Level.HIGH and danger == Level.HIGH:
        demands.append((Grade.EMERGENCY, "high threat or harm that is likely to happen now"))
    if a.engagement == Engagement.IMMEDIATE_ATTENDANCE:
        demands.append((Grade.EMERGENCY, "engagement calls for immediate attendance"))
    if max(danger, a.risk) == Level.HIGH:
        demands.append((Grade.PRIORITY, "a high threat, harm or risk"))
    if a.vulnerability == Level.HIGH:
        demands.append((Grade.PRIORITY, "a highly vulnerable person"))
    if a.vulnerability >= Level.MEDIUM and max(danger, a.risk) >= Level.MEDIUM:
        demands.append((Grade.PRIORITY, "a vulnerable person facing threat, harm or risk"))
    if a.investigation == Level.HIGH:
        demands.append((Grade.PRIORITY, "evidence at risk of loss"))
    if a.engagement == Engagement.PROMPT_ATTENDANCE:
        demands.append((Grade.PRIORITY, "engagement calls for prompt attendance"))
    if a.engagement == Engagement.SCHEDULED_ATTENDANCE:
        demands.append((Grade.SCHEDULED, "engagement calls for a scheduled attendance"))
    if max(danger, a.risk, a.vulnerability, a.investigation) >= Level.MEDIUM:
        demands.append((Grade.SCHEDULED, "a medium threat, harm, risk, vulnerability or lead"))
    if not demands:
        return GradeSuggestion(
            Grade.RESOLUTION_WITHOUT_DEPLOYMENT,
            ("nothing in the assessment calls for attendance",),
        )
    grade = min(g for g, _ in demands)
    return GradeSuggestion(grade, tuple(reason for g, reason in demands if g == grade))
