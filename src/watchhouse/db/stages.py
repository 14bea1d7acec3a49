"""The names of the scratch SQLite files bulk loads attach, and their detaching: kept apart
from db/bulk.py so the engine (and every light CLI command) does not import pyarrow."""

from __future__ import annotations

import sqlite3

STAGE_PREFIX = "watchhouse_stage_"


def detach_stages(connection: sqlite3.Connection) -> None:
    """Detach the scratch files a finished transaction attached (the pool calls this when a
    connection comes back; a transaction that read a file cannot detach it)."""
    attached = [row[1] for row in connection.execute("PRAGMA database_list")]
    for alias in attached:
        if alias.startswith(STAGE_PREFIX):
            connection.execute(f"DETACH DATABASE {alias}")
