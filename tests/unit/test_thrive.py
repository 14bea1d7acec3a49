"""THRIVE grade suggestions: every rule, alone and together, and the reasons it gives."""

from __future__ import annotations

import pytest

from watchhouse.domain.thrive import (
    EmergencyIndicator,
    Engagement,
    Level,
    ThriveAssessment,
    suggest_grade,
)
from watchhouse.domain.values import Grade

pytestmark = pytest.mark.unit

NONE, LOW, MEDIUM, HIGH = Level.NONE, Level.LOW, Level.MEDIUM, Level.HIGH


def assess(
    *,
    threat: Level = NONE,
    harm: Level = NONE,
    risk: Level = NONE,
    investigation: Level = NONE,
    vulnerability: Level = NONE,
    engagement: Engagement = Engagement.RESOLVE_WITHOUT_DEPLOYMENT,
    indicators: frozenset[EmergencyIndicator] = frozenset(),
) -> ThriveAssessment:
    """An assessment with nothing elevated unless the test says so."""
    return ThriveAssessment(
        threat=threat,
        harm=harm,
        risk=risk,
        investigation=investigation,
        vulnerability=vulnerability,
        engagement=engagement,
        indicators=indicators,
    )


# --- grade 1 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "reason"),
    [
        (EmergencyIndicator.DANGER_TO_LIFE, "emergency indicator: danger to life"),
        (EmergencyIndicator.VIOLENCE, "emergency indicator: violence"),
        (EmergencyIndicator.SERIOUS_INJURY, "emergency indicator: serious injury"),
        (
            EmergencyIndicator.SERIOUS_PROPERTY_DAMAGE,
            "emergency indicator: serious property damage",
        ),
        (EmergencyIndicator.CRIME_IN_PROGRESS, "emergency indicator: crime in progress"),
        (EmergencyIndicator.OFFENDER_PRESENT, "emergency indicator: offender present"),
        (
            EmergencyIndicator.SERIOUS_ROAD_COLLISION,
            "emergency indicator: serious road collision",
        ),
    ],
)
def test_each_emergency_indicator_alone_suggests_grade_one_and_names_itself(
    indicator: EmergencyIndicator, reason: str
) -> None:
    suggestion = suggest_grade(assess(indicators=frozenset({indicator})))
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == (reason,)


def test_every_emergency_indicator_is_covered_by_the_table_above() -> None:
    # A new indicator must be added to the table of reasons above.
    assert {i.value for i in EmergencyIndicator} == {
        "danger_to_life",
        "violence",
        "serious_injury",
        "serious_property_damage",
        "crime_in_progress",
        "offender_present",
        "serious_road_collision",
    }


def test_several_indicators_each_give_a_reason_in_a_stable_order() -> None:
    suggestion = suggest_grade(
        assess(
            indicators=frozenset({EmergencyIndicator.VIOLENCE, EmergencyIndicator.DANGER_TO_LIFE})
        )
    )
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == (
        "emergency indicator: danger to life",
        "emergency indicator: violence",
    )


@pytest.mark.parametrize(
    ("threat", "harm"),
    [(HIGH, NONE), (NONE, HIGH), (HIGH, HIGH), (HIGH, LOW), (MEDIUM, HIGH)],
    ids=[
        "high-threat",
        "high-harm",
        "both-high",
        "high-threat-low-harm",
        "medium-threat-high-harm",
    ],
)
def test_high_risk_with_high_threat_or_harm_suggests_grade_one(threat: Level, harm: Level) -> None:
    suggestion = suggest_grade(assess(threat=threat, harm=harm, risk=HIGH))
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == ("high threat or harm that is likely to happen now",)


@pytest.mark.parametrize(
    ("threat", "harm", "risk"),
    [
        (HIGH, NONE, MEDIUM),
        (NONE, HIGH, MEDIUM),
        (MEDIUM, MEDIUM, HIGH),
        (NONE, NONE, HIGH),
    ],
    ids=[
        "high-threat-medium-risk",
        "high-harm-medium-risk",
        "medium-danger-high-risk",
        "risk-only",
    ],
)
def test_high_risk_without_high_threat_or_harm_is_not_grade_one(
    threat: Level, harm: Level, risk: Level
) -> None:
    suggestion = suggest_grade(assess(threat=threat, harm=harm, risk=risk))
    assert suggestion.grade == Grade.PRIORITY


def test_immediate_attendance_engagement_alone_suggests_grade_one() -> None:
    suggestion = suggest_grade(assess(engagement=Engagement.IMMEDIATE_ATTENDANCE))
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == ("engagement calls for immediate attendance",)


def test_knife_in_the_street_suggests_grade_one_with_every_emergency_reason() -> None:
    knife_in_the_street = assess(
        threat=HIGH,
        harm=HIGH,
        risk=HIGH,
        investigation=MEDIUM,
        vulnerability=LOW,
        engagement=Engagement.IMMEDIATE_ATTENDANCE,
        indicators=frozenset({EmergencyIndicator.VIOLENCE}),
    )
    suggestion = suggest_grade(knife_in_the_street)
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == (
        "emergency indicator: violence",
        "high threat or harm that is likely to happen now",
        "engagement calls for immediate attendance",
    )


def test_grade_one_reasons_leave_out_the_less_urgent_rules_that_also_fired() -> None:
    suggestion = suggest_grade(
        assess(
            vulnerability=HIGH,
            investigation=HIGH,
            indicators=frozenset({EmergencyIndicator.CRIME_IN_PROGRESS}),
        )
    )
    assert suggestion.grade == Grade.EMERGENCY
    assert suggestion.reasons == ("emergency indicator: crime in progress",)


