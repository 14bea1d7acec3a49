"""Investigations held to their deadlines: plans on time and of adequate quality, victims with
enhanced rights told on time, victim support referrals, and the crime admin bureau."""

from __future__ import annotations

from functools import partial

from watchhouse.analytics.measures.common import (
    CRIME_CUTS,
    CUTS_MARKER,
    done_by_deadline,
    flag,
    measure,
)
from watchhouse.analytics.measures.investigations import GROUP, PEEL, victim_updates_sql
from watchhouse.analytics.model import Additive, Kind, MeasureParams, MeasureSpec, Unit

VICTIMS = "service_to_victims_of_crime"
US_PER_HOUR = 3_600_000_000


def _plan_on_time(params: MeasureParams) -> Additive:
    due = f"COALESCE(f.plan_due_us, f.allocated_us + {round(params.plan_due_hours * US_PER_HOUR)})"
    return done_by_deadline(
        params,
        table="crime_facts f",
        day="f.allocated_day",
        start="f.allocated_us",
        done="f.plan_written_us",
        deadline=due,
    )


def _plan_adequate(params: MeasureParams) -> str:
    # An imported plan (source set) is judged only by the check its source held.
    judged = "COALESCE(p.check_adequate, CASE WHEN p.source IS NULL THEN p.adequate END)"
    return f"""
SELECT p.id AS record_id, p.written_day AS day {CUTS_MARKER},
       {flag(judged)} AS num, 1 AS den
FROM investigation_plans p
JOIN crime_facts f ON f.id = p.crime_id
WHERE p.written_us IS NOT NULL AND {judged} IS NOT NULL"""


def _support_referrals(params: MeasureParams) -> str:
    referred = "v.support_referred_us IS NOT NULL AND v.support_referred_us <= v.support_due_us"
    return f"""
SELECT v.id AS record_id, v.added_day AS day {CUTS_MARKER}, {flag(referred)} AS num, 1 AS den
FROM crime_victims v
JOIN crime_facts f ON f.id = v.crime_id
WHERE v.support_due_us IS NOT NULL AND NOT COALESCE(v.support_declined, FALSE)
  AND (v.support_referred_us IS NOT NULL OR v.support_due_us < {params.as_of_us})"""


def _bureau_on_time(params: MeasureParams) -> str:
    done = "t.done_us IS NOT NULL AND t.done_us <= t.due_us"
    return f"""
SELECT t.id AS record_id, t.requested_day AS day {CUTS_MARKER}, {flag(done)} AS num, 1 AS den
FROM crime_admin_tasks t
JOIN crime_facts f ON f.id = t.crime_id
WHERE t.due_us IS NOT NULL AND (t.done_us IS NOT NULL OR t.due_us < {params.as_of_us})"""


def _bureau_turnaround(params: MeasureParams) -> str:
    return f"""
SELECT t.id AS record_id, t.done_day AS day {CUTS_MARKER}, t.done_us - t.requested_us AS x
FROM crime_admin_tasks t
JOIN crime_facts f ON f.id = t.crime_id
WHERE t.done_us IS NOT NULL AND t.requested_us IS NOT NULL"""


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="investigations.plan_on_time",
        title="Investigation plans written on time",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crimes",
        kind=Kind.SHARE,
        additive=_plan_on_time,
        definition="""Of the crimes allocated for investigation in the period, the share whose
        first investigation plan was written by the time it was due: the deadline watchhouse
        set at allocation (the one on the investigator's worklist), or for a crime stored
        without one, [investigations] plan_due_hours after allocation (72 hours by default).
        A crime with no plan counts against once its plan is overdue (at the snapshot), and
        is left out until then. The period is that of the allocation.""",
    ),
    measure(
        key="investigations.plan_adequate",
        title="Investigation plans of adequate quality",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="investigation_plans",
        kind=Kind.SHARE,
        build=_plan_adequate,
        definition="""Of the investigation plans written in the period (a plan written again
        counts again), the share of adequate quality: the supervisor's judgement where the plan
        has been checked, otherwise the automatic check against [investigations] rules (lines
        of enquiry, evidence to secure, safeguarding, suspect strategy and the victim's
        needs). A plan imported from a records system counts only when the source held its
        quality check; otherwise its quality is not recorded and it is left out. The period is
        that of the writing.""",
    ),
    measure(
        key="investigations.victim_updates_on_time_enhanced",
        title="Victims with enhanced rights told on time",
        group=GROUP,
        peel_area=VICTIMS,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="victim_contacts",
        kind=Kind.SHARE,
        build=partial(victim_updates_sql, enhanced_only=True),
        definition="""The Victims' Code updates measure (victims told of key decisions on time)
        for victims with enhanced rights only: of their key decisions made in the period, the
        share they were told of within [victims_code] enhanced_update_working_days (1 working
        day by default). Enhanced rights are the victim's own, decided by the needs assessment
        (most serious crime, persistently targeted, vulnerable or intimidated, under 18), where
        watchhouse made the update due; otherwise domestic abuse crimes and [victims_code]
        most_serious_crime_groups. A decision not yet told counts against once its deadline has
        passed, and is left out until then.""",
    ),
    measure(
        key="investigations.support_referrals_on_time",
        title="Victims referred to victim support on time",
        group=GROUP,
        peel_area=VICTIMS,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crime_victims",
        kind=Kind.SHARE,
        build=_support_referrals,
        definition="""Of the victims recorded in the period, the share whose details went to
        victim support by the deadline set when they were recorded ([victims_code]
        support_referral_working_days, 2 working days by default). A victim not yet referred
        counts against once the deadline has passed (at the snapshot) and is left out until
        then; a victim who declined the referral is left out, as is a victim stored without a
        deadline. The period is that of the victim's recording.""",
    ),
    measure(
        key="investigations.bureau_tasks_on_time",
        title="Crime admin bureau tasks done on time",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crime_admin_tasks",
        kind=Kind.SHARE,
        build=_bureau_on_time,
        definition="""Of the tasks asked of the crime admin bureau in the period, the share done
        by the time they were due: the end of the working day [investigations]
        bureau_task_working_days working days after the request (3 by default). A task not done
        counts against once it is overdue (at the snapshot), and is left out until then. The
        period is that of the request.""",
    ),
    measure(
        key="investigations.bureau_median_turnaround_hours",
        title="Crime admin bureau median turnaround",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.HOURS,
        higher_is_better=False,
        cuts=CRIME_CUTS,
        record_type="crime_admin_tasks",
        kind=Kind.QUANTILE,
        quantile=0.5,
        scale=US_PER_HOUR,
        build=_bureau_turnaround,
        definition="""Of the crime admin bureau tasks done in the period, the median time from
        the request to the task being done, in elapsed hours (nights and weekends included).
        Tasks not yet done are left out. The period is that of the task being done.""",
    ),
)
