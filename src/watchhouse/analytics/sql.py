"""The SQL the engine runs around a measure's records: by period and every cut in one query
(grouping sets), several additive measures in one scan, and the records behind one value.
It only builds SQL (DuckDB dialect); analytics/engine.py runs it."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.analytics.model import Additive, Cut, Kind, MeasureParams, MeasureSpec


def record_fields(kind: Kind) -> list[str]:
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


def additive_batches(
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


def any_valid(table: pa.Table, cuts: Sequence[Cut]) -> pa.ChunkedArray:
    result = pa.chunked_array([pa.array([False] * table.num_rows, type=pa.bool_())])
    for cut in cuts:
        result = pc.or_(result, pc.is_valid(table.column(cut.value)))
    return result


def records_sql(
    spec: MeasureSpec,
    params: MeasureParams,
    cut: Cut,
    cut_value: str | None,
    limit: int,
    counted_as: int | None = None,
) -> str:
    """The records behind one value: those of one cut value on the days in `calendar`; with
    `counted_as` (a share), only the records in the denominator whose numerator is that."""
    fields = "".join(f", r.{name}" for name in record_fields(spec.kind))
    if cut == Cut.FORCE or cut_value is None:
        shown, match = "CAST(NULL AS VARCHAR)", ""
    else:
        shown = f"r.{cut.value}"
        match = f" AND r.{cut.value} = '" + cut_value.replace("'", "''") + "'"
    if counted_as is not None and spec.kind == Kind.SHARE:
        match += f" AND r.den > 0 AND r.num = {int(counted_as)}"
    return f"""
WITH records AS ({spec.build(params)})
SELECT r.record_id, r.day, {shown} AS cut_value{fields}
FROM records r WHERE r.day IN (SELECT day FROM calendar){match}
ORDER BY r.day, r.record_id
LIMIT {int(limit)}"""
