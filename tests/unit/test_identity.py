"""Identity comparisons, scoring and accuracy: the pure rules the batch linkage and the online
check share."""

from __future__ import annotations

import math
from datetime import date

import pytest

from watchhouse.domain.identity import (
    COMPARISONS,
    NULL_LEVEL,
    CallerScorer,
    LinkageRecord,
    MatchModel,
    best_score,
    clean_name,
    comparison_level,
    given_name_forms,
    pairwise_accuracy,
    postcode_district,
    postcode_sector,
    probability_from_weight,
    score,
)

pytestmark = pytest.mark.unit

BY_NAME = {c.name: c for c in COMPARISONS}


def level_label(name: str, left: LinkageRecord, right: LinkageRecord) -> str:
    comparison = BY_NAME[name]
    index = comparison_level(comparison, left, right)
    if index == NULL_LEVEL:
        return "null"
    return comparison.levels[index].label if index < len(comparison.levels) else "different"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Zoë  ", "zoe"),
        ("O'Brien", "o'brien"),
        ("Smith-Jones", "smith-jones"),
        ("MARY  ANNE", "mary anne"),
        ("J0hn!", "jhn"),
        ("", None),
        ("--", None),
        (None, None),
    ],
)
def test_names_are_cleaned_for_comparison(raw, cleaned):
    assert clean_name(raw) == cleaned


def test_a_diminutive_carries_the_formal_names_it_stands_for():
    assert given_name_forms("bob") == {"bob", "robert"}
    assert given_name_forms("sam") == {"sam", "samuel", "samantha"}
    assert given_name_forms("robert") == {"robert"}
    assert given_name_forms(None) == frozenset()


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("robert", "robert", "same"),
        ("bob", "robert", "same formal name (a nickname)"),
        ("sam", "samantha", "same formal name (a nickname)"),
        ("samuel", "samantha", "different"),
        ("martha", "marhta", "very similar (Jaro-Winkler 0.92)"),
        ("jonathon", "jonathan", "very similar (Jaro-Winkler 0.92)"),
        ("hannah", "hnnah", "similar (Jaro-Winkler 0.80)"),
        ("oscar", "olga", "different"),
        (None, "olga", "null"),
    ],
)
def test_given_name_levels(left, right, label):
    assert (
        level_label("given_name", LinkageRecord(given_name=left), LinkageRecord(given_name=right))
        == label
    )


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        (date(1980, 3, 4), date(1980, 3, 4), "same"),
        (date(1980, 3, 4), date(1980, 4, 3), "day and month swapped"),
        (date(1980, 3, 4), date(1980, 3, 14), "one digit different or two swapped"),
        (date(1980, 3, 4), date(1908, 3, 4), "one digit different or two swapped"),
        (date(1980, 3, 4), date(1981, 4, 3), "different"),
        (date(1980, 3, 4), None, "null"),
    ],
)
def test_date_of_birth_levels(left, right, label):
    assert (
        level_label(
            "date_of_birth", LinkageRecord(date_of_birth=left), LinkageRecord(date_of_birth=right)
        )
        == label
    )


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("WH3 6JP", "WH3 6JP", "same"),
        ("WH3 6JP", "WH3 6AB", "same sector"),
        ("WH3 6JP", "WH3 9AB", "same district"),
        ("WH3 6JP", "WH13 6JP", "different"),
        ("WH3 6JP", None, "null"),
    ],
)
def test_postcode_levels(left, right, label):
    assert (
        level_label("postcode", LinkageRecord(postcode=left), LinkageRecord(postcode=right))
        == label
    )


def test_postcode_parts():
    assert (postcode_sector("AB1 2CD"), postcode_district("AB1 2CD")) == ("AB1 2", "AB1")
    assert (postcode_sector(None), postcode_district("nonsense")) == (None, None)


def _model(prior: float = 0.01) -> MatchModel:
    return MatchModel(
        prior,
        {
            "given_name": (100.0, 50.0, 20.0, 4.0, 0.1),
            "family_name": (200.0, 50.0, 5.0, 0.01),
            "date_of_birth": (1000.0, 100.0, 10.0, 0.01),
            "telephone": (500.0, 0.5),
            "postcode": (300.0, 10.0, 2.0, 0.2),
        },
    )


def test_the_match_weight_is_the_prior_plus_each_levels_log_bayes_factor():
    caller = LinkageRecord("bob", "hamilton", date(1980, 3, 4), "+447700900123", None)
    record = LinkageRecord("robert", "hamilton", date(1980, 4, 3), "+447700900999", "WH3 6JP")
    explained = score(_model(), caller, record)

    expected = (
        math.log2(0.01 / 0.99)
        + math.log2(50.0)  # nickname
        + math.log2(200.0)  # same family name
        + math.log2(100.0)  # day and month swapped
        + math.log2(0.5)  # different number
        + 0.0  # postcode not recorded on the caller's side
    )
    assert explained.match_weight == pytest.approx(expected)
    assert explained.probability == pytest.approx(2**expected / (1 + 2**expected))
    assert [label for _name, label, _weight in explained.parts] == [
        "same formal name (a nickname)",
        "same",
        "day and month swapped",
        "different",
        "not given by the caller",
    ]


