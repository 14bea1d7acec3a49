"""Repeat contact rules: more than N contacts within D days, per person, number or address."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from watchhouse.domain.clock import require_aware


class RepeatBasis(StrEnum):
    """What the contacts are counted against."""

    PERSON = "person"
    TELEPHONE = "telephone"
    ADDRESS = "address"


@dataclass(frozen=True)
class RepeatRule:
    """Crossed when there are more than `more_than` contacts within `within` up to now."""

    more_than: int
    within: timedelta

    @property
    def label(self) -> str:
        """Plain English, e.g. 'more than 3 contacts in 7 days'."""
        return f"more than {self.more_than} contacts in {self.within.days} days"


@dataclass(frozen=True)
class RepeatFinding:
    """A rule that a set of contacts crossed, and how many contacts fell in its window."""

    basis: RepeatBasis
    rule: RepeatRule
    count: int
    at_least: bool = False  # the count stopped at the most the live check counts (`count` or more)


def contacts_within(times: Iterable[datetime], now: datetime, within: timedelta) -> int:
    """How many contacts fall in the window (now - within, now]; later ones are not counted."""
    moment = require_aware(now, "now")
    start = moment - within
    return sum(1 for t in times if start < require_aware(t, "contact time") <= moment)


def repeat_findings(
    basis: RepeatBasis, times: Sequence[datetime], now: datetime, rules: Sequence[RepeatRule]
) -> list[RepeatFinding]:
    """Every rule the contacts cross; the contact being taken counts as one of them."""
    findings = []
    for rule in rules:
        count = contacts_within(times, now, rule.within)
        if count > rule.more_than:
            findings.append(RepeatFinding(basis, rule, count))
    return findings


def counted_findings(
    basis: RepeatBasis,
    counts: Sequence[int],
    rules: Sequence[RepeatRule],
    most: int,
) -> list[RepeatFinding]:
    """Every rule crossed, from each rule's count of contacts in its window counted up to
    `most` (the store counts no further: an address everyone rings about has no end of
    contacts); a count that reached `most` is shown as `most` or more."""
    return [
        RepeatFinding(basis, rule, count, at_least=count >= most)
        for rule, count in zip(rules, counts, strict=True)
        if count > rule.more_than
    ]


def count_limit(rules: Sequence[RepeatRule], shown: int = 100) -> int:
    """How far the live check counts: `shown`, and always past every rule's threshold."""
    return max(shown, *(rule.more_than + 1 for rule in rules))
