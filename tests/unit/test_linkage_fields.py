"""Field kinds, their normalisation, the mapping file, and the plan chosen from what the records
hold (pure: no splink, no files)."""

from __future__ import annotations

import pytest

from watchhouse.linkage.fields import (
    FieldProfile,
    FieldSpec,
    PlanLimits,
    UnlinkableRecords,
    choose_plan,
)
from watchhouse.linkage.mapping import MappingProblem, mapping_from_dict
from watchhouse.linkage.prepare import (
    date_text,
    identifier_text,
    postcode_text,
    telephone_e164,
)

LIMITS = PlanLimits(
    max_pairs_per_block=5_000_000,
    pairs_per_record=50,
    max_blocks=8,
    min_completeness=0.2,
    min_training_pairs=20,
)


def _profile(name: str, kind: str, pairs: int, completeness: float = 1.0) -> FieldProfile:
    return FieldProfile(name, kind, completeness, distinct=100, pairs=pairs)  # type: ignore[arg-type]


def test_a_uk_postcode_is_normalised_and_a_foreign_one_is_kept_not_dropped():
    assert postcode_text("sw1a1aa") == "SW1A 1AA"
    assert postcode_text(" 4011 ") == "4011"
    assert postcode_text("75008  paris") == "75008 PARIS"
    assert postcode_text("") is None


def test_a_telephone_number_is_read_in_the_default_region_and_kept_as_digits_if_not_a_number():
    assert telephone_e164("07700 900123", "GB") == "+447700900123"
    assert telephone_e164("(02) 9876 5432", "AU") == "+61298765432"
    assert telephone_e164("+33 1 23 45 67 89", "GB") == "+33123456789"
    assert telephone_e164("ext 12", "GB") == "12"


def test_dates_of_birth_are_read_in_the_mapped_format_and_unreadable_ones_count_as_missing():
    assert date_text("19560409", "%Y%m%d") == "1956-04-09"
    assert date_text("09/04/1956", "%d/%m/%Y") == "1956-04-09"
    assert date_text("1956-04-09", None) == "1956-04-09"
    assert date_text("19561340", "%Y%m%d") is None


def test_identifiers_compare_without_spaces_or_punctuation():
    assert identifier_text("ab 12 34 56 c") == "AB123456C"
    assert identifier_text("12/345678A") == "12345678A"


def test_without_telephone_numbers_the_plan_blocks_and_trains_on_the_other_fields():
    profiles = [
        _profile("given", "given_name", 3_000),
        _profile("family", "family_name", 2_000),
        _profile("dob", "date_of_birth", 600),
        _profile("postcode", "postcode", 900),
    ]
    plan = choose_plan(profiles, 5_000, LIMITS)
    blocked = {b.fields for b in plan.prediction}
    assert ("dob",) in blocked and ("postcode",) in blocked
    assert [b.fields for b in plan.training][:2] == [("dob",), ("postcode",)]
    assert plan.untrained == ()
    assert ("given", "family", "dob") in plan.prior_rules


def test_a_field_shared_by_no_two_records_is_neither_blocked_nor_trained_on():
    profiles = [
        _profile("family", "family_name", 2_000),
        _profile("dob", "date_of_birth", 600),
        _profile("telephone", "telephone", 0),
    ]
    plan = choose_plan(profiles, 5_000, LIMITS)
    assert all("telephone" not in b.fields for b in plan.prediction + plan.training)


def test_a_broad_field_is_blocked_on_only_together_with_another():
    profiles = [
        _profile("family", "family_name", 40_000_000),
        _profile("dob", "date_of_birth", 16_000_000),
        _profile("postcode", "postcode", 3_000),
    ]
    joint = {("family", "dob"): 20_000, ("family", "postcode"): 500, ("dob", "postcode"): 50}
    plan = choose_plan(profiles, 1_000_000, LIMITS, joint)
    blocked = {b.fields for b in plan.prediction}
    assert ("family",) not in blocked and ("dob",) not in blocked
    assert ("family", "dob") in blocked


def test_a_rarely_recorded_field_is_not_blocked_on_and_the_plan_says_so():
    profiles = [
        _profile("family", "family_name", 2_000),
        _profile("dob", "date_of_birth", 600),
        _profile("email", "email", 40, completeness=0.05),
    ]
    plan = choose_plan(profiles, 5_000, LIMITS)
    assert all("email" not in b.fields for b in plan.prediction)
    assert any("email" in note for note in plan.notes)


def test_records_with_nothing_shared_cannot_be_planned_and_the_message_says_what_would_help():
    profiles = [_profile("given", "given_name", 0), _profile("family", "family_name", 0)]
    with pytest.raises(UnlinkableRecords, match="date of birth"):
        choose_plan(profiles, 1_000, LIMITS)


def test_without_a_near_certain_rule_the_prior_cannot_be_estimated_and_the_message_says_why():
    profiles = [_profile("suburb", "address", 5_000), _profile("given", "given_name", 3_000)]
    with pytest.raises(UnlinkableRecords, match="exact identifier"):
        choose_plan(profiles, 5_000, LIMITS)


def test_an_identifier_alone_is_a_prior_rule():
    profiles = [
        _profile("pnc", "identifier", 300),
        _profile("family", "family_name", 2_000),
        _profile("dob", "date_of_birth", 600),
    ]
    assert ("pnc",) in choose_plan(profiles, 5_000, LIMITS).prior_rules


def test_a_mapping_names_each_field_its_kind_and_columns():
    mapping = mapping_from_dict(
        {
            "id": "rec_id",
            "telephone_region": "au",
            "fields": {
                "dob": {"kind": "date_of_birth", "column": "date_of_birth", "format": "%Y%m%d"},
                "address": {"kind": "address", "columns": ["street_number", "address_1"]},
            },
        }
    )
    assert mapping.id_column == "rec_id"
    assert mapping.telephone_region == "AU"
    assert mapping.fields == (
        FieldSpec("dob", "date_of_birth", ("date_of_birth",), "%Y%m%d"),
        FieldSpec("address", "address", ("street_number", "address_1")),
    )


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"fields": {"a": {"kind": "given_name", "column": "a"}}}, "id"),
        ({"id": "x", "fields": {"a": {"kind": "shoe_size", "column": "a"}}}, "fields.a.kind"),
        ({"id": "x", "fields": {"a": {"kind": "email"}}}, "fields.a"),
        ({"id": "x"}, "[fields]"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_entry(data, named):
    with pytest.raises(MappingProblem, match=named.replace("[", r"\[").replace(".", r"\.")):
        mapping_from_dict(data)
