"""One engine class that runs measure SQL on DuckDB (in this process, the default) or on Spark
in local mode (the optional extra). Neither installs or loads an extension or downloads
anything: the tables are handed over as Arrow, so DuckDB needs only its core."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.analytics.dialect import ENGINES, EngineName, to_dialect
from watchhouse.analytics.measures.facts import FACTS
from watchhouse.analytics.model import (
    Additive,
    Cut,
    Kind,
    MeasureParams,
    MeasureSpec,
    MeasureValue,
    Period,
)
from watchhouse.analytics.periods import (
    PeriodSpan,
    calendar_table,
    span_at,
    spans,
    working_days_table,
)
from watchhouse.analytics.results import RESULT, fill, tidy
from watchhouse.analytics.sql import (
    additive_batches,
    aggregate_sql,
    any_valid,
    batch_sql,
    record_fields,
    records_sql,
)

Row = tuple[Any, ...]


class MeasureEngine:
    """Runs measures over prepared tables (see analytics/tables.py) on DuckDB or Spark."""

    def __init__(self, tables: Mapping[str, pa.Table], *, engine: EngineName = "duckdb") -> None:
        """Load the tables into the engine (DuckDB copies them into memory; Spark as views)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown measures engine {engine!r}: choose {' or '.join(ENGINES)}")
        self.name: EngineName = engine
        self._scratch = tempfile.TemporaryDirectory(prefix=f"watchhouse-measures-{engine}-")
        self._duck: duckdb.DuckDBPyConnection | None = None
        self._spark: Any = None
        if engine == "duckdb":
            self._duck = duckdb.connect(
                ":memory:",
                config={
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                    "temp_directory": self._scratch.name,
                    "threads": os.cpu_count() or 1,
                },
            )
        else:
            self._spark = _spark_session()
        for name, table in tables.items():
            self.load(name, table)
        for name, sql in FACTS.items():
            self.materialise(name, sql)
        self._tables = tables
        self._derived: dict[str, str] = {}
        self._workdays_as_of: date | None = None

    def load(self, name: str, table: pa.Table) -> None:
        """Make a table available to the SQL under a name (replacing any of that name)."""
        if self._duck is not None:
            # A view over the Arrow table (no copy): the facts are built from it once.
            self._duck.register(name, table)
        else:
            frame = self._spark.createDataFrame(table, schema=_spark_schema(table))
            frame.createOrReplaceTempView(name)

    def materialise(self, name: str, sql: str) -> None:
        """Keep a query's result as a table for the measures (facts are built once)."""
        if self._duck is not None:
            self._duck.execute(f'CREATE OR REPLACE TABLE "{name}" AS {sql}')
        else:
            frame = self._spark.sql(to_dialect(sql, "spark")).cache()
            frame.createOrReplaceTempView(name)

    def _derive(self, spec: MeasureSpec, params: MeasureParams) -> None:
        """Build the policy-dependent tables a measure reads, unless already built alike."""
        for name, sql in spec.derived(params) if spec.derived else ():
            if self._derived.get(name) != sql:
                self.materialise(name, sql)
                self._derived[name] = sql

    def _prepare(self, params: MeasureParams, periods: Sequence[PeriodSpan]) -> None:
        """Load the calendar of the periods asked for, and the working days up to the snapshot."""
        self.load("calendar", calendar_table(periods))
        as_of = datetime.fromtimestamp(params.as_of_us / 1e6, UTC).date()
        if self._workdays_as_of != as_of:
            self.load("workdays", _workdays_for(self._tables, as_of))
            self._workdays_as_of = as_of

    def run(self, sql: str) -> list[Row]:
        """Run one query (DuckDB dialect, translated for Spark) and return its rows."""
        text = to_dialect(sql, self.name)
        if self._duck is not None:
            return self._duck.execute(text).fetchall()
        return [tuple(r) for r in self._spark.sql(text).collect()]

    def run_arrow(self, sql: str) -> pa.Table:
        """Run one query and return its result as an Arrow table."""
        text = to_dialect(sql, self.name)
        if self._duck is not None:
            return self._duck.sql(text).to_arrow_table()
        return self._spark.sql(text).toArrow()

    def compute_table(
        self,
        specs: Sequence[MeasureSpec],
        params: MeasureParams,
        *,
        periods: Sequence[Period],
        cuts: Sequence[Cut],
        start: date,
        end: date,
    ) -> pa.Table:
        """Every measure for every period kind and cut asked for, as one Arrow table with a row
        per (measure, period, period_start, cut, cut_value) that has records (see RESULT)."""
        wanted = [s for p in periods for s in spans(p, start, end, params.week_start)]
        self._prepare(params, wanted)
        parts = [RESULT.empty_table()]
        done: set[str] = set()
        for batch in additive_batches(specs, params, cuts):
            parts.extend(self._run_batch(batch, params, cuts))
            done.update(spec.key for spec, _ in batch)
        for spec in specs:
            here = [cut for cut in cuts if cut in spec.definition.cuts]
            if not here or spec.key in done:
                continue
            self._derive(spec, params)
            # Percentiles of the same records (median and 90th) come from one query.
            alike = [spec]
            if spec.kind == Kind.QUANTILE:
                records = spec.build(params)
                alike += [
                    other
                    for other in specs
                    if other.key != spec.key
                    and other.key not in done
                    and other.kind == Kind.QUANTILE
                    and other.definition.cuts == spec.definition.cuts
                    and other.build(params) == records
                ]
            raw = self.run_arrow(aggregate_sql(spec, params, here, also=alike[1:]))
            for index, member in enumerate(alike):
                value = raw.column(f"value_{index}" if index else "value")
                parts.append(
                    tidy(
                        member,
                        here,
                        raw.set_column(raw.column_names.index("value"), "value", value),
                    )
                )
                done.add(member.key)
        return pa.concat_tables(parts)

    def _run_batch(
        self,
        batch: Sequence[tuple[MeasureSpec, Additive]],
        params: MeasureParams,
        cuts: Sequence[Cut],
    ) -> list[pa.Table]:
        """Additive measures on one source and day, from one query; a table per measure."""
        union = [c for c in cuts if any(c in spec.definition.cuts for spec, _ in batch)]
        raw = self.run_arrow(batch_sql(batch, union))
        named = [c for c in union if c != Cut.FORCE]
        tables = []
        for index, (spec, _) in enumerate(batch):
            mine = [c for c in union if c in spec.definition.cuts]
            keep = pc.is_valid(raw.column(f"n{index}"))
            if spec.kind != Kind.COUNT:
                keep = pc.and_(keep, pc.greater(pc.fill_null(raw.column(f"d{index}"), 0), 0))
            if Cut.FORCE not in mine:
                keep = pc.and_(keep, any_valid(raw, [c for c in named if c in mine]))
            for other in named:
                if other not in mine:
                    keep = pc.and_(keep, pc.is_null(raw.column(other.value)))
            rows = raw.filter(keep)
            shaped = pa.table(
                {
                    "period": rows.column("period"),
                    "period_start": rows.column("period_start"),
                    **{c.value: rows.column(c.value) for c in named if c in mine},
                    "value": pa.nulls(rows.num_rows, pa.float64()),
                    "num": rows.column(f"n{index}"),
                    "den": rows.column(f"d{index}"),
                }
            )
            tables.append(tidy(spec, mine, shaped))
        return tables

    def compute(
        self,
        specs: Sequence[MeasureSpec],
        params: MeasureParams,
        *,
        periods: Sequence[Period],
        cuts: Sequence[Cut],
        start: date,
        end: date,
    ) -> list[MeasureValue]:
        """Every measure for every period kind and cut asked for, over the periods that start
        within [start, end]; a period with no records has value None."""
        table = self.compute_table(specs, params, periods=periods, cuts=cuts, start=start, end=end)
        return fill(
            table,
            specs,
            periods=periods,
            cuts=cuts,
            start=start,
            end=end,
            week_start=params.week_start,
        )

    def records(
        self,
        spec: MeasureSpec,
        params: MeasureParams,
        *,
        period: Period,
        period_start: date,
        cut: Cut,
        cut_value: str | None,
        limit: int,
        counted_as: int | None = None,
    ) -> list[dict[str, object]]:
        """The records behind one value (id, local day, cut value and what was counted); with
        `counted_as`, a share's records whose numerator is that (0: those that missed)."""
        span = span_at(period, period_start, params.week_start)
        self._prepare(params, [span])
        self._derive(spec, params)
        rows = self.run(records_sql(spec, params, cut, cut_value, limit, counted_as))
        names = ["record_id", "day", "cut_value", *record_fields(spec.kind)]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def close(self) -> None:
        """Release the engine (a Spark session is kept for reuse: it is slow to start)."""
        if self._duck is not None:
            self._duck.close()
        self._scratch.cleanup()

    def __enter__(self) -> MeasureEngine:
        """Use as a context manager."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close on leaving."""
        self.close()


