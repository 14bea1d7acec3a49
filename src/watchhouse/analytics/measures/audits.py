"""Quality audits: the auditors' scores and pass rates, by neighbourhood and by team, overall
and for each kind of record audited (so each sits under its PEEL area)."""

from __future__ import annotations

from collections.abc import Callable

from watchhouse.analytics.measures.common import CUTS_MARKER, flag, measure
from watchhouse.analytics.measures.facts import UNKNOWN
from watchhouse.analytics.model import Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Quality audits"
SCORE_SCALE = 1_000_000  # scores (0 to 1) are summed as whole millionths
AUDIT_CUTS: dict[Cut, str] = {
    Cut.NEIGHBOURHOOD: f"COALESCE(n.code, '{UNKNOWN}')",
    Cut.TEAM: f"COALESCE(tm.code, '{UNKNOWN}')",
}

# The kinds of record the shipped templates audit, and the PEEL area each informs.
RECORD_KINDS: dict[str, tuple[str, str, str]] = {
    "contact": (
        "contacts",
        "responding_to_the_public",
        "contacts (THRIVE quality, vulnerability identification)",
    ),
    "incident": ("incidents", "responding_to_the_public", "incidents (body-worn video)"),
    "domestic_abuse_assessment": (
        "domestic abuse risk assessments",
        "protecting_vulnerable_people",
        "domestic abuse risk assessments",
    ),
    "crime": (
        "crimes",
        "investigating_crime",
        "crimes (crime recording, investigation plans, Victims' Code compliance)",
    ),
}


def _audited(value: str, record_type: str | None) -> Callable[[MeasureParams], str]:
    """Scored audits (one row per result) on the local day of the record audited."""
    only = "" if record_type is None else f" AND i.record_type = '{record_type}'"

    def build(params: MeasureParams) -> str:
        return f"""
SELECT r.id AS record_id, i.record_day AS day {CUTS_MARKER}, {value}
FROM audit_results r
JOIN audit_sample_items i ON i.id = r.item_id
LEFT JOIN neighbourhoods n ON n.id = i.neighbourhood_id
LEFT JOIN teams tm ON tm.id = i.team_id
WHERE r.score IS NOT NULL AND i.record_day IS NOT NULL{only}"""

    return build


_SCORE = f"CAST(ROUND(r.score * {SCORE_SCALE}) AS BIGINT) AS x"
_PASSED = f"{flag('r.passed')} AS num, 1 AS den"
_WHOSE = """The period is that of the record audited (the month a sample is drawn for); the
        neighbourhood and the team are the record's and the team whose work it was, as they
        stood when the sample was drawn."""


def _score_measure(kind: str) -> MeasureSpec:
    title, peel, words = RECORD_KINDS[kind]
    return measure(
        key=f"audits.{kind}_score",
        title=f"Audit score: {title}",
        group=GROUP,
        peel_area=peel,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=AUDIT_CUTS,
        record_type="audit_results",
        kind=Kind.MEAN,
        scale=SCORE_SCALE,
        build=_audited(_SCORE, kind),
        definition=f"""The mean audit score (points earned over points available, 0 to 100%)
        of the audits of {words} scored by the auditors. {_WHOSE}""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="audits.mean_score",
        title="Audit score, every audit",
        group=GROUP,
        peel_area="leadership_and_force_management",
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=AUDIT_CUTS,
        record_type="audit_results",
        kind=Kind.MEAN,
        scale=SCORE_SCALE,
        build=_audited(_SCORE, None),
        definition=f"""The mean audit score (points earned over points available, 0 to 100%)
        of every record the auditors scored, whatever the template. {_WHOSE}""",
    ),
    measure(
        key="audits.passed",
        title="Audits passed",
        group=GROUP,
        peel_area="leadership_and_force_management",
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=AUDIT_CUTS,
        record_type="audit_results",
        kind=Kind.SHARE,
        build=_audited(_PASSED, None),
        definition=f"""Of the records the auditors scored, the share that passed: a score at or
        above the template's pass mark with no critical question failed. {_WHOSE}""",
    ),
    *(_score_measure(kind) for kind in RECORD_KINDS),
)
