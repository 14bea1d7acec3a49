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
        wanted = [s for p in periods for s in spans(p, start, end)]
        self._prepare(params, wanted)
        parts = [RESULT.empty_table()]
        done: set[str] = set()
        for batch in _additive_batches(specs, params, cuts):
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
                    _tidy(
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
                keep = pc.and_(keep, _any_valid(raw, [c for c in named if c in mine]))
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
            tables.append(_tidy(spec, mine, shaped))
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
        return fill(table, specs, periods=periods, cuts=cuts, start=start, end=end)

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
    ) -> list[dict[str, object]]:
        """The records behind one value (id, local day, cut value and what was counted)."""
        span = span_at(period, period_start)
        self._prepare(params, [span])
        self._derive(spec, params)
        rows = self.run(records_sql(spec, params, cut, cut_value, limit))
        names = ["record_id", "day", "cut_value", *_record_fields(spec.kind)]
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


def _record_fields(kind: Kind) -> list[str]:
    if kind == Kind.SHARE:
        return ["num", "den"]
    if kind in (Kind.MEAN, Kind.QUANTILE):
        return ["x"]
    return []


def _sets(prefix: str, cuts: Sequence[Cut], source: str) -> str:
    """GROUPING SETS over `prefix` alone (the force) and `prefix` with each other cut."""
    sets = [
        f"({prefix})" if cut == Cut.FORCE else f"({prefix}, {source}.{cut.value})" for cut in cuts
    ]
    return f"GROUPING SETS ({', '.join(sets)})"


def aggregate_sql(
    spec: MeasureSpec,
    params: MeasureParams,
    cuts: Sequence[Cut],
    *,
    also: Sequence[MeasureSpec] = (),
) -> str:
    """The measure's records aggregated by period and by each cut (one grouping set per cut),
    over the `calendar` table of the periods asked for, in one query. Percentile measures over
    the same records (`also`) add their values as value_1, value_2, ..."""
    records = spec.build(params)
    named = [cut for cut in cuts if cut != Cut.FORCE]
    if spec.kind == Kind.QUANTILE:
        cut_select = "".join(f", r.{cut.value}" for cut in named)
        more = "".join(
            f", quantile_cont(r.x, {other.quantile}) AS value_{n}"
            for n, other in enumerate(also, start=1)
        )
        return f"""
WITH records AS ({records})
SELECT k.period, k.period_start{cut_select},
       quantile_cont(r.x, {spec.quantile}) AS value{more}, CAST(NULL AS DOUBLE) AS num,
       CAST(COUNT(r.x) AS DOUBLE) AS den
FROM records r JOIN calendar k ON k.day = r.day
WHERE r.x IS NOT NULL
GROUP BY {_sets("k.period, k.period_start", cuts, "r")}"""
    if spec.kind == Kind.SHARE:
        daily = "SUM(r.num) AS num, SUM(r.den) AS den"
    elif spec.kind == Kind.MEAN:
        daily = "SUM(r.x) AS num, COUNT(r.x) AS den"
    else:
        daily = "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den"
    daily_cuts = "".join(f", r.{cut.value}" for cut in named)
    outer_cuts = "".join(f", d.{cut.value}" for cut in named)
    # Additive measures are summed by day first, so the calendar join meets a small table.
    return f"""
WITH records AS ({records}),
daily AS (
  SELECT r.day{daily_cuts}, {daily}
  FROM records r JOIN (SELECT DISTINCT day FROM calendar) kd ON kd.day = r.day
  GROUP BY {_sets("r.day", cuts, "r")}
)
SELECT k.period, k.period_start{outer_cuts}, CAST(NULL AS DOUBLE) AS value,
       CAST(SUM(d.num) AS DOUBLE) AS num, CAST(SUM(d.den) AS DOUBLE) AS den
FROM daily d JOIN calendar k ON k.day = d.day
GROUP BY k.period, k.period_start{outer_cuts}"""


