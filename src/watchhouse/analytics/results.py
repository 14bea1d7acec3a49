"""The engine's results: one Arrow table in RESULT's shape, and the values filled out for
every expected period (an empty month is None)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from watchhouse.analytics.model import Cut, Kind, MeasureSpec, MeasureValue, Period
from watchhouse.analytics.periods import spans

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


def tidy(spec: MeasureSpec, cuts: Sequence[Cut], raw: pa.Table) -> pa.Table:
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
    week_start: int = 0,
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
    wanted = {p: spans(p, start, end, week_start) for p in periods}
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
