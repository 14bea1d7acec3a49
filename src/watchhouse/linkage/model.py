"""The splink model: settings made from the comparisons in domain/identity.py, trained without
labels on the force's own records (u by random sampling, m by expectation maximisation), then
used to score the candidate pairs that the blocking rules let through."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from watchhouse.domain.identity import (
    COMPARISONS,
    Comparison,
    ExtraKind,
    Level,
    MatchModel,
    extra_comparison,
    untrained_factors,
)
from watchhouse.linkage import general
from watchhouse.linkage.engines import Engine
from watchhouse.linkage.fields import (
    FieldSpec,
    LinkagePlan,
    PlanLimits,
    TrainingKnobs,
    choose_plan,
)
from watchhouse.linkage.prepare import profile

# The store's contact records as fields of the general linkage (linkage/fields.py): the plan
# (blocking, training blocks, prior rules) is chosen from what these columns hold.
STORE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("given_name", "given_name", ("given_name",)),
    FieldSpec("family_name", "family_name", ("family_name",)),
    FieldSpec("date_text", "date_of_birth", ("date_text",)),
    FieldSpec("telephone", "telephone", ("telephone",)),
    FieldSpec("postcode", "postcode", ("postcode",)),
)


def store_plan(
    signature_table: pa.Table, limits: PlanLimits, extra: Sequence[FieldSpec] = ()
) -> LinkagePlan:
    """The plan for the store's records (with the force's `extra` identifiers), from the
    profile of the distinct records."""
    profiles, joint = profile(signature_table, [*STORE_FIELDS, *extra])
    return choose_plan(profiles, signature_table.num_rows, limits, joint)


_RULE_COLUMN = re.compile(r'l\."?([A-Za-z_]+)"?\s*=')


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
    rules: list[Any] | None = None,
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
        blocking_rules_to_generate_predictions=rules or [block_on("telephone")],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        **extra,
    )


def train(
    engine: Engine,
    records: pa.Table,
    *,
    training_records: pa.Table,
    plan: LinkagePlan,
    knobs: TrainingKnobs,
    tell: Callable[[str], None] | None = None,
    extra: Sequence[FieldSpec] = (),
) -> tuple[Linker, TrainedModel]:
    """Train the model on the records as recorded (`training_records`, not folded, so that
    the prior is not biased) with the plan's prior rules and training blocks, and return a
    linker over the distinct `records` (signatures) with the trained model. The force's
    `extra` identifiers are compared as their kind is in any file (linkage/general.py); the
    online check uses the five comparisons of domain/identity.py only."""
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        _splink_comparison(c) for c in COMPARISONS
    ]
    comparisons.extend(general.comparison_for(spec) for spec in extra)
    fitted = general.train(
        engine,
        [training_records],
        comparisons,
        plan,
        knobs,
        say=tell,
        dates_of_birth=("date_of_birth",),
    )
    splink_json = fitted.splink_json
    frame = engine.register(records, "identity_records")
    trained = Linker(frame, splink_json, log_level=None)
    neutral = tuple(n.split(": ", 1)[1] for n in fitted.notes if n.startswith("never seen"))
    return trained, TrainedModel(splink_json, match_model_from_splink(splink_json), neutral)


def load(engine: Engine, records: pa.Table, splink_json: dict[str, Any]) -> Linker:
    """A linker over these records with an already trained model, on any engine: the model's
    m and u values are put on the comparisons defined here, so that a model trained on DuckDB
    runs on Spark (splink's own JSON holds SQL in the dialect it was trained on)."""
    general.quiet()
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
    # The stored rules are SQL in the training engine's dialect: rebuild them from their
    # columns so they run on any engine.
    rules = [
        block_on(*_RULE_COLUMN.findall(rule["blocking_rule"] if isinstance(rule, dict) else rule))
        for rule in splink_json["blocking_rules_to_generate_predictions"]
    ]
    trained = settings(
        comparisons, float(splink_json["probability_two_random_records_match"]), rules
    )
    return Linker(engine.register(records, "identity_records"), trained, log_level=None)


def predict(linker: Linker, *, threshold: float) -> pa.Table:
    """Scored candidate pairs at or above a match probability: unique_id_l, unique_id_r,
    match_weight, match_probability."""
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    table: pa.Table = pairs.as_pyarrow_table()  # type: ignore[no-untyped-call]
    return table.select(["unique_id_l", "unique_id_r", "match_weight", "match_probability"])


def match_model_from_splink(
    splink_json: dict[str, Any],
    extras: Sequence[tuple[str, ExtraKind]] = (),
    *,
    untrained_exact_weight: float = 20.0,
) -> MatchModel:
    """The online check's weights from a trained splink model: m/u per level, null levels
    left out, in the order of domain/identity.py, then the force's `extras` (name, kind)
    compared as the batch compares them. An extra the model does not hold (declared after the
    run, or never seen in its records) gets the fixed rule of `untrained_factors`."""
    by_name = {c["output_column_name"]: c for c in splink_json["comparisons"]}
    factors: dict[str, tuple[float, ...]] = {}
    for comparison in COMPARISONS:
        factors[comparison.name] = _factors(by_name[comparison.name])
    compared = []
    for name, kind in extras:
        extra = extra_comparison(name, kind)
        stored = by_name.get(name)
        trained = None if stored is None else _factors(stored)
        if trained is None or len(trained) != len(extra.levels) + 1:
            trained = untrained_factors(extra, kind, untrained_exact_weight)
        factors[name] = trained
        compared.append(extra)
    return MatchModel(
        float(splink_json["probability_two_random_records_match"]), factors, tuple(compared)
    )


def _factors(comparison: dict[str, Any]) -> tuple[float, ...]:
    levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
    return tuple(_bayes_factor(level) for level in levels)


def _bayes_factor(level: dict[str, Any]) -> float:
    return float(level["m_probability"]) / float(level["u_probability"])


def dumps(model: TrainedModel) -> str:
    """The trained model as JSON text, for the store."""
    return json.dumps(model.splink_json, sort_keys=True)
