"""A son who shares his father's name and number is not his father: the trained model keeps
two callers with different dates of birth apart at the join threshold, though expectation
maximisation on household records learns a weak "date of birth: different" (family members
look like matches); a date of birth mistyped by one digit, or with day and month swapped,
still joins."""

from __future__ import annotations

import math
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from watchhouse.domain.identity import LinkageRecord, score
from watchhouse.linkage import model
from watchhouse.linkage.engines import DuckDBEngine
from watchhouse.linkage.general import cap_different
from watchhouse.linkage.records import normalise, signatures, with_derived
from watchhouse.policy.model import load_policy
from watchhouse.services.identity_files import plan_limits, training_knobs
from watchhouse.synth.generator import SyntheticForce
from watchhouse.synth.profile import load_profile

pytestmark = pytest.mark.linkage

FATHER = LinkageRecord("aled", "prydderch", date(1958, 1, 20), "+447700900432", None)


@pytest.fixture(scope="module")
def match_model():
    """The store's model trained on four weeks of a small synthetic force (households share
    family names, numbers and addresses), as the live store's model is."""
    force = SyntheticForce(
        load_profile("default"), seed=5, scale=0.05, start=date(2024, 5, 1), end=date(2024, 6, 1)
    )
    contacts = pa.concat_tables([tables["contacts"] for tables in force])
    named = contacts.filter(pc.is_valid(contacts.column("caller_family_name")))
    raw = pa.table(
        {
            "record_id": named.column("id"),
            "given_name": named.column("caller_given_name"),
            "family_name": named.column("caller_family_name"),
            "date_of_birth": named.column("caller_date_of_birth"),
            "telephone": named.column("caller_telephone"),
            "postcode": named.column("caller_postcode"),
        }
    )
    normalised = normalise(raw)
    records, _ = signatures(normalised)
    policy = load_policy().identity
    engine = DuckDBEngine()
    try:
        _linker, trained = model.train(
            engine,
            records,
            training_records=with_derived(normalised),
            plan=model.store_plan(records, plan_limits(policy)),
            knobs=training_knobs(policy),
        )
    finally:
        engine.close()
    return trained.match_model


def _caller(born: date) -> LinkageRecord:
    return LinkageRecord(FATHER.given_name, FATHER.family_name, born, FATHER.telephone, None)


def test_a_son_with_his_fathers_name_and_number_stays_apart(match_model):
    join = load_policy().identity.join_probability
    son = score(match_model, FATHER, _caller(date(1989, 11, 3)))
    assert son.probability < join, son.parts
    assert dict((n, label) for n, label, _w in son.parts)["date_of_birth"] == "different"


@pytest.mark.parametrize("typed", [date(1958, 1, 21), date(1985, 1, 20), date(1958, 1, 2)], ids=str)
def test_a_date_of_birth_mistyped_by_one_digit_still_joins(match_model, typed):
    join = load_policy().identity.join_probability
    assert score(match_model, FATHER, _caller(typed)).probability >= join


def test_a_date_of_birth_with_day_and_month_swapped_still_joins(match_model):
    father = LinkageRecord("aled", "prydderch", date(1958, 3, 4), "+447700900432", None)
    swapped = LinkageRecord("aled", "prydderch", date(1958, 4, 3), "+447700900432", None)
    join = load_policy().identity.join_probability
    assert score(match_model, father, swapped).probability >= join


def _model(m_levels: list[float | None]) -> dict:
    levels = [{"is_null_level": True}] + [
        {"m_probability": m, "u_probability": 0.25, "label_for_charts": f"level {i}"}
        for i, m in enumerate(m_levels)
    ]
    return {"comparisons": [{"output_column_name": "dob", "comparison_levels": levels}]}


def test_the_different_level_is_held_to_the_cap_and_the_others_keep_the_sum():
    capped, notes = cap_different(_model([0.8, 0.1, 0.1]), ["dob"], 0.001)
    m = [x["m_probability"] for x in capped["comparisons"][0]["comparison_levels"][1:]]
    assert m[-1] == 0.001
    assert math.isclose(sum(m), 1.0)
    assert m[0] / m[1] == pytest.approx(8.0)
    assert notes == (
        "dob: different: m 0.1 among matches held to 0.001 (date_of_birth_different_m_max)",
    )
    # Below the cap, or another comparison: unchanged.
    assert cap_different(_model([0.9, 0.0995, 0.0005]), ["dob"], 0.001)[1] == ()
    assert cap_different(_model([0.8, 0.1, 0.1]), ["postcode"], 0.001)[1] == ()
    # Never seen among matches: counts against at the cap rather than nothing.
    never, said = cap_different(_model([0.9, 0.1, None]), ["dob"], 0.001)
    assert never["comparisons"][0]["comparison_levels"][-1]["m_probability"] == 0.001
    assert "never seen" in said[0]
