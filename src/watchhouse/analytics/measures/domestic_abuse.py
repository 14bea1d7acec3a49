"""Domestic abuse: DASH completion and refusal, the risk-level mix and MARAC referrals."""

from __future__ import annotations

from watchhouse.analytics.measures.common import (
    CUTS_MARKER,
    INCIDENT_CUTS,
    flag,
    measure,
)
from watchhouse.analytics.model import Additive, Kind, MeasureParams, MeasureSpec, SqlBuilder, Unit

GROUP = "Domestic abuse"
PEEL = "protecting_vulnerable_people"
FINISHED = "COALESCE(d.status, 'complete') = 'complete'"


def _completed(params: MeasureParams) -> Additive:
    return Additive(
        "incident_facts f", "f.created_day", "f.domestic_abuse", flag("f.risk_assessed")
    )


def _assessments(meets: str, where: str) -> SqlBuilder:
    def build(params: MeasureParams) -> str:
        return f"""
SELECT d.id AS record_id, d.assessed_day AS day {CUTS_MARKER},
       {flag(meets)} AS num, 1 AS den
FROM domestic_abuse_assessments d JOIN incident_facts f ON f.id = d.incident_id
WHERE {where}"""

    return build


def _marac(params: MeasureParams) -> str:
    return f"""
SELECT m.id AS record_id, m.referred_day AS day {CUTS_MARKER}
FROM marac_referrals m
JOIN domestic_abuse_assessments d ON d.id = m.assessment_id
JOIN incident_facts f ON f.id = d.incident_id"""


ANSWERED = f"{FINISHED} AND NOT COALESCE(d.refused, FALSE)"


def _level(level: str) -> MeasureSpec:
    return measure(
        key=f"domestic_abuse.{level}_risk_share",
        title=f"Risk assessments finding {level} risk",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts=INCIDENT_CUTS,
        record_type="domestic_abuse_assessments",
        kind=Kind.SHARE,
        build=_assessments(f"d.final_level = '{level}'", ANSWERED),
        definition=f"""Of the risk assessments completed with answers in the period (refusals
        left out), the share whose final level (the officer's, after any professional
        judgement) is {level}; the three level shares make the risk-level mix.""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="domestic_abuse.dash_completed",
        title="Domestic abuse incidents with a completed risk assessment",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=INCIDENT_CUTS,
        record_type="incidents",
        kind=Kind.SHARE,
        additive=_completed,
        definition="""Of the domestic abuse incidents created in the period (incidents the call
        handler flagged as domestic abuse in THRIVE, with a risk assessment started, or linked
        to a crime flagged as domestic abuse), the share with
        a DASH (or DARA) assessment completed with the victim's answers. An assessment the
        victim refused, or one still in progress, does not count as completed.""",
    ),
    measure(
        key="domestic_abuse.dash_refused",
        title="Risk assessments the victim declined",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=INCIDENT_CUTS,
        record_type="domestic_abuse_assessments",
        kind=Kind.SHARE,
        build=_assessments("COALESCE(d.refused, FALSE)", FINISHED),
        definition="""Of the risk assessments finished in the period (completed or refused; the
        period is that of the assessment), the share the victim declined to answer.""",
    ),
    _level("high"),
    _level("medium"),
    _level("standard"),
    measure(
        key="domestic_abuse.marac_referrals",
        title="MARAC referrals",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=INCIDENT_CUTS,
        record_type="marac_referrals",
        kind=Kind.COUNT,
        build=_marac,
        definition="""The number of referrals to a multi-agency risk assessment conference made
        in the period, on any criterion (visible high risk, professional judgement or potential
        escalation).""",
    ),
)
