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


BASIS_LABELS = {"person": "caller", "telephone": "telephone number", "address": "address"}


def readable_subject(basis: str, subject: str) -> str:
    """Whom or what a plan is about, as people read it: an address key such as
    "ab3 4gh|5 canal row" becomes "5 Canal Row, AB3 4GH"; a name or number is kept."""
    if basis == "address" and "|" in subject:
        postcode, _, place = subject.partition("|")
        return f"{place.strip().title()}, {postcode.strip().upper()}"
    return subject


def plan_title(basis: str, subject: str) -> str:
    """A plan's title: the readable subject and what kind it is."""
    return f"{readable_subject(basis, subject)} ({BASIS_LABELS.get(basis, basis)})"
