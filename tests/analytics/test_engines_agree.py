"""DuckDB and Spark (local mode) give the same value for every measure, period and cut on a
small synthetic force."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from watchhouse.analytics import tables
from watchhouse.analytics.catalogue import Cut, Period, specs
from watchhouse.analytics.engine import MeasureEngine
from watchhouse.analytics.model import MeasureParams
from watchhouse.services.synth import SynthRequest, synth_to_parquet

pytestmark = pytest.mark.spark

AS_OF_US = 1_712_000_000 * 1_000_000  # 1 April 2024, about 19:33 UTC


@pytest.fixture(scope="module")
def small_force(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Two months of the default force at 1% scale, as the snapshot would hold it."""
    pytest.importorskip("pyspark")
    out = tmp_path_factory.mktemp("synth")
    synth_to_parquet(
        SynthRequest(start=date(2024, 1, 1), end=date(2024, 3, 1), scale=0.01, seed=5), out
    )
    return dict(tables.read_tables(Path(out), timezone="Europe/London"))


def test_duckdb_and_spark_agree_on_every_measure_and_cut(small_force: dict[str, object]) -> None:
    params = MeasureParams(as_of_us=AS_OF_US)
    results = {}
    for name in ("duckdb", "spark"):
        with MeasureEngine(small_force, engine=name) as engine:  # type: ignore[arg-type]
            table = engine.compute_table(
                specs(),
                params,
                periods=list(Period),
                cuts=list(Cut),
                start=date(2024, 1, 1),
                end=date(2024, 2, 29),
            )
        rows = table.to_pylist()
        results[name] = {
            (r["measure"], r["period"], r["period_start"], r["cut"], r["cut_value"]): (
                r["value"],
                r["numerator"],
                r["denominator"],
            )
            for r in rows
        }
    duck, spark = results["duckdb"], results["spark"]
    assert len(duck) > 1000
    assert duck.keys() == spark.keys()
    measured = {key[0] for key in duck}
    assert measured == {s.key for s in specs()} - {
        "first_contact.plans_opened",  # the synthetic force opens no problem-solving plans
        "first_contact.plans_overdue",
    }
    for key, expected in duck.items():
        for mine, theirs in zip(expected, spark[key], strict=True):
            if mine is None or theirs is None:
                assert mine == theirs, key
            else:
                assert math.isclose(mine, theirs, rel_tol=1e-12, abs_tol=1e-12), key
