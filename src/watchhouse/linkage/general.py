"""The linkage engine for any person records: splink comparisons chosen by field kind (from
splink's comparison library, with term-frequency adjustments on names and postcodes), a plan
chosen from what the records hold (linkage/fields.py), training on the records as they are
(not on folded copies, which would bias the prior), and every splink error turned into a
message that says what went wrong and what would help."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator

from watchhouse.linkage.engines import Engine
from watchhouse.linkage.fields import (
    Block,
    FieldSpec,
    LinkagePlan,
    TrainingKnobs,
    UnlinkableRecords,
)
from watchhouse.linkage.prepare import DISTRICT_SUFFIX, SECTOR_SUFFIX

LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Trained:
    """A trained model (splink's JSON), its prior, and what the training could not learn."""

    splink_json: dict[str, Any]
    prior: float
    notes: tuple[str, ...]


def comparison_for(spec: FieldSpec, *, uk_postcodes: bool = False) -> ComparisonCreator:
    """splink's comparison for a field of this kind (levels from closest to different)."""
    name = spec.name
    kind = spec.kind
    if kind in ("given_name", "family_name", "full_name"):
        return cl.NameComparison(name).configure(term_frequency_adjustments=True)
    if kind == "date_of_birth":
        return cl.DateOfBirthComparison(name, input_is_string=True, datetime_format="%Y-%m-%d")
    if kind == "telephone":
        return cl.ExactMatch(name).configure(term_frequency_adjustments=True)
    if kind == "postcode":
        levels: list[Any] = [
            cll.NullLevel(name),
            cll.ExactMatchLevel(name, term_frequency_adjustments=True),
        ]
        if uk_postcodes:
            levels.append(
                cll.ExactMatchLevel(name + SECTOR_SUFFIX).configure(label_for_charts="same sector")
            )
            levels.append(
                cll.ExactMatchLevel(name + DISTRICT_SUFFIX).configure(
                    label_for_charts="same district"
                )
            )
        levels.append(cll.DamerauLevenshteinLevel(name, 1))
        levels.append(cll.ElseLevel())
        return cl.CustomComparison(levels, output_column_name=name)
    if kind == "address":
        return cl.JaroWinklerAtThresholds(name, [0.95, 0.88]).configure(
            term_frequency_adjustments=True
        )
    if kind == "email":
        return cl.EmailComparison(name)
    if kind == "identifier":
        return cl.DamerauLevenshteinAtThresholds(name, [1, 2])
    return cl.ExactMatch(name).configure(term_frequency_adjustments=True)


def comparisons_for(specs: Sequence[FieldSpec], prepared: pa.Table) -> list[ComparisonCreator]:
    """One comparison per field; postcode fields get sector and district levels only when the
    records hold UK postcodes."""
    out = []
    for spec in specs:
        uk = False
        if spec.kind == "postcode":
            uk = prepared.column(spec.name + SECTOR_SUFFIX).null_count < prepared.num_rows
        out.append(comparison_for(spec, uk_postcodes=uk))
    return out


def _rule(block: Block | tuple[str, ...]) -> Any:
    fields = block.fields if isinstance(block, Block) else block
    return block_on(*fields)


def _settings(
    comparisons: Sequence[ComparisonCreator | dict[str, Any]],
    plan: LinkagePlan,
    link_type: LinkType,
) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=list(comparisons),
        blocking_rules_to_generate_predictions=[_rule(b) for b in plan.prediction],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def quiet() -> None:
    """Keep splink's and Spark's log lines off the user's terminal."""
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _sample(table: pa.Table, limit: int, seed: int) -> pa.Table:
    if table.num_rows <= limit:
        return table
    picked = np.sort(np.random.default_rng(seed).choice(table.num_rows, limit, replace=False))
    return table.take(pa.array(picked))


def _register(engine: Engine, tables: Sequence[pa.Table], name: str) -> Any:
    frames = [engine.register(t, f"{name}_{i}") for i, t in enumerate(tables)]
    return frames[0] if len(frames) == 1 else frames


def train(
    engine: Engine,
    tables: Sequence[pa.Table],
    comparisons: Sequence[ComparisonCreator | dict[str, Any]],
    plan: LinkagePlan,
    knobs: TrainingKnobs,
    *,
    link_type: LinkType = "dedupe_only",
    say: Say | None = None,
    dates_of_birth: Sequence[str] = (),
) -> Trained:
    """Train on the records as recorded (a uniform sample of at most
    `training_sample_records` per table, so the prior and m values are not biased by folding):
    the prior from the plan's near-certain rules and the policy's recall, u by random sampling,
    m by expectation maximisation on each of the plan's training blocks (a block that gives no
    pairs or fails is skipped and noted); the "different" level of each comparison named in
    `dates_of_birth` is then capped (`cap_different`)."""
    tell = say or (lambda _message: None)
    quiet()
    notes: list[str] = list(plan.notes)
    sampled = [_sample(t, knobs.training_sample_records, knobs.seed) for t in tables]
    frame = _register(engine, sampled, "training_records")
    linker = Linker(frame, _settings(comparisons, plan, link_type), log_level=None)
    rules = [_rule(r) for r in plan.prior_rules]
    described = "; ".join(" + ".join(r) for r in plan.prior_rules)
    tell(f"estimating how often two records are one person (rules: {described})")
    try:
        linker.training.estimate_probability_two_random_records_match(
            rules, recall=knobs.prior_recall
        )
    except Exception as error:  # splink raises plain ValueErrors and backend errors
        raise UnlinkableRecords(
            f"could not estimate how often two records match from the rules {described}: "
            f"{error}. Raise identity.prior_recall or map a more distinguishing field"
        ) from error
    prior = float(linker.misc.save_model_to_json()["probability_two_random_records_match"])
    if prior <= 0:
        raise UnlinkableRecords(
            f"no two records agree on {described}, so nothing says how often records match; "
            "map a field that records of one person share exactly (an identifier, a date of "
            "birth with names, a telephone number)"
        )
    tell("estimating u (how often values agree by chance)")
    try:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=knobs.u_sample_pairs, seed=knobs.seed
        )
    except Exception as error:
        raise UnlinkableRecords(
            f"could not sample random pairs of records to learn chance agreement: {error}"
        ) from error
    columns_of = dict(_columns_of(c) for c in comparisons)
    every = set(columns_of)
    learnt: set[str] = set()
    failures: list[str] = []
    for block in plan.training:
        learns = {c for c, columns in columns_of.items() if not columns & set(block.fields)}
        if not learns - learnt:
            continue
        label = " + ".join(block.fields)
        tell(f"estimating m by expectation maximisation, blocking on {label}")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                _rule(block),
                estimate_without_term_frequencies=True,
                max_pairs=knobs.training_max_pairs
                if block.pairs > knobs.training_max_pairs
                else None,
            )
        except Exception as error:
            failures.append(f"training blocked on {label} skipped: {error}")
            continue
        learnt |= learns
        # A level never seen among this session's matches gets m = 0, which would veto every
        # pair at that level in the next session; floor it before going on.
        floored = _floor_m(linker.misc.save_model_to_json(), knobs.m_floor)
        linker = Linker(frame, floored, log_level=None)
        if learnt >= every:
            break
    notes.extend(failures)
    if not learnt:
        raise UnlinkableRecords(
            "no training block could be used ("
            + "; ".join(failures)
            + "); map a field that records of one person usually share, such as a date of "
            "birth or a postcode"
        )
    splink_json, capped = cap_different(
        linker.misc.save_model_to_json(), dates_of_birth, knobs.date_of_birth_different_m_max
    )
    notes.extend(capped)
    splink_json, neutral = neutral_untrained(splink_json)
    notes.extend(f"never seen among matches, counts neither way: {n}" for n in neutral)
    notes.extend(f"{f}: not learnt by any training block" for f in sorted(every - learnt))
    return Trained(splink_json, prior, tuple(notes))


