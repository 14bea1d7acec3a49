"""Where splink runs: DuckDB in this process (the default), or Spark in local mode (an
optional extra, for a region or the country). Neither downloads anything at run time."""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:  # splink and DuckDB load only when a linkage runs (the CLI starts fast)
    import pyarrow as pa

EngineName = Literal["duckdb", "spark"]


class Engine(Protocol):
    """A splink backend that takes Arrow tables."""

    name: EngineName

    def register(self, table: pa.Table, name: str) -> Any:
        """Hand a table to splink under a name."""

    def close(self) -> None:
        """Release the backend."""


class DuckDBEngine:
    """splink on an in-process DuckDB that never installs extensions from the network."""

    name: EngineName = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        """Open a private in-memory DuckDB spilling to a temporary directory."""
        import duckdb
        from splink import DuckDBAPI

        self._scratch = tempfile.TemporaryDirectory(prefix="watchhouse-linkage-")
        config: dict[str, Any] = {
            "autoinstall_known_extensions": False,
            "temp_directory": self._scratch.name,
            "threads": threads or os.cpu_count() or 1,
        }
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.connection = duckdb.connect(":memory:", config=config)
        self.api = DuckDBAPI(self.connection)

    def register(self, table: pa.Table, name: str) -> Any:
        """Hand a table to splink under a name."""
        return self.api.register(table, dataset_display_name=name)

    def close(self) -> None:
        """Close DuckDB and remove its scratch files."""
        self.connection.close()
        self._scratch.cleanup()


class SparkEngine:
    """splink on Spark in local mode (pip extra `spark`; Java 17)."""

    name: EngineName = "spark"

    def __init__(self, *, cores: int | None = None) -> None:
        """Start (or reuse) a local Spark session."""
        try:
            from pyspark.sql import SparkSession
            from splink.backends.spark import SparkAPI, similarity_jar_location
        except ImportError as error:
            raise RuntimeError(
                "the Spark engine needs the optional extra: uv sync --extra spark"
            ) from error
        self._scratch = tempfile.TemporaryDirectory(prefix="watchhouse-spark-")
        self.session = (
            SparkSession.builder.master(f"local[{cores or os.cpu_count() or 1}]")
            .appName("watchhouse-linkage")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.default.parallelism", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.local.dir", self._scratch.name)
            .config("spark.jars", similarity_jar_location())
            .config("spark.driver.memory", "4g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")
        self.session.sparkContext.setCheckpointDir(self._scratch.name)
        self.api = SparkAPI(spark_session=self.session)  # type: ignore[no-untyped-call]

    def register(self, table: pa.Table, name: str) -> Any:
        """Hand a table to splink under a name (as a Spark DataFrame)."""
        frame = self.session.createDataFrame(table)
        return self.api.register(frame, dataset_display_name=name)

    def close(self) -> None:
        """Keep the session (starting Spark is slow) but remove this run's scratch files."""
        self._scratch.cleanup()


def open_engine(name: EngineName) -> Engine:
    """The named backend."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown linkage engine {name!r}: choose duckdb or spark")
