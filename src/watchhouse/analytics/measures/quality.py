"""First contact quality: THRIVE, grading, recognising repeat callers, plans and referrals."""

from __future__ import annotations

from collections.abc import Callable

from watchhouse.analytics.measures.common import (
    CONTACT_CUTS,
    CUTS_MARKER,
    INCIDENT_CUTS,
    US_PER_DAY,
    flag,
    measure,
    without,
)
from watchhouse.analytics.measures.facts import UNKNOWN
from watchhouse.analytics.model import Additive, Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "First contact quality"
RESPONDING = "responding_to_the_public"
VULNERABLE = "protecting_vulnerable_people"
NO_GRADE = without(CONTACT_CUTS, Cut.GRADE)
INCIDENT_NO_GRADE = without(INCIDENT_CUTS, Cut.GRADE)
PLAN_CUTS = {Cut.NEIGHBOURHOOD: f"COALESCE(n.code, '{UNKNOWN}')"}


def _thrive(params: MeasureParams) -> Additive:
    return Additive(
        "contact_facts f",
        "f.presented_day",
        "NOT f.abandoned AND f.has_thrive IS NOT NULL",
        flag("f.has_thrive"),
    )


def _thrive_not_recorded(params: MeasureParams) -> Additive:
    return Additive(
        "contact_facts f", "f.presented_day", "NOT f.abandoned AND f.has_thrive IS NULL"
    )


def _grade_share(grade: int) -> Callable[[MeasureParams], Additive]:
    def parts(params: MeasureParams) -> Additive:
        return Additive("incident_facts f", "f.created_day", "TRUE", flag(f"f.grade = {grade}"))

    return parts


def _window_counts(key: str, alias: str, params: MeasureParams) -> str:
    """For each rule, how many contacts with the same `key` fall in its window up to this one
    (the window is (presented - days, presented], as domain/repeats.py counts), for the
    contacts that have the key: a subquery to join on the contact id."""
    channels = ", ".join(f"'{c}'" for c in params.repeat_channels)
    abandoned = "" if params.repeat_count_abandoned else "AND NOT abandoned"
    counts = ", ".join(
        f"""COUNT(*) OVER (PARTITION BY {key} ORDER BY presented_us
            RANGE BETWEEN {w.within_days * US_PER_DAY - 1} PRECEDING AND CURRENT ROW)
            AS {alias}_{n}"""
        for n, w in enumerate(params.repeat_windows)
    )
    return f"""(SELECT id, {counts} FROM contact_facts
        WHERE {key} IS NOT NULL AND channel IN ({channels}) {abandoned})"""


def _crossed(alias: str, params: MeasureParams) -> str:
    rules = " OR ".join(
        f"COALESCE({alias}.{alias}_{n}, 0) > {w.more_than}"
        for n, w in enumerate(params.repeat_windows)
    )
    return f"({rules})"


def _repeat_windows(params: MeasureParams) -> tuple[tuple[str, str], ...]:
    """Each counted contact of a repeat caller (by who the caller is) with whether the screen's
    counts (by person record or number) crossed a rule too (built once per engine and policy)."""
    recognised = f"{_crossed('person', params)} OR {_crossed('phone', params)}"
    return (
        (
            "repeat_contact_facts",
            f"""
SELECT f.id, f.presented_day, f.hood, f.channel, {recognised} AS recognised
FROM contact_facts f
JOIN {_window_counts("caller", "caller", params)} caller ON caller.id = f.id
LEFT JOIN {_window_counts("person_id", "person", params)} person ON person.id = f.id
LEFT JOIN {_window_counts("telephone_number_id", "phone", params)} phone ON phone.id = f.id
WHERE {_crossed("caller", params)}""",
        ),
    )


def _recognised(params: MeasureParams) -> str:
    """Repeat callers (by who the caller is: their identity-linkage cluster, else the person
    record) and whether the handler's screen recognised them (by person record or number)."""
    return f"""
SELECT f.id AS record_id, f.presented_day AS day {CUTS_MARKER},
       {flag("f.recognised")} AS num, 1 AS den
FROM repeat_contact_facts f"""


def _plans_opened(params: MeasureParams) -> str:
    return f"""
SELECT f.id AS record_id, f.opened_day AS day {CUTS_MARKER}
FROM problem_solving_plans f LEFT JOIN neighbourhoods n ON n.id = f.neighbourhood_id"""


def _plans_overdue(params: MeasureParams) -> str:
    late = "f.closed_us IS NULL OR f.closed_us > f.review_due_us"
    return f"""
SELECT f.id AS record_id, f.review_due_day AS day {CUTS_MARKER},
       {flag(late)} AS num, 1 AS den
FROM problem_solving_plans f LEFT JOIN neighbourhoods n ON n.id = f.neighbourhood_id
WHERE f.review_due_us < {params.as_of_us}"""