def _columns_of(comparison: ComparisonCreator | dict[str, Any]) -> tuple[str, set[str]]:
    """A comparison's name and the columns it reads (a block on any of them cannot learn
    it)."""
    made = (
        comparison.get_comparison("duckdb")
        if isinstance(comparison, ComparisonCreator)
        else cl.CustomComparison(comparison["comparison_levels"]).get_comparison("duckdb")
    )
    columns = {c.input_name for c in made._input_columns_used_by_case_statement}
    return str(made.output_column_name), columns


def _floor_m(splink_json: dict[str, Any], floor: float) -> dict[str, Any]:
    for comparison in splink_json["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if isinstance(m, float) and m < floor:
                level["m_probability"] = floor
    return splink_json


def cap_different(
    splink_json: dict[str, Any], names: Sequence[str], cap: float
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Hold the m of the "different" (last) level of the named comparisons to at most `cap`
    (a level never seen among matches gets `cap` too), the other levels' m scaled to keep
    their sum. Expectation maximisation on records where family members share a name, a
    number and an address learns households as well as people, and so finds many "matches"
    whose dates of birth differ: without the cap a son of his father's name and number joins
    his father. Returns the model and a note per level changed."""
    notes = []
    for comparison in splink_json["comparisons"]:
        if comparison["output_column_name"] not in names:
            continue
        levels = [x for x in comparison["comparison_levels"] if not x.get("is_null_level")]
        different = levels[-1]
        m = float(different.get("m_probability") or 0.0)
        if 0 < m <= cap:
            continue
        others = sum(float(x.get("m_probability") or 0.0) for x in levels[:-1])
        total = others + m
        different["m_probability"] = cap
        if others > 0 and total > cap:
            for level in levels[:-1]:
                level["m_probability"] = float(level.get("m_probability") or 0.0) * (
                    (total - cap) / others
                )
        said = "never seen" if m == 0 else f"{m:.3g}"
        notes.append(
            f"{comparison['output_column_name']}: different: m {said} among matches held to "
            f"{cap:g} (date_of_birth_different_m_max)"
        )
    return splink_json, tuple(notes)


def neutral_untrained(splink_json: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Levels the training never saw carry no evidence either way (m = u). Returns the model
    and those levels ("comparison: level")."""
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


def score(
    engine: Engine,
    tables: Sequence[pa.Table],
    trained: Trained,
    *,
    threshold: float,
) -> pa.Table:
    """Scored candidate pairs (unique_id_l, unique_id_r, match_probability) at or above the
    threshold, on these (folded) records with the trained model."""
    quiet()
    frame = _register(engine, tables, "scored_records")
    try:
        linker = Linker(frame, trained.splink_json, log_level=None)
        pairs = linker.inference.predict(threshold_match_probability=threshold)
        table: pa.Table = pairs.as_pyarrow_table()  # type: ignore[no-untyped-call]
    except Exception as error:
        raise UnlinkableRecords(f"scoring the candidate pairs failed: {error}") from error
    table = table.select(["unique_id_l", "unique_id_r", "match_probability"])
    return table.set_column(
        0, "unique_id_l", pc.cast(table.column("unique_id_l"), pa.int64())
    ).set_column(1, "unique_id_r", pc.cast(table.column("unique_id_r"), pa.int64()))
