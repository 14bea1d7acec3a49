"""Home Office outcome rules: what each outcome needs of the suspect and the victim, which need
a rationale, and outcome 21 for domestic abuse only with a supervisor's override."""

from __future__ import annotations

from dataclasses import replace

import pytest

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.outcomes import (
    LABELS,
    SUSPECT_NEEDED,
    OutcomeDecision,
    OutcomeRules,
    OutcomeType,
    check_outcome,
)

pytestmark = pytest.mark.unit

RULES = OutcomeRules(
    rationale_required=frozenset(OutcomeType(c) for c in range(2, 23)),
    domestic_abuse_needs_override=frozenset({OutcomeType(21)}),
)
NAMED = OutcomeDecision(
    outcome=OutcomeType.CHARGED_OR_SUMMONSED,
    rationale="",
    suspect_identified=True,
    suspect_named=True,
    domestic_abuse=False,
    victim_supports_action=True,
    victim_withdrawal="",
    override_reason="",
    by_supervisor=False,
)
UNKNOWN = replace(NAMED, suspect_identified=False, suspect_named=False)
IDENTIFIED_UNNAMED = replace(NAMED, suspect_identified=True, suspect_named=False)


def _problems(decision: OutcomeDecision, rules: OutcomeRules = RULES) -> list[str]:
    try:
        check_outcome(decision, rules)
    except ValidationFailed as exc:
        return [f"{p.field}: {p.reason}" for p in exc.problems]
    return []


def test_every_outcome_from_0_to_22_has_a_label_and_a_suspect_rule() -> None:
    assert [int(o) for o in OutcomeType] == list(range(23))
    assert set(LABELS) == set(OutcomeType)
    assert set(SUSPECT_NEEDED) == set(OutcomeType) - {OutcomeType.PENDING}


# (outcome, base decision, changes, expected problem fields or [] if allowed)
CASES = [
    (1, NAMED, {}, []),
    (1, UNKNOWN, {}, ["outcome"]),
    (1, IDENTIFIED_UNNAMED, {}, ["outcome"]),
    (3, NAMED, {"rationale": "first offence, admitted"}, []),
    (3, NAMED, {}, ["rationale"]),
    (8, UNKNOWN, {"rationale": "x"}, ["outcome"]),
    (12, IDENTIFIED_UNNAMED, {"rationale": "suspect in hospital long term"}, []),
    (14, UNKNOWN, {"rationale": "no CCTV", "victim_supports_action": False}, []),
    (14, NAMED, {"rationale": "x", "victim_supports_action": False}, ["outcome"]),
    (14, UNKNOWN, {"rationale": "x", "victim_supports_action": True}, ["victim_supports_action"]),
    (15, IDENTIFIED_UNNAMED, {"rationale": "identification too weak"}, []),
    (15, UNKNOWN, {"rationale": "x"}, ["outcome"]),
    (15, NAMED, {"rationale": "x", "victim_supports_action": False}, ["victim_supports_action"]),
    (
        16,
        NAMED,
        {
            "rationale": "victim withdrew",
            "victim_supports_action": False,
            "victim_withdrawal": "Signed a retraction statement on 12 March",
        },
        [],
    ),
    (16, NAMED, {"rationale": "x", "victim_supports_action": False}, ["victim_withdrawal"]),
    (
        16,
        UNKNOWN,
        {"rationale": "x", "victim_withdrawal": "withdrew", "victim_supports_action": False},
        ["outcome"],
    ),
    (17, UNKNOWN, {"rationale": "summary offence, six months passed"}, []),
    (18, UNKNOWN, {"rationale": "all lines of enquiry exhausted"}, []),
    (18, NAMED, {"rationale": "x"}, ["outcome"]),
    (18, IDENTIFIED_UNNAMED, {"rationale": "x"}, ["outcome"]),
    (19, UNKNOWN, {"rationale": "NFIB reference 123"}, []),
    (20, NAMED, {"rationale": "transferred to the British Transport Police"}, []),
    (21, NAMED, {"rationale": "minor, suspect has moved abroad"}, []),
    (21, NAMED, {}, ["rationale"]),
    (21, UNKNOWN, {"rationale": "x"}, ["outcome"]),
    (21, NAMED, {"rationale": "x", "domestic_abuse": True}, ["override_reason"]),
    (
        21,
        NAMED,
        {"rationale": "x", "domestic_abuse": True, "by_supervisor": True},
        ["override_reason"],
    ),
    (
        21,
        NAMED,
        {
            "rationale": "x",
            "domestic_abuse": True,
            "by_supervisor": True,
            "override_reason": "victim and suspect both in their nineties, in care",
        },
        [],
    ),
    (22, NAMED, {"rationale": "youth diversion scheme"}, []),
    (1, NAMED, {"domestic_abuse": True}, []),
]


@pytest.mark.parametrize(
    ("code", "base", "changes", "fields"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_outcome_rules(
    code: int, base: OutcomeDecision, changes: dict[str, object], fields: list[str]
) -> None:
    decision = replace(base, outcome=OutcomeType(code), **changes)  # type: ignore[arg-type]
    found = _problems(decision)
    assert [p.split(":")[0] for p in found] == fields, found


def test_outcome_0_cannot_be_assigned() -> None:
    assert _problems(replace(NAMED, outcome=OutcomeType.PENDING)) == [
        "outcome: choose an outcome (0 means not yet assigned)"
    ]


def test_the_policy_decides_which_outcomes_need_a_rationale() -> None:
    rules = replace(RULES, rationale_required=frozenset())
    assert _problems(replace(NAMED, outcome=OutcomeType.CAUTION_ADULT), rules) == []


def test_the_policy_can_add_outcomes_that_need_an_override_for_domestic_abuse() -> None:
    rules = replace(RULES, domestic_abuse_needs_override=frozenset({OutcomeType(16)}))
    decision = replace(
        NAMED,
        outcome=OutcomeType(16),
        rationale="x",
        victim_supports_action=False,
        victim_withdrawal="withdrew",
        domestic_abuse=True,
    )
    assert [p.split(":")[0] for p in _problems(decision, rules)] == ["override_reason"]


def test_every_problem_is_reported_at_once() -> None:
    decision = replace(UNKNOWN, outcome=OutcomeType(21), domestic_abuse=True)
    assert [p.split(":")[0] for p in _problems(decision)] == [
        "outcome",
        "rationale",
        "override_reason",
    ]
