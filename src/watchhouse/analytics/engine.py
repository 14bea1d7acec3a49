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
from watchhouse.analytics.model import Cut, Kind, MeasureParams, MeasureSpec, MeasureValue, Period
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
        self._tables = tables
        self._workdays_as_of: date | None = None

    def load(self, name: str, table: pa.Table) -> None:
        """Make a table available to the SQL under a name (replacing any of that name)."""
        if self._duck is not None:
            self._duck.register("_incoming", table)
            self._duck.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming')
            self._duck.unregister("_incoming")
        else:
            frame = self._spark.createDataFrame(table.to_pandas(), schema=_spark_schema(table))
            frame.createOrReplaceTempView(name)

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
        wanted = {p: spans(p, start, end) for p in periods}
        self._prepare(params, [s for group in wanted.values() for s in group])
        values: list[MeasureValue] = []
        for spec in specs:
            for cut in cuts:
                if cut not in spec.definition.cuts:
                    continue
                rows = self.run(aggregate_sql(spec, params, cut))
                values.extend(_values(spec, cut, wanted, rows))
        return values

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


def aggregate_sql(spec: MeasureSpec, params: MeasureParams, cut: Cut) -> str:
    """The measure's records aggregated by (period, period_start, cut_value) over `calendar`."""
    records = spec.build(params, cut)
    if spec.kind == Kind.QUANTILE:
        return f"""
WITH records AS ({records})
SELECT k.period, k.period_start, r.cut_value,
       quantile_cont(r.x, {spec.quantile}) AS value, CAST(NULL AS BIGINT) AS num, COUNT(r.x) AS den
FROM records r JOIN calendar k ON k.day = r.day
WHERE r.x IS NOT NULL
GROUP BY k.period, k.period_start, r.cut_value"""
    if spec.kind == Kind.SHARE:
        daily = "SUM(r.num) AS num, SUM(r.den) AS den"
    elif spec.kind == Kind.MEAN:
        daily = "SUM(r.x) AS num, COUNT(r.x) AS den"
    else:
        daily = "COUNT(*) AS num, CAST(NULL AS BIGINT) AS den"
    # Additive measures are summed by day first, so the calendar join meets a small table.
    return f"""
WITH records AS ({records}),
daily AS (
  SELECT r.day, r.cut_value, {daily}
  FROM records r WHERE r.day IN (SELECT day FROM calendar)
  GROUP BY r.day, r.cut_value
)
SELECT k.period, k.period_start, d.cut_value, CAST(NULL AS DOUBLE) AS value,
       SUM(d.num) AS num, SUM(d.den) AS den
FROM daily d JOIN calendar k ON k.day = d.day
GROUP BY k.period, k.period_start, d.cut_value"""


def records_sql(
    spec: MeasureSpec, params: MeasureParams, cut: Cut, cut_value: str | None, limit: int
) -> str:
    """The records behind one value: those of one cut value on the days in `calendar`."""
    fields = "".join(f", r.{name}" for name in _record_fields(spec.kind))
    if cut == Cut.FORCE or cut_value is None:
        match = ""
    else:
        match = " AND r.cut_value = '" + cut_value.replace("'", "''") + "'"
    return f"""
WITH records AS ({spec.build(params, cut)})
SELECT r.record_id, r.day, r.cut_value{fields}
FROM records r WHERE r.day IN (SELECT day FROM calendar){match}
ORDER BY r.day, r.record_id
LIMIT {int(limit)}"""


def _values(
    spec: MeasureSpec, cut: Cut, wanted: Mapping[Period, list[PeriodSpan]], rows: Sequence[Row]
) -> list[MeasureValue]:
    """Turn engine rows into values, one per expected period and cut value (None if empty)."""
    found: dict[tuple[str, date, str | None], Row] = {}
    cut_values: set[str | None] = set()
    for row in rows:
        found[(row[0], row[1], row[2])] = row
        cut_values.add(None if cut == Cut.FORCE else row[2])
    if cut == Cut.FORCE:
        cut_values = {None}
    result = []
    for period, group in wanted.items():
        for span in group:
            for cut_value in sorted(cut_values, key=lambda v: (v is None, v or "")):
                value, numerator, denominator = _value(
                    spec, found.get((period.value, span.start, cut_value))
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


def _value(spec: MeasureSpec, row: Row | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return None, None, None
    raw_value, num, den = row[3], row[4], row[5]
    if spec.kind == Kind.QUANTILE:
        if not den:
            return None, None, None
        return float(raw_value) / spec.scale, None, float(den)
    if spec.kind == Kind.COUNT:
        return (None, None, None) if not num else (float(num), float(num), None)
    if not den:
        return None, None, None
    numerator = float(num) / spec.scale
    return numerator / float(den), numerator, float(den)


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
    session = (
        SparkSession.builder.master(f"local[{os.cpu_count() or 1}]")
        .appName("watchhouse-measures")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", scratch)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
