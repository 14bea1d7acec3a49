"""Attendance: officers arriving within each grade's target, attendance times, body-worn video."""

from __future__ import annotations

from collections.abc import Callable

from watchhouse.analytics.measures.common import (
    INCIDENT_CUTS,
    US_PER_MINUTE,
    flag,
    grade_target_us,
    measure,
    without,
)
from watchhouse.analytics.model import Additive, Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Attendance"
PEEL = "responding_to_the_public"
NO_GRADE = without(INCIDENT_CUTS, Cut.GRADE)
ELAPSED = "(f.arrived_us - f.created_us)"


def _within_target(where: str) -> Callable[[MeasureParams], Additive]:
    """Incidents chosen by `where`, counted once attended or once their target has passed."""

    def parts(params: MeasureParams) -> Additive:
        target = grade_target_us(params)
        return Additive(
            "incident_facts f",
            "f.created_day",
            f"""({where}) AND {target} IS NOT NULL
  AND (f.arrived_us IS NOT NULL OR f.created_us + {target} < {params.as_of_us})""",
            flag(f"f.arrived_us IS NOT NULL AND {ELAPSED} <= {target}"),
        )

    return parts


def _attendance_time(params: MeasureParams) -> Additive:
    return Additive(
        "incident_facts f",
        "f.created_day",
        "f.grade IN (1, 2) AND f.arrived_us IS NOT NULL",
        ELAPSED,
    )


def _body_worn_video(params: MeasureParams) -> Additive:
    return Additive(
        "incident_facts f",
        "f.arrived_day",
        "f.arrived_us IS NOT NULL AND f.body_worn_video IS NOT NULL",
        flag("f.body_worn_video"),
    )


def _body_worn_video_not_recorded(params: MeasureParams) -> Additive:
    return Additive(
        "incident_facts f",
        "f.arrived_day",
        "f.arrived_us IS NOT NULL AND f.body_worn_video IS NULL",
    )


NEVER_ATTENDED = """An incident not attended counts against the target once its target has
passed (at the snapshot), whether it is still open or was closed without an arrival; one whose
target has not yet passed is left out until it is attended or the target passes. Arriving
exactly on the target meets it. The period is that of the incident's creation."""


def _grade_measure(key: str, title: str, where: str, scope: str) -> MeasureSpec:
    return measure(
        key=key,
        title=title,
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=NO_GRADE,
        record_type="incidents",
        kind=Kind.SHARE,
        additive=_within_target(where),
        definition=f"""Of the {scope} created in the period, the share where the first officer
        arrived within the grade's attendance target from the policy, timed from the incident's
        creation. {NEVER_ATTENDED}""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    _grade_measure(
        "attendance.grade_1_urban_within_target",
        "Grade 1 (urban) attended within target",
        "f.grade = 1 AND f.settlement = 'urban'",
        "grade 1 incidents in urban places (target 15 minutes by default)",
    ),
    _grade_measure(
        "attendance.grade_1_rural_within_target",
        "Grade 1 (rural) attended within target",
        "f.grade = 1 AND f.settlement = 'rural'",
        "grade 1 incidents in rural places (target 20 minutes by default)",
    ),
    _grade_measure(
        "attendance.grade_2_within_target",
        "Grade 2 attended within target",
        "f.grade = 2",
        "grade 2 incidents (target 60 minutes by default)",
    ),
    _grade_measure(
        "attendance.da_grade_2_within_target",
        "Domestic abuse grade 2 attended within target",
        "f.grade = 2 AND f.domestic_abuse",
        """grade 2 incidents of domestic abuse (an incident the call handler flagged as
        domestic abuse in THRIVE, or with a domestic abuse risk assessment, or linked to a crime
        flagged as domestic abuse), against the policy's tighter domestic abuse target for grade
        2 when it sets one (`[domestic_abuse] grade_2_attendance_minutes`)""",
    ),
    measure(
        key="attendance.median_minutes",
        title="Median attendance time (grades 1 and 2)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.MINUTES,
        higher_is_better=False,
        cuts=INCIDENT_CUTS,
        record_type="incidents",
        kind=Kind.QUANTILE,
        additive=_attendance_time,
        scale=US_PER_MINUTE,
        quantile=0.5,
        definition="""The median time, in minutes, from creation to the first officer's arrival
        of the grade 1 and 2 incidents created in the period and attended (cut by grade to see
        each grade). Incidents not attended have no attendance time and are left out.""",
    ),
    measure(
        key="attendance.p90_minutes",
        title="90th percentile attendance time (grades 1 and 2)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.MINUTES,
        higher_is_better=False,
        cuts=INCIDENT_CUTS,
        record_type="incidents",
        kind=Kind.QUANTILE,
        additive=_attendance_time,
        scale=US_PER_MINUTE,
        quantile=0.9,
        definition="""The 90th percentile of the time, in minutes, from creation to the first
        officer's arrival of the grade 1 and 2 incidents created in the period and attended
        (linear interpolation between ranks).""",
    ),
    measure(
        key="attendance.body_worn_video",
        title="Attendances with body-worn video",
        group=GROUP,
        peel_area="police_powers_and_treating_the_public_fairly",
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=INCIDENT_CUTS,
        record_type="incidents",
        kind=Kind.SHARE,
        additive=_body_worn_video,
        definition="""Of the attendances in the period (incidents where an officer arrived; the
        period is that of the arrival), the share where the officer recorded switching on
        body-worn video. An arrival with no answer recorded counts as not switched on; an
        imported attendance whose source never held the answer is "not recorded" and left out
        (counted by attendance.body_worn_video_not_recorded).""",
    ),
    measure(
        key="attendance.body_worn_video_not_recorded",
        title="Attendances with body-worn video not recorded (imported)",
        group=GROUP,
        peel_area="police_powers_and_treating_the_public_fairly",
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=INCIDENT_CUTS,
        record_type="incidents",
        kind=Kind.COUNT,
        additive=_body_worn_video_not_recorded,
        definition="""The attendances in the period (by arrival) imported from a source that
        never held whether body-worn video was used: left out of the body-worn video share's
        denominator, counted here so the share's coverage is plain.""",
    ),
)
