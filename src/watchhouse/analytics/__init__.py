"""Measures defined once as SQL, run on DuckDB (default) or Spark over a Parquet snapshot.

Nothing here touches the database, the services or the web: it reads Parquet files or Arrow
tables, builds SQL and runs it on an engine (see docs/measures.md and docs/architecture.md).
"""
