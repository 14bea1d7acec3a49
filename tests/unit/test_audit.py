"""Audit rules: scoring tables, sampling by rule and seed, periods and trends."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from watchhouse.domain.audit import (
    ALL,
    AnswerKind,
    AuditQuestion,
    AuditTemplate,
    Candidate,
    RecordType,
    SampleRule,
    ScoredAudit,
    check_rule,
    draw_sample,
    period_bounds,
    score_audit,
    trend_table,
    with_every_group,
)
from watchhouse.domain.errors import ValidationFailed

pytestmark = pytest.mark.unit


def template(*questions: AuditQuestion, pass_mark: float = 0.8) -> AuditTemplate:
    """A contact template with the given questions."""
    return AuditTemplate(
        code="t",
        name="T",
        record_type=RecordType.CONTACT,
        description="",
        pass_mark=pass_mark,
        partly_credit=0.5,
        questions=questions,
        sample_per="handler",
        sample_count=3,
    )


A = AuditQuestion("a", "A?", weight=2)
B = AuditQuestion("b", "B?", weight=1)
C = AuditQuestion("c", "C?", weight=1, critical=True)
S = AuditQuestion("s", "S?", kind=AnswerKind.SCALE, weight=2, scale_max=4)
NO_NA = AuditQuestion("n", "N?", allow_not_applicable=False)


# --- scoring -------------------------------------------------------------------------------

SCORING = [
    # answers, expected score, passed
    ({"a": "yes", "b": "yes", "c": "yes"}, 1.0, True),
    ({"a": "yes", "b": "no", "c": "yes"}, 0.75, False),
    ({"a": "partly", "b": "yes", "c": "yes"}, 0.75, False),
    ({"a": "yes", "b": "partly", "c": "yes"}, 0.875, True),
    ({"a": "yes", "b": "not_applicable", "c": "yes"}, 1.0, True),
    ({"a": "no", "b": "not_applicable", "c": "yes"}, 1 / 3, False),
    ({"a": "not_applicable", "b": "yes", "c": "not_applicable"}, 1.0, True),
]


@pytest.mark.parametrize(("answers", "score", "passed"), SCORING)
def test_weighted_score_and_pass_mark(answers, score, passed):
    result = score_audit(template(A, B, C), answers)
    assert result.score == pytest.approx(score)
    assert result.passed is passed


def test_not_applicable_leaves_the_question_out_of_the_points_available():
    result = score_audit(template(A, B, C), {"a": "yes", "b": "not_applicable", "c": "yes"})
    assert (result.points, result.available, result.not_applicable) == (3.0, 3.0, 1)


def test_critical_question_answered_no_fails_even_a_high_score():
    many = [AuditQuestion(f"q{i}", "?", weight=5) for i in range(5)]
    result = score_audit(template(*many, C), {**{f"q{i}": "yes" for i in range(5)}, "c": "no"})
    assert result.score > 0.95
    assert result.passed is False
    assert result.failed_critical == ("c",)


def test_critical_question_answered_partly_also_fails():
    result = score_audit(template(A, C, pass_mark=0.5), {"a": "yes", "c": "partly"})
    assert result.failed_critical == ("c",)
    assert not result.passed


SCALE = [("0", 0.0), ("1", 0.25), ("2", 0.5), ("3", 0.75), ("4", 1.0)]


@pytest.mark.parametrize(("answer", "score"), SCALE)
def test_scale_answer_earns_its_share_of_the_weight(answer, score):
    assert score_audit(template(S), {"s": answer}).score == pytest.approx(score)


def test_four_of_five_reaches_a_pass_mark_of_eighty_percent_exactly():
    five = [AuditQuestion(f"q{i}", "?") for i in range(5)]
    answers = {f"q{i}": "yes" for i in range(4)} | {"q4": "no"}
    assert score_audit(template(*five, pass_mark=0.8), answers).passed is True


def test_missing_unknown_and_impossible_answers_are_all_named():
    with pytest.raises(ValidationFailed) as caught:
        score_audit(
            template(A, B, S, NO_NA), {"a": "maybe", "s": "5", "n": "not_applicable", "z": "yes"}
        )
    reasons = {p.field: p.reason for p in caught.value.problems}
    assert set(reasons) == {"a", "b", "s", "n", "z"}
    assert reasons["b"] == "answer this question"
    assert "0, 1, 2, 3, 4" in reasons["s"]
    assert "not_applicable" not in reasons["n"]
    assert "no question 'z'" in reasons["z"]


def test_every_answer_not_applicable_cannot_be_scored():
    with pytest.raises(ValidationFailed, match="nothing can be scored"):
        score_audit(template(A, B), {"a": "not_applicable", "b": "not_applicable"})


# --- sampling ------------------------------------------------------------------------------


def population(counts: dict[str, int]) -> list[Candidate]:
    """Records numbered from 1, so many per handler."""
    found = []
    next_id = 1
    for handler, n in counts.items():
        for _ in range(n):
            found.append(Candidate(handler, next_id))
            next_id += 1
    return found


RULE = SampleRule("handler", 3)


def draw(people: list[Candidate], seed: int = 7, rule: SampleRule = RULE, period: str = "2024-05"):
    return draw_sample(people, rule=rule, template_code="thrive_quality", period=period, seed=seed)


def test_same_seed_and_population_give_the_same_sample():
    people = population({"h1": 40, "h2": 25, "h3": 60})
    assert draw(people) == draw(people)


def test_order_of_the_population_does_not_change_the_sample():
    people = population({"h1": 40, "h2": 25, "h3": 60})
    shuffled = people[:]
    random.Random(3).shuffle(shuffled)
    assert draw(shuffled) == draw(people)


def test_a_different_seed_or_period_draws_a_different_sample():
    people = population({"h1": 40, "h2": 25, "h3": 60})
    assert draw(people, seed=8) != draw(people)
    assert draw(people, period="2024-06") != draw(people)


def test_exactly_three_per_handler_with_three_or_more_and_all_of_those_with_fewer():
    people = population({"h1": 40, "h2": 3, "h3": 2, "h4": 1, "h5": 10})
    sample = draw(people)
    per = {
        h: [c.record_id for c in sample if c.stratum == h] for h in ("h1", "h2", "h3", "h4", "h5")
    }
    assert {h: len(ids) for h, ids in per.items()} == {"h1": 3, "h2": 3, "h3": 2, "h4": 1, "h5": 3}
    owned = {c.record_id: c.stratum for c in people}
    assert all(owned[c.record_id] == c.stratum for c in sample)


def test_a_new_handler_does_not_change_anyone_elses_sample():
    before = draw(population({"h1": 40, "h3": 60}))
    with_new = population({"h1": 40, "h3": 60}) + [Candidate("h2", 1000 + i) for i in range(9)]
    after = draw(with_new)
    assert [c for c in after if c.stratum != "h2"] == before


def test_sample_is_listed_by_stratum_then_record():
    sample = draw(population({"h2": 10, "h1": 10}))
    assert sample == sorted(sample)


def test_simple_random_sample_ignores_strata():
    people = population({"h1": 40, "h2": 40})
    sample = draw(people, rule=SampleRule(ALL, 20))
    assert len(sample) == 20
    assert {c.stratum for c in sample} == {ALL}
    assert len({c.record_id for c in sample}) == 20


def test_draws_are_spread_over_the_stratum_not_the_first_records():
    people = population({"h1": 1000})
    seen = {c.record_id for seed in range(50) for c in draw(people, seed=seed)}
    assert max(seen) > 500 and len(seen) > 100


def test_rules_a_record_type_does_not_support_are_refused():
    assert check_rule(RecordType.CONTACT, "handler", 3) == RULE
    assert check_rule(RecordType.CRIME, "team", 5).label == "5 per team"
    with pytest.raises(ValidationFailed) as caught:
        check_rule(RecordType.CONTACT, "team", 0)
    assert {p.field for p in caught.value.problems} == {"per", "count"}


def test_crimes_sample_per_investigator_and_no_other_record_type_does():
    assert check_rule(RecordType.CRIME, "investigator", 5).label == "5 per investigator"
    with pytest.raises(ValidationFailed) as caught:
        check_rule(RecordType.CONTACT, "investigator", 3)
    assert "Contact records sample per handler or all" in caught.value.problems[0].reason


# --- periods and trends --------------------------------------------------------------------


def test_a_summer_month_runs_from_local_midnight_in_british_summer_time():
    start, end = period_bounds("2024-05", "Europe/London")
    assert start == datetime(2024, 4, 30, 23, 0, tzinfo=UTC)
    assert end == datetime(2024, 5, 31, 23, 0, tzinfo=UTC)


def test_december_ends_at_new_year():
    start, end = period_bounds("2024-12", "Europe/London")
    assert (start, end) == (datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("bad", ["2024-13", "2024-5", "May 2024", ""])
def test_a_bad_period_is_refused(bad):
    with pytest.raises(ValidationFailed, match="YYYY-MM"):
        period_bounds(bad, "Europe/London")


def test_trends_average_scores_and_pass_rates_by_team_and_month():
    cells = trend_table(
        [
            ScoredAudit("2024-05", "Control A", 1.0, True),
            ScoredAudit("2024-05", "Control A", 0.5, False),
            ScoredAudit("2024-05", "no team", 0.9, True),
            ScoredAudit("2024-04", "Control A", 0.8, True),
        ]
    )
    assert [(c.period, c.group, c.audits, c.mean_score, c.pass_rate) for c in cells] == [
        ("2024-04", "Control A", 1, 0.8, 1.0),
        ("2024-05", "Control A", 2, 0.75, 0.5),
        ("2024-05", "no team", 1, 0.9, 1.0),
    ]


def test_every_group_appears_in_every_month_with_audits_as_n_0_where_none_was_audited():
    cells = trend_table(
        [
            ScoredAudit("2024-05", "Control A", 1.0, True),
            ScoredAudit("2024-04", "no team", 0.5, False),
        ]
    )
    filled = with_every_group(cells, ["CID", "Control A"])
    assert [(c.period, c.group, c.audits, c.mean_score) for c in filled] == [
        ("2024-04", "CID", 0, None),
        ("2024-04", "Control A", 0, None),
        ("2024-04", "no team", 1, 0.5),
        ("2024-05", "CID", 0, None),
        ("2024-05", "Control A", 1, 1.0),
        ("2024-05", "no team", 0, None),
    ]
    assert with_every_group([], ["CID"]) == []
