"""The splink model: settings made from the comparisons in domain/identity.py, trained without
labels on the force's own records (u by random sampling, m by expectation maximisation), then
used to score the candidate pairs that the blocking rules let through."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from watchhouse.domain.identity import COMPARISONS, Comparison, Level, MatchModel
from watchhouse.linkage.engines import Engine

# Candidate pairs: records that share a telephone number, or a name and a date of birth,
# or a date of birth and a postcode... Each rule lets through far fewer than all pairs.
PREDICTION_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("telephone",),
    ("family_name", "date_text"),
    ("given_name", "date_text"),
    ("date_text", "postcode"),
    ("family_name", "postcode"),
    ("given_name", "family_name", "postcode_district"),
)
# Pairs that are almost surely the same person, to estimate how often two records match.
DETERMINISTIC_RULES = (
    "l.family_name = r.family_name and l.given_name = r.given_name and l.date_text = r.date_text",
    "l.telephone = r.telephone and l.given_name = r.given_name and l.family_name = r.family_name",
)
DETERMINISTIC_RECALL = 0.6
# Expectation maximisation sessions: each fixes some comparisons and learns the others.
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("telephone",),
    ("family_name", "date_text"),
    ("postcode", "given_name"),
)
U_SAMPLE_PAIRS = 2_000_000


@dataclass(frozen=True)
class TrainedModel:
    """A trained model: splink's own JSON (to re-load it) and the weights the online check
    uses."""

    splink_json: dict[str, Any]
    match_model: MatchModel
    neutral_levels: tuple[str, ...] = ()


def _splink_level(level: Level) -> ComparisonLevelCreator:
    if level.kind == "exact":
        return cll.ExactMatchLevel(level.column).configure(label_for_charts=level.label)
    if level.kind == "shares_form":
        return cll.ArrayIntersectLevel(level.column, 1).configure(label_for_charts=level.label)
    if level.kind == "jaro_winkler":
        return cll.JaroWinklerLevel(level.column, level.threshold).configure(
            label_for_charts=level.label
        )
    if level.kind == "edit_distance":
        return cll.DamerauLevenshteinLevel(level.column, int(level.threshold)).configure(
            label_for_charts=level.label
        )
    column = level.column
    return cll.CustomLevel(
        f"substr({column}_l, 1, 4) = substr({column}_r, 1, 4) "
        f"AND substr({column}_l, 6, 2) = substr({column}_r, 9, 2) "
        f"AND substr({column}_l, 9, 2) = substr({column}_r, 6, 2)",
        label_for_charts=level.label,
    )


def _splink_levels(comparison: Comparison) -> list[ComparisonLevelCreator | dict[str, Any]]:
    levels: list[ComparisonLevelCreator | dict[str, Any]] = [cll.NullLevel(comparison.columns[0])]
    levels.extend(_splink_level(level) for level in comparison.levels)
    levels.append(cll.ElseLevel())
    return levels


def _splink_comparison(comparison: Comparison) -> cl.CustomComparison:
    return cl.CustomComparison(_splink_levels(comparison), output_column_name=comparison.name)


def settings(
    comparisons: list[ComparisonCreator | dict[str, Any]] | None = None,
    prior: float | None = None,
) -> SettingsCreator:
    """splink settings for deduplicating person records (untrained unless the comparisons
    carry m and u and the prior is given)."""
    extra: dict[str, Any] = {}
    if prior is not None:
        extra["probability_two_random_records_match"] = prior
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons or [_splink_comparison(c) for c in COMPARISONS],
        blocking_rules_to_generate_predictions=[block_on(*b) for b in PREDICTION_BLOCKS],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        **extra,
    )


def _quiet() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def train(
    engine: Engine, records: pa.Table, *, seed: int, tell: Callable[[str], None] | None = None
) -> tuple[Linker, TrainedModel]:
    """Train the model on these records (signatures with their derived columns)."""
    say = tell or (lambda _message: None)
    _quiet()
    frame = engine.register(records, "identity_records")
    linker = Linker(frame, settings(), log_level=None)
    say("estimating how often two records are the same person")
    linker.training.estimate_probability_two_random_records_match(
        list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
    )
    say("estimating u (how often values agree by chance)")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    for block in TRAINING_BLOCKS:
        say(f"estimating m by expectation maximisation, blocking on {' + '.join(block)}")
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*block))
    splink_json, neutral = _untrained_levels_neutral(linker.misc.save_model_to_json())
    trained = Linker(frame, splink_json, log_level=None)
    return trained, TrainedModel(splink_json, match_model_from_splink(splink_json), neutral)


def load(engine: Engine, records: pa.Table, splink_json: dict[str, Any]) -> Linker:
    """A linker over these records with an already trained model, on any engine: the model's
    m and u values are put on the comparisons defined here, so that a model trained on DuckDB
    runs on Spark (splink's own JSON holds SQL in the dialect it was trained on)."""
    _quiet()
    by_name = {c["output_column_name"]: c for c in splink_json["comparisons"]}
    comparisons: list[ComparisonCreator | dict[str, Any]] = []
    for comparison in COMPARISONS:
        stored = by_name[comparison.name]["comparison_levels"]
        levels = _splink_levels(comparison)
        if len(levels) != len(stored):
            raise ValueError(f"the stored model does not fit the {comparison.name} comparison")
        for level_creator, level in zip(levels, stored, strict=True):
            if isinstance(level_creator, ComparisonLevelCreator) and not level.get("is_null_level"):
                level_creator.configure(
                    m_probability=level["m_probability"], u_probability=level["u_probability"]
                )
        comparisons.append(cl.CustomComparison(levels, output_column_name=comparison.name))
    trained = settings(comparisons, float(splink_json["probability_two_random_records_match"]))
    return Linker(engine.register(records, "identity_records"), trained, log_level=None)


def _untrained_levels_neutral(
    splink_json: dict[str, Any],
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Levels the training never saw (for example postcodes in the same district but another
    sector, if nobody in the records moved) carry no evidence either way: m = u. Returns the
    model and those levels ("comparison: level")."""
    neutral = []
    for comparison in splink_json["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            u = level.get("u_probability")
            if not level.get("m_probability") or not u:
                level["m_probability"] = u or 0.5
                level["u_probability"] = u or 0.5
                label = level.get("label_for_charts", level.get("sql_condition", "?"))
                neutral.append(f"{comparison['output_column_name']}: {label}")
    return splink_json, tuple(neutral)


def predict(linker: Linker, *, threshold: float) -> pa.Table:
    """Scored candidate pairs at or above a match probability: unique_id_l, unique_id_r,
    match_weight, match_probability."""
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    table: pa.Table = pairs.as_pyarrow_table()  # type: ignore[no-untyped-call]
    return table.select(["unique_id_l", "unique_id_r", "match_weight", "match_probability"])


def match_model_from_splink(splink_json: dict[str, Any]) -> MatchModel:
    """The online check's weights from a trained splink model: m/u per level, null levels
    left out, in the order of domain/identity.py."""
    by_name = {c["output_column_name"]: c for c in splink_json["comparisons"]}
    factors: dict[str, tuple[float, ...]] = {}
    for comparison in COMPARISONS:
        levels = [
            level
            for level in by_name[comparison.name]["comparison_levels"]
            if not level.get("is_null_level")
        ]
        factors[comparison.name] = tuple(_bayes_factor(level) for level in levels)
    return MatchModel(float(splink_json["probability_two_random_records_match"]), factors)


def _bayes_factor(level: dict[str, Any]) -> float:
    return float(level["m_probability"]) / float(level["u_probability"])


def dumps(model: TrainedModel) -> str:
    """The trained model as JSON text, for the store."""
    return json.dumps(model.splink_json, sort_keys=True)