def _additive_batches(
    specs: Sequence[MeasureSpec], params: MeasureParams, cuts: Sequence[Cut]
) -> list[list[tuple[MeasureSpec, Additive]]]:
    """The additive measures grouped by source and day (and alike cut columns)."""
    groups: dict[tuple[str, str], list[tuple[MeasureSpec, Additive]]] = {}
    columns: dict[tuple[str, str], dict[Cut, str]] = {}
    for spec in specs:
        if spec.additive is None or spec.kind == Kind.QUANTILE or spec.derived is not None:
            continue
        if not any(cut in spec.definition.cuts for cut in cuts):
            continue
        parts = spec.additive(params)
        key = (parts.source, parts.day)
        known = columns.setdefault(key, {})
        if any(known.get(cut, expr) != expr for cut, expr in spec.cut_columns):
            continue  # cut columns that differ: this measure runs on its own
        known.update(spec.cut_columns)
        groups.setdefault(key, []).append((spec, parts))
    return list(groups.values())


def batch_sql(batch: Sequence[tuple[MeasureSpec, Additive]], cuts: Sequence[Cut]) -> str:
    """Several additive measures on one source: one scan, their sums side by side (n0, d0,
    n1, d1, ...) by period and by each cut."""
    source, day = batch[0][1].source, batch[0][1].day
    expressions = dict(c for spec, _ in batch for c in spec.cut_columns)
    named = [cut for cut in cuts if cut != Cut.FORCE]
    picked = "".join(f", {expressions[cut]} AS {cut.value}" for cut in named)
    flags = "".join(
        f", ({parts.where}) AS w{i}, {parts.value} AS v{i}" for i, (_, parts) in enumerate(batch)
    )
    sums = []
    for i, (spec, _) in enumerate(batch):
        if spec.kind == Kind.SHARE:
            sums.append(f"SUM(CASE WHEN s.w{i} THEN s.v{i} END) AS n{i}")
            sums.append(f"SUM(CASE WHEN s.w{i} THEN 1 END) AS d{i}")
        elif spec.kind == Kind.MEAN:
            sums.append(f"SUM(CASE WHEN s.w{i} THEN s.v{i} END) AS n{i}")
            sums.append(f"COUNT(CASE WHEN s.w{i} THEN s.v{i} END) AS d{i}")
        else:
            sums.append(f"SUM(CASE WHEN s.w{i} THEN 1 END) AS n{i}")
            sums.append(f"CAST(NULL AS BIGINT) AS d{i}")
    totals = "".join(
        f", CAST(SUM(d.n{i}) AS DOUBLE) AS n{i}, CAST(SUM(d.d{i}) AS DOUBLE) AS d{i}"
        for i in range(len(batch))
    )
    daily_cuts = "".join(f", s.{cut.value}" for cut in named)
    outer_cuts = "".join(f", d.{cut.value}" for cut in named)
    return f"""
WITH s AS (
  SELECT {day} AS day{picked}{flags}
  FROM {source}
  JOIN (SELECT DISTINCT day FROM calendar) kd ON kd.day = {day}
),
daily AS (
  SELECT s.day{daily_cuts}, {", ".join(sums)}
  FROM s
  GROUP BY {_sets("s.day", cuts, "s")}
)
SELECT k.period, k.period_start{outer_cuts}{totals}
FROM daily d JOIN calendar k ON k.day = d.day
GROUP BY k.period, k.period_start{outer_cuts}"""


def _any_valid(table: pa.Table, cuts: Sequence[Cut]) -> pa.ChunkedArray:
    result = pa.chunked_array([pa.array([False] * table.num_rows)])
    for cut in cuts:
        result = pc.or_(result, pc.is_valid(table.column(cut.value)))
    return result