# --- grade 2 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "reasons"),
    [
        pytest.param(assess(threat=HIGH), ("a high threat, harm or risk",), id="high-threat"),
        pytest.param(assess(harm=HIGH), ("a high threat, harm or risk",), id="high-harm"),
        pytest.param(assess(risk=HIGH), ("a high threat, harm or risk",), id="high-risk"),
        pytest.param(
            assess(vulnerability=HIGH), ("a highly vulnerable person",), id="high-vulnerability"
        ),
        pytest.param(
            assess(vulnerability=MEDIUM, threat=MEDIUM),
            ("a vulnerable person facing threat, harm or risk",),
            id="medium-vulnerability-medium-threat",
        ),
        pytest.param(
            assess(vulnerability=MEDIUM, harm=MEDIUM),
            ("a vulnerable person facing threat, harm or risk",),
            id="medium-vulnerability-medium-harm",
        ),
        pytest.param(
            assess(vulnerability=MEDIUM, risk=MEDIUM),
            ("a vulnerable person facing threat, harm or risk",),
            id="medium-vulnerability-medium-risk",
        ),
        pytest.param(
            assess(investigation=HIGH), ("evidence at risk of loss",), id="evidence-at-risk"
        ),
        pytest.param(
            assess(engagement=Engagement.PROMPT_ATTENDANCE),
            ("engagement calls for prompt attendance",),
            id="prompt-attendance",
        ),
    ],
)
def test_each_grade_two_trigger_alone_suggests_grade_two_and_names_the_rule(
    assessment: ThriveAssessment, reasons: tuple[str, ...]
) -> None:
    suggestion = suggest_grade(assessment)
    assert suggestion.grade == Grade.PRIORITY
    assert suggestion.reasons == reasons


def test_high_vulnerability_facing_medium_risk_gives_both_grade_two_reasons() -> None:
    suggestion = suggest_grade(assess(vulnerability=HIGH, risk=MEDIUM))
    assert suggestion.grade == Grade.PRIORITY
    assert suggestion.reasons == (
        "a highly vulnerable person",
        "a vulnerable person facing threat, harm or risk",
    )


@pytest.mark.parametrize(
    "assessment",
    [
        pytest.param(assess(vulnerability=MEDIUM), id="medium-vulnerability-alone"),
        pytest.param(
            assess(vulnerability=MEDIUM, threat=LOW), id="medium-vulnerability-low-threat"
        ),
        pytest.param(assess(vulnerability=LOW, risk=MEDIUM), id="low-vulnerability-medium-risk"),
        pytest.param(assess(investigation=MEDIUM), id="medium-lead"),
    ],
)
def test_medium_elements_short_of_a_grade_two_trigger_suggest_grade_three(
    assessment: ThriveAssessment,
) -> None:
    suggestion = suggest_grade(assessment)
    assert suggestion.grade == Grade.SCHEDULED
    assert suggestion.reasons == ("a medium threat, harm, risk, vulnerability or lead",)


# --- grade 3 -----------------------------------------------------------------


def test_scheduled_attendance_engagement_alone_suggests_grade_three() -> None:
    suggestion = suggest_grade(assess(engagement=Engagement.SCHEDULED_ATTENDANCE))
    assert suggestion.grade == Grade.SCHEDULED
    assert suggestion.reasons == ("engagement calls for a scheduled attendance",)


@pytest.mark.parametrize("part", ["threat", "harm", "risk", "investigation", "vulnerability"])
def test_any_single_medium_element_suggests_grade_three(part: str) -> None:
    suggestion = suggest_grade(assess(**{part: MEDIUM}))  # type: ignore[arg-type]
    assert suggestion.grade == Grade.SCHEDULED
    assert suggestion.reasons == ("a medium threat, harm, risk, vulnerability or lead",)


def test_scheduled_attendance_with_a_medium_element_gives_both_grade_three_reasons() -> None:
    suggestion = suggest_grade(assess(harm=MEDIUM, engagement=Engagement.SCHEDULED_ATTENDANCE))
    assert suggestion.grade == Grade.SCHEDULED
    assert suggestion.reasons == (
        "engagement calls for a scheduled attendance",
        "a medium threat, harm, risk, vulnerability or lead",
    )


# --- grade 4 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "engagement", [Engagement.RESOLVE_WITHOUT_DEPLOYMENT, Engagement.PARTNER_AGENCY]
)
@pytest.mark.parametrize("level", [NONE, LOW])
def test_nothing_elevated_suggests_grade_four_resolution_without_deployment(
    engagement: Engagement, level: Level
) -> None:
    suggestion = suggest_grade(
        assess(
            threat=level,
            harm=level,
            risk=level,
            investigation=level,
            vulnerability=level,
            engagement=engagement,
        )
    )
    assert suggestion.grade == Grade.RESOLUTION_WITHOUT_DEPLOYMENT
    assert suggestion.reasons == ("nothing in the assessment calls for attendance",)


# --- general -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "grade"),
    [
        pytest.param(assess(), Grade.RESOLUTION_WITHOUT_DEPLOYMENT, id="nothing"),
        pytest.param(assess(threat=MEDIUM), Grade.SCHEDULED, id="medium"),
        pytest.param(assess(threat=HIGH), Grade.PRIORITY, id="high"),
        pytest.param(assess(threat=HIGH, risk=HIGH), Grade.EMERGENCY, id="high-and-likely"),
    ],
)
def test_suggestion_is_the_most_urgent_grade_any_rule_demands(
    assessment: ThriveAssessment, grade: Grade
) -> None:
    assert suggest_grade(assessment).grade == grade


def test_every_suggestion_gives_at_least_one_reason() -> None:
    for level in Level:
        for engagement in Engagement:
            suggestion = suggest_grade(
                assess(threat=level, harm=level, risk=level, engagement=engagement)
            )
            assert suggestion.reasons, (level, engagement)