def test_more_agreement_never_lowers_the_probability():
    caller = LinkageRecord("hannah", "day", date(1980, 11, 30), None, "WH5 4GQ")
    weaker = LinkageRecord("hannah", "day", None, None, None)
    stronger = LinkageRecord("hannah", "day", date(1980, 11, 30), None, "WH5 4GQ")
    assert (
        score(_model(), caller, stronger).probability > score(_model(), caller, weaker).probability
    )


def _records() -> list[LinkageRecord]:
    """Records that share values with each other and with the caller, and some that do not."""
    given = ["bob", "robert", "rob", "roberta", "bobby", None]
    family = ["hamilton", "hamiltan", "hambleton", "smith", None]
    born = [date(1980, 3, 4), date(1980, 4, 3), date(1980, 3, 5), date(1990, 1, 1), None]
    numbers = ["+447700900123", "+447700900999", None]
    postcodes = ["WH3 6JP", "WH3 6JQ", "WH3 7AA", "WH1 1AA", None]
    return [
        LinkageRecord(
            given[i % len(given)],
            family[(i // 2) % len(family)],
            born[(i // 3) % len(born)],
            numbers[(i // 5) % len(numbers)],
            postcodes[(i // 7) % len(postcodes)],
        )
        for i in range(400)
    ]


@pytest.mark.parametrize(
    "caller",
    [
        LinkageRecord("bob", "hamilton", date(1980, 3, 4), "+447700900123", "WH3 6JP"),
        LinkageRecord(None, "smith", None, None, None),
        LinkageRecord("roberta", None, date(1990, 1, 1), "+447700900999", None),
    ],
)
def test_the_online_scorer_gives_exactly_what_score_gives(caller):
    model = _model()
    scorer = CallerScorer(model, caller)
    for record in _records():
        expected = score(model, caller, record)
        assert scorer.weight(record) == expected.match_weight
        assert scorer.explain(record) == expected


def test_the_online_scorer_picks_the_same_best_record_as_best_score():
    model = _model()
    caller = LinkageRecord("bob", "hamilton", date(1980, 3, 4), "+447700900123", "WH3 6JP")
    scorer = CallerScorer(model, caller)
    records = _records()
    for start in range(0, len(records), 7):
        group = records[start : start + 7]
        assert scorer.best(group) == best_score(model, caller, group)
    assert scorer.best([]) is None


@pytest.mark.parametrize(
    ("weight", "probability"),
    [(0.0, 0.5), (1.0, 2 / 3), (-1.0, 1 / 3), (100.0, 1.0), (-100.0, 0.0)],
)
def test_probability_from_weight(weight, probability):
    assert probability_from_weight(weight) == pytest.approx(probability, abs=1e-12)


def test_a_model_that_does_not_fit_the_comparisons_is_refused():
    factors = dict(_model().bayes_factors)
    with pytest.raises(ValueError, match="prior probability"):
        MatchModel(1.0, factors)
    with pytest.raises(ValueError, match="Bayes factors for each level of telephone"):
        MatchModel(0.01, {**factors, "telephone": (500.0,)})
    with pytest.raises(ValueError, match="postcode must be > 0"):
        MatchModel(0.01, {**factors, "postcode": (300.0, 10.0, 0.0, 0.2)})


def test_pairwise_accuracy_worked_by_hand():
    # Truth: person A has records 1,2,3; person B has 4,5. Clusters: {1,2}, {3,4,5}.
    # Predicted pairs: (1,2) + (3,4),(3,5),(4,5) = 4; true pairs: 3 + 1 = 4;
    # right: (1,2) and (4,5) = 2. Cells: {1,2}xA=2, {3}xA=1, {4,5}xB=2.
    accuracy = pairwise_accuracy([2, 3], [3, 2], [2, 1, 2])
    assert (accuracy.true_positive_pairs, accuracy.predicted_pairs, accuracy.true_pairs) == (
        2,
        4,
        4,
    )
    assert (accuracy.precision, accuracy.recall, accuracy.f1) == (0.5, 0.5, 0.5)


def test_accuracy_with_no_pairs_is_perfect_not_a_division_by_zero():
    accuracy = pairwise_accuracy([1, 1], [1, 1], [1, 1])
    assert (accuracy.precision, accuracy.recall) == (1.0, 1.0)
