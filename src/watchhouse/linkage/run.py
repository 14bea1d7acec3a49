"""One linkage of person records from end to end: prepare each field, profile it, choose the
plan, train on the records as they are, score folded records (identical records once each, a
speed-up only), and cluster. Used by `watchhouse identity link-file` and the public benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.linkage import general
from watchhouse.linkage.clustering import cluster
from watchhouse.linkage.engines import Engine
from watchhouse.linkage.fields import (
    FieldSpec,
    LinkagePlan,
    PlanLimits,
    TrainingKnobs,
    choose_plan,
)
from watchhouse.linkage.prepare import prepare, profile


@dataclass(frozen=True)
class LinkResult:
    """Each input record's cluster (one array per input table, labels shared across them),
    how many distinct records were scored, how many pairs reached the threshold, the plan and
    notes on what the training could not do."""

    clusters: list[np.ndarray]
    distinct: int
    pairs: int
    plan: LinkagePlan
    prior: float
    notes: tuple[str, ...]


def fold(prepared: pa.Table, columns: Sequence[str]) -> tuple[pa.Table, np.ndarray]:
    """The distinct records (first of each, with a `unique_id` from 0) and, for each record,
    the unique_id of its distinct record."""
    filled = [pc.fill_null(pc.cast(prepared.column(c), pa.string()), "\x00") for c in columns]
    joined = pc.binary_join_element_wise(*filled, "\x1f") if len(filled) > 1 else filled[0]
    encoded = pc.dictionary_encode(joined)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    signature_of = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    _values, first = np.unique(signature_of, return_index=True)
    distinct = prepared.take(pa.array(first))
    return distinct.append_column("unique_id", pa.array(np.arange(len(first)), pa.int64())), (
        signature_of
    )


def link_tables(
    engine: Engine,
    raw_tables: Sequence[pa.Table],
    specs: Sequence[FieldSpec],
    *,
    knobs: TrainingKnobs,
    limits: PlanLimits,
    threshold: float,
    region: str,
    link_only: bool = False,
    say: general.Say | None = None,
) -> LinkResult:
    """Link one table (de-duplicate), or two: across and within them, or with `link_only`
    across them only."""
    tell = say or (lambda _message: None)
    if link_only and len(raw_tables) != 2:
        raise ValueError("linking only across files needs exactly two files")
    tell("preparing fields")
    prepared = [prepare(t, specs, region=region) for t in raw_tables]
    combined = pa.concat_tables(prepared)
    fields = [s.name for s in specs]
    profiles, joint = profile(combined, specs)
    plan = choose_plan(profiles, combined.num_rows, limits, joint)
    link_type: general.LinkType = (
        "link_only" if link_only else "link_and_dedupe" if len(raw_tables) > 1 else "dedupe_only"
    )
    comparisons = general.comparisons_for(specs, combined)
    offsets = np.cumsum([0, *[t.num_rows for t in prepared]])
    training = [
        t.append_column("unique_id", pa.array(np.arange(t.num_rows) + offsets[i], pa.int64()))
        for i, t in enumerate(prepared)
    ]
    trained = general.train(
        engine,
        training,
        comparisons,
        plan,
        knobs,
        link_type=link_type,
        say=tell,
    )
    tell("folding identical records and scoring candidate pairs")
    folded: list[pa.Table] = []
    node_of: list[np.ndarray] = []
    start = 0
    for table in prepared:
        distinct, signature_of = fold(table, fields)
        ids = pc.add(distinct.column("unique_id"), start)
        folded.append(distinct.set_column(distinct.num_columns - 1, "unique_id", ids))
        node_of.append(signature_of + start)
        start += distinct.num_rows
    pairs = general.score(engine, folded, trained, threshold=threshold)
    tell(f"clustering {pairs.num_rows:,} pairs")
    labels = cluster(
        start,
        pairs.column("unique_id_l").to_numpy(),
        pairs.column("unique_id_r").to_numpy(),
        pairs.column("match_probability").to_numpy().astype(np.float64),
        threshold=threshold,
    )
    return LinkResult(
        [labels[n] for n in node_of], start, pairs.num_rows, plan, trained.prior, trained.notes
    )
