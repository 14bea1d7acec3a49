"""The catalogue, its documentation, targets from the policy and their status."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchhouse.analytics.catalogue import (
    GROUPS,
    PEEL_AREAS,
    Cut,
    Target,
    UnknownMeasure,
    catalogue,
    definition,
    target_status,
)
from watchhouse.analytics.docs import BEGIN, END, with_catalogue
from watchhouse.policy import PolicyError, load_policy

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "measures.md"


def test_docs_page_says_what_the_catalogue_says() -> None:
    page = DOCS.read_text()
    assert BEGIN in page and END in page
    assert with_catalogue(page) == page, (
        "docs/measures.md is out of date: run `uv run python -m watchhouse.analytics.docs`"
    )
    for d in catalogue():
        assert d.definition in page, d.key


def test_every_measure_is_fully_described() -> None:
    keys = [d.key for d in catalogue()]
    assert len(keys) == len(set(keys))
    for d in catalogue():
        assert d.group in GROUPS
        assert d.peel_area in PEEL_AREAS
        assert Cut.FORCE in d.cuts
        assert d.key.count(".") == 1 and d.title and len(d.definition) > 40


def test_catalogue_covers_every_group_of_the_issue() -> None:
    assert {d.group for d in catalogue()} == set(GROUPS)


def test_unknown_measure_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError) as caught:
        definition("contact.nonsense")
    assert isinstance(caught.value, UnknownMeasure)
    assert "contact.nonsense" in str(caught.value)


def test_target_status_meets_approaches_misses_and_no_data() -> None:
    higher = Target("m", 0.90, higher_is_better=True, approach_margin=0.05)
    assert target_status(0.91, higher) == "meets"
    assert target_status(0.90, higher) == "meets"
    assert target_status(0.86, higher) == "approaches"
    assert target_status(0.84, higher) == "misses"
    assert target_status(None, higher) == "no data"
    lower = Target("m", 180.0, higher_is_better=False, approach_margin=30.0)
    assert target_status(150.0, lower) == "meets"
    assert target_status(200.0, lower) == "approaches"
    assert target_status(211.0, lower) == "misses"


def test_999_and_101_targets_come_from_the_existing_policy_keys() -> None:
    better = {d.key: d.higher_is_better for d in catalogue()}
    targets = load_policy().measure_targets(better)
    share = targets["contact.999_answered_within_10s"]
    assert (share.value, share.higher_is_better, share.approach_margin) == (0.90, True, 0.05)
    assert targets["contact.101_mean_answer_seconds"].value == 180
    assert targets["contact.101_abandonment_rate"].higher_is_better is False
    assert targets["attendance.grade_2_within_target"].value == 0.85


def test_force_file_overrides_a_target(tmp_path: Path) -> None:
    path = tmp_path / "force.toml"
    path.write_text(
        "[emergency_answer]\nstandard_share = 0.85\n"
        '[measures.targets."attendance.grade_2_within_target"]\nvalue = 0.8\n'
        "approach_margin = 0.1\n"
    )
    better = {d.key: d.higher_is_better for d in catalogue()}
    targets = load_policy(path).measure_targets(better)
    assert targets["contact.999_answered_within_10s"].value == 0.85
    assert targets["attendance.grade_2_within_target"].value == 0.8


def test_target_for_an_unknown_measure_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "force.toml"
    path.write_text('[measures.targets."contact.nonsense"]\nvalue = 1\napproach_margin = 0\n')
    with pytest.raises(PolicyError, match=r"contact\.nonsense"):
        load_policy(path)


def test_target_for_a_measure_that_is_neither_better_high_nor_low_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "force.toml"
    path.write_text('[measures.targets."contact.demand"]\nvalue = 1\napproach_margin = 0\n')
    with pytest.raises(PolicyError, match="no target"):
        load_policy(path)
