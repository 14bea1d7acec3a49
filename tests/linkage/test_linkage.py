"""The splink side of identity resolution, without a database: records normalised and folded
into signatures, the batch model and the online check scoring pairs alike, and Spark giving
the same answer as DuckDB."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from watchhouse.domain.identity import LinkageRecord, given_name_forms, score
from watchhouse.linkage import model
from watchhouse.linkage.engines import DuckDBEngine, SparkEngine
from watchhouse.linkage.records import normalise, signatures, with_derived
from watchhouse.policy.model import load_policy
from watchhouse.services.identity_files import plan_limits, training_knobs
from watchhouse.synth.generator import SyntheticForce
from watchhouse.synth.profile import load_profile

pytestmark = pytest.mark.linkage


def _raw(rows: list[tuple]) -> pa.Table:
    names = ("record_id", "given_name", "family_name", "date_of_birth", "telephone", "postcode")
    columns = list(zip(*rows, strict=True))
    types = (pa.int64(), pa.string(), pa.string(), pa.date32(), pa.string(), pa.string())
    return pa.table({n: pa.array(c, t) for n, c, t in zip(names, columns, types, strict=True)})


@pytest.fixture(scope="module")
def synthetic_records() -> pa.Table:
    """Contact records of a month of the synthetic force at 5%, as recorded."""
    force = SyntheticForce(
        load_profile("default"), seed=5, scale=0.05, start=date(2024, 5, 1), end=date(2024, 6, 1)
    )
    parts = [tables["contacts"] for tables in force]
    contacts = pa.concat_tables(parts)
    named = contacts.filter(pa.compute.is_valid(contacts.column("caller_family_name")))
    return pa.table(
        {
            "record_id": named.column("id"),
            "given_name": named.column("caller_given_name"),
            "family_name": named.column("caller_family_name"),
            "date_of_birth": named.column("caller_date_of_birth"),
            "telephone": named.column("caller_telephone"),
            "postcode": named.column("caller_postcode"),
        }
    )


@pytest.fixture(scope="module")
def trained(synthetic_records):
    normalised = normalise(synthetic_records)
    records, _ = signatures(normalised)
    policy = load_policy().identity
    engine = DuckDBEngine()
    linker, trained = model.train(
        engine,
        records,
        training_records=with_derived(normalised),
        plan=model.store_plan(records, plan_limits(policy)),
        knobs=training_knobs(policy),
    )
    yield records, linker, trained
    engine.close()


def test_records_are_normalised_and_identical_ones_folded():
    raw = _raw(
        [
            (1, "Bob", " Hamilton ", date(1980, 3, 4), "07700 900123", "wh36jp"),
            (2, "bob", "HAMILTON", date(1980, 3, 4), "+44 7700 900123", "WH3 6JP"),
            (3, "Robert", "Hamilton", None, "not a number", "nowhere"),
        ]
    )
    records = normalise(raw)
    assert records.column("telephone").to_pylist() == ["+447700900123", "+447700900123", None]
    assert records.column("postcode").to_pylist() == ["WH3 6JP", "WH3 6JP", None]
    assert records.column("date_text").to_pylist() == ["1980-03-04", "1980-03-04", None]
    table, signature_of = signatures(records)
    assert table.num_rows == 2
    assert signature_of[0] == signature_of[1] != signature_of[2]
    first = table.to_pylist()[int(signature_of[0])]
    assert first["given_forms"] == ["bob", "robert"]
    assert (first["postcode_sector"], first["postcode_district"]) == ("WH3 6", "WH3")


def test_a_record_without_the_needed_columns_is_refused():
    with pytest.raises(ValueError, match="lack the columns \\['postcode'\\]"):
        normalise(_raw([(1, "a", "b", None, None, None)]).drop_columns(["postcode"]))


def test_the_online_check_scores_pairs_exactly_as_splink_does(trained):
    records, linker, fitted = trained
    rows = records.to_pylist()
    rng = np.random.default_rng(3)
    left = [rows[int(i)] for i in rng.integers(0, len(rows), 60)]
    # Pairs that reach the interesting levels: the same record with one detail changed.
    variants = []
    for row in left[:30]:
        changed = dict(row)
        if row["date_text"]:
            y, m, d = row["date_text"].split("-")
            changed["date_text"] = (
                f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{int(d) % 9 + 1:02d}"
            )
        if row["given_name"]:
            changed["given_name"] = row["given_name"][:-1] + "x"
            changed["given_forms"] = sorted(given_name_forms(changed["given_name"]))
        variants.append(changed)
    right = [rows[int(i)] for i in rng.integers(0, len(rows), 30)] + variants
    scored = linker.inference.score_pairs(left[:30], right[:30]).as_pyarrow_table()
    scored_variants = [
        linker.inference.score_pair(a, b).as_pyarrow_table().to_pylist()[0]
        for a, b in zip(left[:30], variants, strict=True)
    ]
    by_id = {r["unique_id"]: r for r in rows}

    def as_record(row: dict) -> LinkageRecord:
        return LinkageRecord(
            row["given_name"],
            row["family_name"],
            date.fromisoformat(row["date_text"]) if row["date_text"] else None,
            row["telephone"],
            row["postcode"],
        )

    checked = 0
    for pair in scored.to_pylist():
        ours = score(
            fitted.match_model,
            as_record(by_id[pair["unique_id_l"]]),
            as_record(by_id[pair["unique_id_r"]]),
        )
        assert ours.match_weight == pytest.approx(pair["match_weight"], abs=1e-6)
        checked += 1
    for original, changed, pair in zip(left[:30], variants, scored_variants, strict=True):
        ours = score(fitted.match_model, as_record(original), as_record(changed))
        assert ours.match_weight == pytest.approx(pair["match_weight"], abs=1e-6)
        checked += 1
    assert checked == 30 * 30 + 30


def test_the_trained_model_is_stored_as_splink_json_and_reloads(trained):
    records, _linker, fitted = trained
    text = model.dumps(fitted)
    engine = DuckDBEngine()
    try:
        reloaded = model.load(engine, records, json.loads(text))
        again = model.match_model_from_splink(json.loads(text))
        assert again == fitted.match_model
        assert model.predict(reloaded, threshold=0.99).num_rows > 0
    finally:
        engine.close()


@pytest.mark.spark
def test_spark_finds_the_same_pairs_as_duckdb(trained):
    records, linker, fitted = trained
    duck = model.predict(linker, threshold=0.5)
    engine = SparkEngine(cores=2)
    try:
        spark_linker = model.load(engine, records, fitted.splink_json)
        sparked = model.predict(spark_linker, threshold=0.5)
    finally:
        engine.close()

    def pairs(table: pa.Table) -> dict[tuple[int, int], float]:
        return {
            (int(a), int(b)): float(w)
            for a, b, w in zip(
                table.column("unique_id_l").to_pylist(),
                table.column("unique_id_r").to_pylist(),
                table.column("match_weight").to_pylist(),
                strict=True,
            )
        }

    duck_pairs, spark_pairs = pairs(duck), pairs(sparked)
    assert duck_pairs.keys() == spark_pairs.keys()
    assert len(duck_pairs) > 100
    for key, weight in duck_pairs.items():
        assert spark_pairs[key] == pytest.approx(weight, abs=1e-6)
