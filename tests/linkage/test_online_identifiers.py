"""The online check compares a force's extra identifiers with the same levels as the batch
linkage's splink comparison for their kind, takes their weights from the trained model, and
uses the documented fixed rule for an identifier the model does not hold."""

from __future__ import annotations

import json
import math
from typing import Any

import duckdb
import pytest

from watchhouse.domain.identity import (
    COMPARISONS,
    LinkageRecord,
    comparison_level,
    extra_comparison,
    score,
)
from watchhouse.linkage import general
from watchhouse.linkage.fields import FieldSpec
from watchhouse.linkage.model import match_model_from_splink

KINDS = ("identifier", "email", "address", "text")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_the_batch_comparisons_levels(kind: str) -> None:
    batch = general.comparison_for(FieldSpec("x", kind, ("x",))).get_comparison("duckdb")
    levels = [level for level in batch.as_dict()["comparison_levels"]]
    assert levels[0]["is_null_level"]
    online = extra_comparison("x", kind)  # type: ignore[arg-type]
    # The batch's levels after the null level: the online levels, then the else level.
    assert len(levels) - 1 == len(online.levels) + 1
    assert levels[-1]["sql_condition"] == "ELSE"


def _with(name: str, value: str | None) -> LinkageRecord:
    return LinkageRecord(identifiers=() if value is None else ((name, value),))


def _batch_level(kind: str, left: str | None, right: str | None) -> int:
    """The level splink's own SQL puts the pair at, run on DuckDB (-1: null level)."""
    batch = general.comparison_for(FieldSpec("x", kind, ("x",))).get_comparison("duckdb")
    levels = batch.as_dict()["comparison_levels"]
    cases = " ".join(
        f"WHEN {level['sql_condition']} THEN {index - 1}"
        for index, level in enumerate(levels)
        if level["sql_condition"] != "ELSE"
    )
    found = duckdb.execute(
        f'SELECT CASE {cases} ELSE {len(levels) - 2} END FROM (SELECT ?::VARCHAR AS "x_l", '
        '?::VARCHAR AS "x_r")',
        [left, right],
    ).fetchone()
    assert found is not None
    return int(found[0])


@pytest.mark.parametrize(
    ("kind", "left", "right", "level"),
    [
        ("identifier", "190045127K", "190045127K", 0),
        ("identifier", "190045127K", "190045172K", 1),
        ("identifier", "190045127K", "190045128L", 2),
        ("identifier", "190045127K", "200045128L", 3),
        ("identifier", "190045127K", None, -1),
        ("email", "s.m@example.org", "s.m@example.org", 0),
        ("email", "s.m@example.org", "s.m@mail.example", 1),
        ("email", "siobhan.m@example.org", "siobhan.n@example.org", 2),
        ("email", "siobhan.mulcahy@a.org", "siobhan.mulcahey@bbbbbbbbbbbbbbbb.net", 3),
        ("email", "siobhan@example.org", "tk@other.net", 4),
        ("address", "7 mill lane", "7 mill lane", 0),
        ("address", "17 mill lane", "7 mill lane", 1),
        ("address", "7 mill lane", "7 mill road", 2),
        ("address", "7 mill lane", "flat 2 high st", 3),
        ("text", "a", "a", 0),
        ("text", "a", "b", 1),
    ],
)
def test_extra_identifier_levels_as_the_batch_puts_them(
    kind: str, left: str, right: str | None, level: int
) -> None:
    comparison = extra_comparison("x", kind)  # type: ignore[arg-type]
    assert comparison_level(comparison, _with("x", left), _with("x", right)) == level
    assert _batch_level(kind, left, right) == level


def _splink_json(extra: dict[str, Any] | None) -> dict[str, Any]:
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, Any]] = [{"is_null_level": True}]
        levels += [{"m_probability": 0.5, "u_probability": 0.5}] * (len(comparison.levels) + 1)
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    if extra is not None:
        comparisons.append(extra)
    return {"probability_two_random_records_match": 0.001, "comparisons": comparisons}


def test_a_trained_identifier_takes_the_models_weights() -> None:
    trained = {
        "output_column_name": "pnc_id",
        "comparison_levels": [
            {"is_null_level": True},
            {"m_probability": 0.9, "u_probability": 0.0009},
            {"m_probability": 0.05, "u_probability": 0.005},
            {"m_probability": 0.03, "u_probability": 0.03},
            {"m_probability": 0.02, "u_probability": 0.9},
        ],
    }
    model = match_model_from_splink(
        json.loads(json.dumps(_splink_json(trained))), [("pnc_id", "identifier")]
    )
    assert model.bayes_factors["pnc_id"] == pytest.approx((1000, 10, 1, 0.02 / 0.9))
    caller, record = _with("pnc_id", "190045127K"), _with("pnc_id", "190045127K")
    explained = score(model, caller, record)
    prior_weight = math.log2(0.001 / 0.999)
    assert explained.match_weight == pytest.approx(prior_weight + math.log2(1000))
    assert ("pnc_id", "same", pytest.approx(math.log2(1000))) in explained.parts


def test_an_identifier_the_model_lacks_gets_the_fixed_rule() -> None:
    model = match_model_from_splink(
        _splink_json(None),
        [("pnc_id", "identifier"), ("email", "email"), ("address", "address")],
        untrained_exact_weight=20,
    )
    assert model.bayes_factors["pnc_id"] == (2.0**20, 1.0, 1.0, 1.0)
    assert model.bayes_factors["email"] == (2.0**20, 1.0, 1.0, 1.0, 1.0)
    assert model.bayes_factors["address"] == (1.0, 1.0, 1.0, 1.0), "not an exact identifier"
    different = score(model, _with("pnc_id", "190045127K"), _with("pnc_id", "200045128L"))
    assert different.match_weight == pytest.approx(math.log2(0.001 / 0.999)), "no evidence"