def _referrals(params: MeasureParams) -> str:
    return f"""
SELECT pr.id AS record_id, pr.referred_day AS day {CUTS_MARKER}
FROM partner_referrals pr JOIN incident_facts f ON f.id = pr.incident_id"""


def _resolved_by_referral(params: MeasureParams) -> Additive:
    return Additive(
        "contact_facts f",
        "f.presented_day",
        "f.channel = '101' AND NOT f.abandoned",
        flag("f.has_referral"),
    )


def _grade(grade: int, name: str) -> MeasureSpec:
    return measure(
        key=f"first_contact.grade_{grade}_share",
        title=f"Incidents graded {grade} ({name})",
        group=GROUP,
        peel_area=RESPONDING,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts=INCIDENT_NO_GRADE,
        record_type="incidents",
        kind=Kind.SHARE,
        additive=_grade_share(grade),
        definition=f"""Of the incidents created (graded) in the period, the share given grade
        {grade} ({name}); the four grade shares make the grade mix and add up to 1.""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="first_contact.thrive_completed",
        title="Contacts with a completed THRIVE assessment",
        group=GROUP,
        peel_area=RESPONDING,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CONTACT_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_thrive,
        definition="""Of the contacts presented in the period that were not abandoned, the share
        with at least one THRIVE assessment recorded (at any time up to the snapshot). An
        imported contact whose source never held THRIVE is "not recorded" and left out (counted
        by first_contact.thrive_not_recorded), never counted as not done.""",
    ),
    measure(
        key="first_contact.thrive_not_recorded",
        title="Contacts with THRIVE not recorded (imported)",
        group=GROUP,
        peel_area=RESPONDING,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=CONTACT_CUTS,
        record_type="contacts",
        kind=Kind.COUNT,
        additive=_thrive_not_recorded,
        definition="""The contacts presented in the period, not abandoned, imported from a
        source that never held THRIVE: left out of the THRIVE share's denominator and counted
        here so the share's coverage is plain.""",
    ),
    _grade(1, "Emergency"),
    _grade(2, "Priority"),
    _grade(3, "Scheduled"),
    _grade(4, "Resolution without deployment"),
    measure(
        key="first_contact.repeat_callers_recognised",
        title="Repeat callers recognised at first contact",
        group=GROUP,
        peel_area=VULNERABLE,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=NO_GRADE,
        record_type="contacts",
        kind=Kind.SHARE,
        build=_recognised,
        derived=_repeat_windows,
        definition="""Of the contacts presented in the period that came from a repeat caller, the
        share the handler's screen recognised as one. A contact is from a repeat caller when, at
        the moment it was presented, the caller's contacts on the counted channels (the policy's
        [repeat_contacts]; abandoned ones only if it counts them) cross a repeat rule (more than
        3 in 7 days or more than 5 in 30 days by default), this contact included. Who the caller
        is comes from the latest identity linkage (the person cluster of the contact); a contact
        the linkage has not placed counts by its person record, and one with neither is left
        out. It was recognised when the same rule is crossed counting by what the handler's
        screen counts by: the person record the contact was linked to, or the telephone number.
        (The screen also counts by address; the snapshot holds no addresses, so that is not
        credited here, and the measure may understate recognition.)""",
    ),
    measure(
        key="first_contact.plans_opened",
        title="Problem-solving plans opened",
        group=GROUP,
        peel_area=VULNERABLE,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=PLAN_CUTS,
        record_type="problem_solving_plans",
        kind=Kind.COUNT,
        build=_plans_opened,
        definition="""The number of problem-solving plans opened for repeat callers, numbers or
        addresses in the period, by the neighbourhood team that owns them.""",
    ),
    measure(
        key="first_contact.plans_overdue",
        title="Problem-solving plan reviews overdue",
        group=GROUP,
        peel_area=VULNERABLE,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=PLAN_CUTS,
        record_type="problem_solving_plans",
        kind=Kind.SHARE,
        build=_plans_overdue,
        definition="""Of the problem-solving plans whose review date fell in the period and had
        passed by the snapshot, the share overdue: still open, or closed only after the review
        date. The period is that of the review date.""",
    ),
    measure(
        key="first_contact.partner_referrals",
        title="Referrals to partner agencies",
        group=GROUP,
        peel_area=VULNERABLE,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=INCIDENT_CUTS,
        record_type="partner_referrals",
        kind=Kind.COUNT,
        build=_referrals,
        definition="""The number of referrals of contacts to partner agencies (mental health,
        social care, housing and the rest) made in the period.""",
    ),
    measure(
        key="first_contact.101_resolved_by_referral",
        title="101 demand resolved by referral to a partner",
        group=GROUP,
        peel_area=RESPONDING,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts={Cut.NEIGHBOURHOOD: "f.hood"},
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_resolved_by_referral,
        definition="""Of the 101 calls presented in the period that were not abandoned, the share
        whose incident was referred to a partner agency.""",
    ),
)
