"""Problem-solving plans: when a review is due and whether it is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from watchhouse.domain.clock import require_aware


def first_review_due(opened_at: datetime, review_days: int) -> datetime:
    """The first review falls `review_days` after the plan opens."""
    return require_aware(opened_at, "opened_at") + timedelta(days=review_days)


def review_overdue(review_due_at: datetime, now: datetime, *, open_plan: bool) -> bool:
    """An open plan is overdue once its review date has passed; closed plans never are."""
    return open_plan and require_aware(now, "now") > require_aware(review_due_at, "review_due_at")
