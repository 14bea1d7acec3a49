"""Investigation plans and supervisor reviews: when they are due and what makes a plan adequate.

What makes a plan adequate is the force's policy (`PlanRules`): how many lines of enquiry and
items of evidence it needs at least, and which parts must be written. Safeguarding actions are
needed only where there is someone to safeguard (domestic abuse, or a victim with enhanced
rights), and a suspect strategy only where a suspect is identified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchhouse.domain.clock import require_aware
from watchhouse.domain.errors import FieldProblem, ValidationFailed


@dataclass(frozen=True)
class PlanRules:
    """When a plan is due and what an adequate one holds."""

    due_hours: float
    min_lines_of_enquiry: int
    min_evidence_items: int
    min_text_length: int
    require_victim_needs: bool


@dataclass(frozen=True)
class ReviewRules:
    """When supervisors review an investigation: first after allocation, then at intervals."""

    first_review_days: float
    review_interval_days: float


@dataclass(frozen=True)
class PlanContent:
    """A structured investigation plan."""

    lines_of_enquiry: tuple[str, ...]
    evidence_to_secure: tuple[str, ...]
    safeguarding_actions: tuple[str, ...]
    suspect_strategy: str
    victim_needs: str


@dataclass(frozen=True)
class PlanCheck:
    """The quality check of a plan: adequate or not, and what is missing."""

    adequate: bool
    gaps: tuple[str, ...]


def _items(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


def tidy_plan(plan: PlanContent) -> PlanContent:
    """The plan with blank entries dropped and text stripped."""
    return PlanContent(
        _items(plan.lines_of_enquiry),
        _items(plan.evidence_to_secure),
        _items(plan.safeguarding_actions),
        plan.suspect_strategy.strip(),
        plan.victim_needs.strip(),
    )


def require_some_content(plan: PlanContent) -> None:
    """Refuse an empty plan (a plan with gaps can be saved; a blank one cannot)."""
    tidy = tidy_plan(plan)
    if not (
        tidy.lines_of_enquiry
        or tidy.evidence_to_secure
        or tidy.safeguarding_actions
        or tidy.suspect_strategy
        or tidy.victim_needs
    ):
        raise ValidationFailed.one("lines_of_enquiry", "write at least one part of the plan")


def check_plan(
    plan: PlanContent, rules: PlanRules, *, safeguarding_needed: bool, suspect_identified: bool
) -> PlanCheck:
    """Whether the plan is adequate by the force's rules, naming each gap."""
    tidy = tidy_plan(plan)
    gaps: list[str] = []
    if len(tidy.lines_of_enquiry) < rules.min_lines_of_enquiry:
        gaps.append(f"at least {rules.min_lines_of_enquiry} lines of enquiry are needed")
    if len(tidy.evidence_to_secure) < rules.min_evidence_items:
        gaps.append(f"at least {rules.min_evidence_items} items of evidence to secure are needed")
    if safeguarding_needed and not tidy.safeguarding_actions:
        gaps.append("safeguarding actions are needed (domestic abuse or enhanced-rights victim)")
    if suspect_identified and len(tidy.suspect_strategy) < rules.min_text_length:
        gaps.append("a suspect strategy is needed: a suspect is identified")
    if rules.require_victim_needs and len(tidy.victim_needs) < rules.min_text_length:
        gaps.append("the victim's needs must be written down")
    short = [
        item
        for item in (*tidy.lines_of_enquiry, *tidy.evidence_to_secure)
        if len(item) < min(rules.min_text_length, 10)
    ]
    if short:
        gaps.append(f"entries too short to act on: {', '.join(short)}")
    return PlanCheck(not gaps, tuple(gaps))


def plan_due(allocated_at: datetime, rules: PlanRules) -> datetime:
    """When the plan must be written: a set time after allocation."""
    return require_aware(allocated_at, "allocated_at") + timedelta(hours=rules.due_hours)


def next_review_due(
    allocated_at: datetime, reviews: Sequence[datetime], rules: ReviewRules
) -> datetime:
    """The next supervisor review: the first a set number of days after allocation, each later
    one a set interval after the latest review."""
    allocated = require_aware(allocated_at, "allocated_at")
    if not reviews:
        return allocated + timedelta(days=rules.first_review_days)
    latest = max(require_aware(r, "review time") for r in reviews)
    return latest + timedelta(days=rules.review_interval_days)


def reviews_on_time(
    allocated_at: datetime, reviews: Sequence[datetime], rules: ReviewRules
) -> tuple[bool, ...]:
    """For each review in time order, whether it was done by the date it was due."""
    done: list[datetime] = []
    result: list[bool] = []
    for review in sorted(require_aware(r, "review time") for r in reviews):
        result.append(review <= next_review_due(allocated_at, done, rules))
        done.append(review)
    return tuple(result)


def check_review(direction: str) -> None:
    """A review must record the direction the supervisor gave."""
    if not direction.strip():
        raise ValidationFailed([FieldProblem("direction", "record the direction you gave")])
