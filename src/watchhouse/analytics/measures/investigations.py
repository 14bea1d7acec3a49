"""Investigations and outcomes: charge rate and outcome mix, plans, supervision, victims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from watchhouse.analytics.measures.common import (
    CRIME_CUTS,
    CUTS_MARKER,
    US_PER_DAY,
    done_by_deadline,
    flag,
    measure,
)
from watchhouse.analytics.model import Additive, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Investigations and outcomes"
PEEL = "investigating_crime"

OUTCOME_GROUPS: dict[str, tuple[str, tuple[int, ...], str]] = {
    "out_of_court": (
        "Outcomes out of court",
        (2, 3, 6, 7, 8),
        "a caution (youth or adult), a penalty notice, a cannabis or khat warning or a "
        "community resolution (outcomes 2, 3, 6, 7 and 8)",
    ),
    "evidential_difficulties": (
        "Outcomes of evidential difficulties",
        (14, 15, 16),
        "evidential difficulties, whether or not the suspect was identified or the victim "
        "supports action (outcomes 14, 15 and 16)",
    ),
    "no_suspect": (
        "Investigations complete, no suspect identified",
        (18,),
        "investigation complete with no suspect identified (outcome 18)",
    ),
    "other": (
        "Other outcomes",
        (4, 5, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22),
        "any other outcome (4, 5, 9 to 13, 17 and 19 to 22)",
    ),
}


def _outcome(codes: tuple[int, ...]) -> Callable[[MeasureParams], Additive]:
    """Crimes given an outcome (1 to 22) in the period; `codes` make the numerator."""

    def parts(params: MeasureParams) -> Additive:
        listed = ", ".join(str(c) for c in codes)
        return Additive(
            "crime_facts f",
            "f.outcome_day",
            "f.outcome_code BETWEEN 1 AND 22 AND f.outcome_us IS NOT NULL",
            flag(f"f.outcome_code IN ({listed})"),
        )

    return parts


def _plan_present(params: MeasureParams) -> Additive:
    return Additive("crime_facts f", "f.recorded_day", "TRUE", flag("f.has_plan"))


def _first_review(params: MeasureParams) -> Additive:
    deadline = f"(f.allocated_us + {round(params.first_review_days * US_PER_DAY)})"
    return done_by_deadline(
        params,
        table="crime_facts f",
        day="f.allocated_day",
        start="f.allocated_us",
        done="f.first_review_us",
        deadline=deadline,
    )


def _local_day(params: MeasureParams) -> str:
    moment = datetime.fromtimestamp(params.as_of_us / 1_000_000, UTC)
    return moment.astimezone(ZoneInfo(params.timezone)).date().isoformat()


def victim_updates_sql(params: MeasureParams, *, enhanced_only: bool = False) -> str:
    """The victim updates owed in the period, each 1 when the victim was told on time."""
    groups = ", ".join("'" + g.replace("'", "''") + "'" for g in params.enhanced_crime_groups)
    by_crime = "f.domestic_abuse" + (f" OR f.crime_group IN ({groups})" if groups else "")
    # The victim's own rights when the update was made due in watchhouse, else the crime's.
    enhanced = f"COALESCE(vc.enhanced, {by_crime})"
    allowed = (
        f"CASE WHEN {enhanced} THEN {params.victim_update_working_days_enhanced} "
        f"ELSE {params.victim_update_working_days} END"
    )
    # The deadline watchhouse stored (the worklists' rule) when there is one, else the count of
    # working days by local date.
    in_time = (
        "CASE WHEN vc.due_us IS NOT NULL THEN vc.contacted_us <= vc.due_us "
        f"ELSE wc.workday_index - we.workday_index <= {allowed} END"
    )
    passed = (
        f"CASE WHEN vc.due_us IS NOT NULL THEN vc.due_us < {params.as_of_us} "
        f"ELSE t.today - we.workday_index > {allowed} END"
    )
    told = f"vc.contacted_us IS NOT NULL AND {in_time}"
    only = f" AND {enhanced}" if enhanced_only else ""
    return f"""
SELECT vc.id AS record_id, vc.event_day AS day {CUTS_MARKER}, {flag(told)} AS num, 1 AS den
FROM victim_contacts vc
JOIN crime_facts f ON f.id = vc.crime_id
JOIN workdays we ON we.day = vc.event_day
LEFT JOIN workdays wc ON wc.day = vc.contacted_day
CROSS JOIN (SELECT workday_index AS today FROM workdays
            WHERE day = DATE '{_local_day(params)}') t
WHERE COALESCE(vc.required, TRUE) AND (vc.contacted_us IS NOT NULL OR {passed}){only}"""


def _outcome_measure(slug: str) -> MeasureSpec:
    title, codes, words = OUTCOME_GROUPS[slug]
    return measure(
        key=f"investigations.outcome_{slug}",
        title=title,
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts=CRIME_CUTS,
        record_type="crimes",
        kind=Kind.SHARE,
        additive=_outcome(codes),
        definition=f"""Part of the outcome mix: of the crimes given an outcome (1 to 22) in the
        period, the share whose outcome is {words}. Outcome 0 (not yet assigned) is outside
        every rate.""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="investigations.charge_rate",
        title="Charge or summons rate",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crimes",
        kind=Kind.SHARE,
        additive=_outcome((1,)),
        definition="""Of the crimes given a Home Office outcome (1 to 22) in the period (the
        period is that of the outcome), the share charged or summonsed (outcome 1). Outcome 0
        (not yet assigned) is outside every rate: an open investigation is neither in the
        numerator nor the denominator. Cut by crime group for the rate of each group.""",
    ),
    _outcome_measure("out_of_court"),
    _outcome_measure("evidential_difficulties"),
    _outcome_measure("no_suspect"),
    _outcome_measure("other"),
    measure(
        key="investigations.plan_present",
        title="Crimes with an investigation plan",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crimes",
        kind=Kind.SHARE,
        additive=_plan_present,
        definition="""Of the crimes recorded in the period, the share with an investigation plan
        written (at any time up to the snapshot).""",
    ),
    measure(
        key="investigations.first_review_on_time",
        title="Supervisor's first review on time",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="crimes",
        kind=Kind.SHARE,
        additive=_first_review,
        definition="""Of the crimes allocated for investigation in the period, the share whose first
        supervisor review came within [investigations] first_review_days of allocation (7 days
        by default), the rule the supervisor's worklist uses. A crime not yet reviewed counts
        against once that time has passed, and is left out until then. The period is that of the
        allocation.""",
    ),
    measure(
        key="investigations.victim_updates_on_time",
        title="Victims told of key decisions on time",
        group=GROUP,
        peel_area="service_to_victims_of_crime",
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CRIME_CUTS,
        record_type="victim_contacts",
        kind=Kind.SHARE,
        build=victim_updates_sql,
        definition="""Of the key decisions in victims' investigations (arrest, charge, bail,
        release, no further action and the like) made in the period, the share the victim was
        told of within the Victims' Code time: [victims_code] update_working_days (5 by default)
        or, for victims with enhanced rights, enhanced_update_working_days (1); enhanced rights
        here are domestic abuse crimes and [victims_code] most_serious_crime_groups.
        Working days are Monday to Friday except England's bank holidays, counted by local date
        from the day of the decision. A decision not yet told counts against once the time has
        passed (at the snapshot), and is left out until then. Where watchhouse made the update
        due, the victim's own rights and the deadline it stored are used (the rule of the
        worklists: the end of the working day, an event after working hours counting from the
        next); an update the victim asked not to receive is left out.""",
    ),
)