def records_sql(
    spec: MeasureSpec, params: MeasureParams, cut: Cut, cut_value: str | None, limit: int
) -> str:
    """The records behind one value: those of one cut value on the days in `calendar`."""
    fields = "".join(f", r.{name}" for name in _record_fields(spec.kind))
    if cut == Cut.FORCE or cut_value is None:
        shown, match = "CAST(NULL AS VARCHAR)", ""
    else:
        shown = f"r.{cut.value}"
        match = f" AND r.{cut.value} = '" + cut_value.replace("'", "''") + "'"
    return f"""
WITH records AS ({spec.build(params)})
SELECT r.record_id, r.day, {shown} AS cut_value{fields}
FROM records r WHERE r.day IN (SELECT day FROM calendar){match}
ORDER BY r.day, r.record_id
LIMIT {int(limit)}"""


RESULT = pa.schema(
    [
        ("measure", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("cut", pa.string()),
        ("cut_value", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
    ]
)
"""The engine's result: one row per period and cut value with records."""


def _tidy(spec: MeasureSpec, cuts: Sequence[Cut], raw: pa.Table) -> pa.Table:
    """An aggregate query's rows in RESULT's shape; the row's cut is its one non-NULL cut
    column (none: the force), and values are in the measure's unit."""
    rows = raw.num_rows
    named = [cut for cut in cuts if cut != Cut.FORCE]
    cut = pa.array([Cut.FORCE.value] * rows, pa.string())
    cut_value = pa.nulls(rows, pa.string())
    for candidate in named:
        column = raw.column(candidate.value).cast(pa.string())
        valid = pc.is_valid(column)
        cut = pc.if_else(valid, candidate.value, cut)
        cut_value = pc.if_else(valid, column, cut_value)
    num = raw.column("num").cast(pa.float64())
    den = raw.column("den").cast(pa.float64())
    nothing = pa.nulls(rows, pa.float64())
    if spec.kind == Kind.QUANTILE:
        value = pc.divide(raw.column("value").cast(pa.float64()), spec.scale)
        numerator, denominator = nothing, den
    elif spec.kind == Kind.COUNT:
        value, numerator, denominator = num, num, nothing
    else:
        numerator = pc.divide(num, spec.scale) if spec.scale != 1 else num
        denominator = den
        value = pc.if_else(pc.greater(den, 0), pc.divide(numerator, den), nothing)
    return pa.Table.from_arrays(
        [
            pa.array([spec.key] * rows, pa.string()),
            raw.column("period").cast(pa.string()),
            raw.column("period_start").cast(pa.date32()),
            cut,
            cut_value,
            value,
            numerator,
            denominator,
        ],
        schema=RESULT,
    )


def fill(
    table: pa.Table,
    specs: Sequence[MeasureSpec],
    *,
    periods: Sequence[Period],
    cuts: Sequence[Cut],
    start: date,
    end: date,
) -> list[MeasureValue]:
    """Values for every expected period of every measure and cut value seen, in order: a
    period without records has value None (an empty month is None, not 0)."""
    found: dict[tuple[str, str, str, date, str | None], tuple[Any, Any, Any]] = {}
    seen: dict[tuple[str, str], set[str | None]] = {}
    columns = table.to_pydict()
    for i in range(table.num_rows):
        key = (columns["measure"][i], columns["cut"][i])
        where = (*key, columns["period"][i], columns["period_start"][i], columns["cut_value"][i])
        found[where] = (columns["value"][i], columns["numerator"][i], columns["denominator"][i])
        seen.setdefault(key, set()).add(columns["cut_value"][i])
    wanted = {p: spans(p, start, end) for p in periods}
    result = []
    for spec in specs:
        for cut in cuts:
            if cut not in spec.definition.cuts:
                continue
            cut_values = {None} if cut == Cut.FORCE else seen.get((spec.key, cut.value), set())
            for period, group in wanted.items():
                for span in group:
                    for cut_value in sorted(cut_values, key=lambda v: v or ""):
                        value, numerator, denominator = found.get(
                            (spec.key, cut.value, period.value, span.start, cut_value),
                            (None, None, None),
                        )
                        result.append(
                            MeasureValue(
                                measure=spec.key,
                                period=period,
                                period_start=span.start,
                                period_label=span.label,
                                cut=cut,
                                cut_value=cut_value,
                                value=value,
                                numerator=numerator,
                                denominator=denominator,
                            )
                        )
    return result


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
