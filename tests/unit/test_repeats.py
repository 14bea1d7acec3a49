"""Repeat-contact thresholds: more than 3 in 7 days, or more than 5 in 30 days (defaults)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchhouse.domain.repeats import (
    RepeatBasis,
    RepeatRule,
    contacts_within,
    repeat_findings,
)
from watchhouse.policy import load_policy

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = load_policy().repeat_contacts.domain_rules()


def _times(*days_ago: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days_ago]


def test_default_policy_has_the_inspectorates_two_thresholds() -> None:
    assert [RepeatRule(3, timedelta(days=7)), RepeatRule(5, timedelta(days=30))] == RULES


def test_exactly_three_contacts_in_seven_days_is_not_a_repeat() -> None:
    assert repeat_findings(RepeatBasis.PERSON, _times(0, 2, 5), NOW, RULES) == []


def test_fourth_contact_in_seven_days_flags_a_repeat_caller() -> None:
    findings = repeat_findings(RepeatBasis.PERSON, _times(0, 1, 2, 6.9), NOW, RULES)
    assert [(f.rule.within.days, f.count) for f in findings] == [(7, 4)]


def test_contact_exactly_seven_days_ago_is_outside_the_window() -> None:
    assert repeat_findings(RepeatBasis.PERSON, _times(0, 1, 2, 7), NOW, RULES) == []


def test_sixth_contact_in_thirty_days_flags_a_repeat_caller() -> None:
    findings = repeat_findings(RepeatBasis.TELEPHONE, _times(0, 8, 12, 16, 20, 29), NOW, RULES)
    assert [(f.basis, f.rule.within.days, f.count) for f in findings] == [
        (RepeatBasis.TELEPHONE, 30, 6)
    ]


def test_five_contacts_in_thirty_days_spread_out_is_not_a_repeat() -> None:
    assert repeat_findings(RepeatBasis.ADDRESS, _times(0, 8, 15, 22, 29), NOW, RULES) == []


def test_both_rules_can_be_crossed_at_once() -> None:
    findings = repeat_findings(RepeatBasis.PERSON, _times(0, 1, 2, 3, 4, 5), NOW, RULES)
    assert {f.rule.within.days for f in findings} == {7, 30}


def test_contacts_after_now_are_not_counted() -> None:
    assert contacts_within(_times(0, -1, -2), NOW, timedelta(days=7)) == 1


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        contacts_within([datetime(2026, 3, 10)], NOW, timedelta(days=7))


def test_rule_label_reads_as_plain_english() -> None:
    assert RULES[0].label == "more than 3 contacts in 7 days"


def test_counted_findings_cross_the_same_rules_and_mark_a_count_at_the_bound() -> None:
    from watchhouse.domain.repeats import count_limit, counted_findings

    most = count_limit(RULES)
    assert most >= 100
    assert count_limit(RULES, shown=2) == max(r.more_than for r in RULES) + 1
    assert counted_findings(RepeatBasis.ADDRESS, (3, 5), RULES, most) == []
    findings = counted_findings(RepeatBasis.ADDRESS, (4, most), RULES, most)
    assert [(f.rule.within.days, f.count, f.at_least) for f in findings] == [
        (7, 4, False),
        (30, most, True),
    ]
