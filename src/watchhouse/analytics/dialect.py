"""The one place where engines differ: measure SQL is written for DuckDB and translated by
sqlglot for the others. Everything engine-specific that sqlglot does not translate the way the
measures need is handled here, and nowhere else."""

from __future__ import annotations

from typing import Literal

import sqlglot
from sqlglot import exp

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")


def _spark_exact_percentile(node: exp.Expression) -> exp.Expression:
    """DuckDB's quantile_cont(x, q) is exact with linear interpolation; Spark's equivalent is
    percentile(x, q) (sqlglot would write PERCENTILE_CONT(x, q), which Spark does not take)."""
    if isinstance(node, exp.Quantile | exp.PercentileCont):
        args = [node.this, node.args.get("quantile") or node.expression]
        return exp.Anonymous(this="percentile", expressions=args)
    return node


def to_dialect(sql: str, engine: EngineName) -> str:
    """The measure SQL (DuckDB dialect) as the named engine runs it."""
    if engine == "duckdb":
        return sql
    if engine == "spark":
        tree = sqlglot.parse_one(sql, read="duckdb")
        return tree.transform(_spark_exact_percentile).sql(dialect="spark")
    raise ValueError(f"unknown measures engine {engine!r}: choose {' or '.join(ENGINES)}")