def _workdays_for(tables: Mapping[str, pa.Table], as_of: date) -> pa.Table:
    """The working-day index over every day the victim-update measure can meet."""
    days: list[date] = []
    vc = tables.get("victim_contacts")
    if vc is not None and vc.num_rows:
        for column in ("event_day", "contacted_day"):
            for fn in (pc.min, pc.max):
                found = fn(vc.column(column)).as_py()
                if found is not None:
                    days.append(found)
    if not days:
        days = [date(2000, 1, 1)]
    days.append(as_of)
    return working_days_table(min(days) - timedelta(days=7), max(days) + timedelta(days=400))


def _spark_schema(table: pa.Table) -> Any:
    from pyspark.sql import types as t

    mapping = {
        pa.int64(): t.LongType(),
        pa.string(): t.StringType(),
        pa.bool_(): t.BooleanType(),
        pa.date32(): t.DateType(),
        pa.float64(): t.DoubleType(),
    }
    return t.StructType(
        [t.StructField(f.name, mapping[f.type], nullable=True) for f in table.schema]
    )


_SPARK_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []


def _spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise RuntimeError(
            "the Spark engine needs the optional extra: uv sync --extra spark"
        ) from error
    if not _SPARK_SCRATCH:
        _SPARK_SCRATCH.append(tempfile.TemporaryDirectory(prefix="watchhouse-measures-spark-"))
    scratch = _SPARK_SCRATCH[0].name
    # One Spark session serves the process: the identity linkage (linkage/engines.py) may start
    # it or reuse this one, so it is started the same way, with splink's similarity functions.
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(f"local[{os.cpu_count() or 1}]")
        .appName("watchhouse")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", scratch)
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", "4g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
