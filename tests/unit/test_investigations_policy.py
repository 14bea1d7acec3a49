"""The [investigations] and [victims_code] policy sections and the shipped offence list."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from watchhouse.domain.outcomes import OutcomeType
from watchhouse.policy import PolicyError, load_policy
from watchhouse.policy.offences import (
    OffenceListError,
    load_offence_list,
    shipped_offence_lists,
)
from watchhouse.synth.crime import CRIME_TYPES

pytestmark = pytest.mark.unit


def test_default_victims_code_is_five_working_days_or_one_for_enhanced_rights() -> None:
    code = load_policy().victims_code
    assert (code.update_working_days, code.enhanced_update_working_days) == (5, 1)
    assert code.support_referral_working_days == 2
    assert code.working_day_ends == time(17, 0)
    assert code.bank_holiday_region == "ENG"
    rules = code.rules()
    assert rules.domestic_abuse_is_most_serious and rules.hate_crime_is_most_serious
    assert "Attempted murder" in rules.most_serious_crime_types
    assert "Sexual offences" in rules.most_serious_crime_groups
    assert rules.adult_age == 18


def test_default_reviews_are_first_within_7_days_then_every_28() -> None:
    rules = load_policy().investigations.review_rules()
    assert (rules.first_review_days, rules.review_interval_days) == (7, 28)


def test_default_outcome_21_needs_an_override_for_domestic_abuse() -> None:
    rules = load_policy().investigations.outcome_rules()
    assert rules.domestic_abuse_needs_override == {OutcomeType(21)}
    assert OutcomeType.CHARGED_OR_SUMMONSED not in rules.rationale_required
    assert OutcomeType(21) in rules.rationale_required


def test_the_default_offence_list_exists_and_holds_every_crime_type_the_synth_uses() -> None:
    policy = load_policy()
    offences = shipped_offence_lists()[policy.investigations.offence_list]
    by_name = {o.name: o.group for o in offences.offences}
    for group, types in CRIME_TYPES.items():
        for name in types:
            assert by_name.get(name) == group, name
    for name in policy.victims_code.most_serious_crime_types:
        assert name in by_name, name
    assert set(policy.victims_code.most_serious_crime_groups) <= set(offences.groups())


def test_an_override_may_tighten_the_victim_update_to_three_days(tmp_path: Path) -> None:
    path = tmp_path / "force.toml"
    path.write_text("[victims_code]\nupdate_working_days = 3\nworking_day_ends = 18:00:00\n")
    code = load_policy(path).victims_code
    assert code.update_working_days == 3
    assert code.working_day_ends == time(18, 0)
    assert code.enhanced_update_working_days == 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[victims_code]\nenhanced_update_working_days = 9\n", "victims_code"),
        ('[victims_code]\nbank_holiday_region = "FR"\n', "victims_code.bank_holiday_region"),
        ("[investigations]\noutcomes_needing_rationale = [0]\n", "outcomes_needing_rationale"),
        ("[investigations]\noutcomes_needing_rationale = [23]\n", "outcomes_needing_rationale"),
        ("[investigations]\nplan_due_hours = 0\n", "investigations.plan_due_hours"),
        ("[investigations]\nreview_interval_days = -1\n", "investigations.review_interval_days"),
    ],
)
def test_a_bad_investigations_setting_is_refused_naming_the_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = tmp_path / "force.toml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=key.replace(".", r"\.")):
        load_policy(path)


def test_an_offence_list_with_a_repeated_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'code = "mine"\nname = "Mine"\n'
        '[[offences]]\ncode = "a"\nname = "A"\ngroup = "G"\n'
        '[[offences]]\ncode = "a"\nname = "B"\ngroup = "G"\n'
    )
    with pytest.raises(OffenceListError, match="repeated: \\['a'\\]"):
        load_offence_list(path)
