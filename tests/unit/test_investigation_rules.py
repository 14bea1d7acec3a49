"""Investigation plans (due, adequate or not) and supervisor reviews (first within 7 days of
allocation, then every 28 days)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.investigations import (
    PlanContent,
    PlanRules,
    ReviewRules,
    check_plan,
    check_review,
    next_review_due,
    plan_due,
    require_some_content,
    reviews_on_time,
)

pytestmark = pytest.mark.unit

PLAN_RULES = PlanRules(
    due_hours=72,
    min_lines_of_enquiry=2,
    min_evidence_items=1,
    min_text_length=15,
    require_victim_needs=True,
)
REVIEW_RULES = ReviewRules(first_review_days=7, review_interval_days=28)
ALLOCATED = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
GOOD = PlanContent(
    lines_of_enquiry=("House-to-house on Mill Lane", "Trace and interview the suspect"),
    evidence_to_secure=("CCTV from the corner shop",),
    safeguarding_actions=("Refer to the domestic abuse advocate",),
    suspect_strategy="Arrest on sight; interview under caution",
    victim_needs="Calls after 6pm only; needs an interpreter (Polish)",
)


def test_plan_is_due_72_hours_after_allocation() -> None:
    assert plan_due(ALLOCATED, PLAN_RULES) == ALLOCATED + timedelta(hours=72)


def test_a_complete_plan_is_adequate() -> None:
    result = check_plan(GOOD, PLAN_RULES, safeguarding_needed=True, suspect_identified=True)
    assert result.adequate
    assert result.gaps == ()


PLAN_GAPS = [
    ({"lines_of_enquiry": ("House-to-house on Mill Lane",)}, True, True, "lines of enquiry"),
    ({"lines_of_enquiry": ("House-to-house on Mill Lane", "  ")}, True, True, "lines of enquiry"),
    ({"evidence_to_secure": ()}, True, True, "evidence to secure"),
    ({"safeguarding_actions": ()}, True, True, "safeguarding"),
    ({"suspect_strategy": ""}, True, True, "suspect strategy"),
    ({"victim_needs": "none"}, True, True, "victim's needs"),
    ({"evidence_to_secure": ("CCTV",)}, True, True, "too short"),
]


@pytest.mark.parametrize(("changes", "safeguarding", "suspect", "gap"), PLAN_GAPS)
def test_a_plan_missing_a_part_is_inadequate_and_says_what_is_missing(
    changes: dict[str, object], safeguarding: bool, suspect: bool, gap: str
) -> None:
    plan = replace(GOOD, **changes)  # type: ignore[arg-type]
    result = check_plan(
        plan, PLAN_RULES, safeguarding_needed=safeguarding, suspect_identified=suspect
    )
    assert not result.adequate
    assert any(gap in g for g in result.gaps), result.gaps


def test_safeguarding_is_not_needed_where_no_one_needs_safeguarding() -> None:
    plan = replace(GOOD, safeguarding_actions=())
    assert check_plan(plan, PLAN_RULES, safeguarding_needed=False, suspect_identified=True).adequate


def test_a_suspect_strategy_is_not_needed_while_no_suspect_is_identified() -> None:
    plan = replace(GOOD, suspect_strategy="")
    assert check_plan(plan, PLAN_RULES, safeguarding_needed=True, suspect_identified=False).adequate


def test_the_policy_decides_how_many_lines_of_enquiry_make_a_plan() -> None:
    strict = replace(PLAN_RULES, min_lines_of_enquiry=3)
    assert not check_plan(GOOD, strict, safeguarding_needed=True, suspect_identified=True).adequate
    lenient = replace(PLAN_RULES, require_victim_needs=False)
    plan = replace(GOOD, victim_needs="")
    assert check_plan(plan, lenient, safeguarding_needed=True, suspect_identified=True).adequate


def test_an_empty_plan_cannot_be_saved() -> None:
    with pytest.raises(ValidationFailed, match="at least one part"):
        require_some_content(PlanContent(("  ",), (), (), " ", ""))
    require_some_content(PlanContent((), (), (), "", "Calls after 6pm"))


REVIEWS = [
    ([], ALLOCATED + timedelta(days=7), "first review 7 days after allocation"),
    ([ALLOCATED + timedelta(days=3)], ALLOCATED + timedelta(days=31), "then 28 days on"),
    (
        [ALLOCATED + timedelta(days=10), ALLOCATED + timedelta(days=3)],
        ALLOCATED + timedelta(days=38),
        "from the latest review, whatever the order given",
    ),
    ([ALLOCATED + timedelta(days=12)], ALLOCATED + timedelta(days=40), "a late review resets"),
]


@pytest.mark.parametrize(("reviews", "due", "why"), REVIEWS, ids=[r[2] for r in REVIEWS])
def test_next_review_due(reviews: list[datetime], due: datetime, why: str) -> None:
    assert next_review_due(ALLOCATED, reviews, REVIEW_RULES) == due


def test_each_review_is_judged_on_time_against_the_date_it_was_due() -> None:
    reviews = [
        ALLOCATED + timedelta(days=7),  # exactly on the day: on time
        ALLOCATED + timedelta(days=40),  # due day 35: late
        ALLOCATED + timedelta(days=60),  # due day 68: on time
    ]
    assert reviews_on_time(ALLOCATED, reviews, REVIEW_RULES) == (True, False, True)
    assert reviews_on_time(ALLOCATED, [ALLOCATED + timedelta(days=8)], REVIEW_RULES) == (False,)


def test_the_policy_sets_the_review_intervals() -> None:
    rules = ReviewRules(first_review_days=3, review_interval_days=14)
    assert next_review_due(ALLOCATED, [], rules) == ALLOCATED + timedelta(days=3)
    assert next_review_due(ALLOCATED, [ALLOCATED], rules) == ALLOCATED + timedelta(days=14)


def test_a_review_must_give_a_direction() -> None:
    with pytest.raises(ValidationFailed, match="direction"):
        check_review("   ")
    check_review("Obtain the CCTV by Friday")
