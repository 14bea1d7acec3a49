"""Run Alembic migrations from code, without an alembic.ini.

Alembic is imported only when a migration runs: `up_to_date` answers the common case (the
store is already at the newest revision) with one SELECT and a look at the migration files'
`revision`/`down_revision` lines, so light commands start fast.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M)


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revisions no other migration revises (one, unless the chain has branched), read
    from the files' `revision = "..."` and `down_revision = "..."` lines."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, double, single in _ASSIGNED.findall(path.read_text(encoding="utf-8")):
            value = double or single
            if value:
                (revisions if name == "revision" else revised).add(value)
    return frozenset(revisions - revised)


def up_to_date(url: str) -> bool:
    """Whether the store at the URL exists and is at the newest revision (no Alembic import);
    False when unsure, so the caller runs the migrations."""
    if not store_exists(url):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return at_head(connection)
    except Exception:  # unreadable: let Alembic decide
        return False
    finally:
        engine.dispose()


def at_head(connection: Connection) -> bool:
    """Whether the store on the connection records exactly the newest revisions."""
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    current = {row[0] for row in rows}
    return bool(current) and current == set(head_revisions())


def upgrade_if_needed(url: str) -> None:
    """Bring the store up to the newest revision, skipping Alembic when it already is."""
    if not up_to_date(url):
        upgrade(url)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at the URL up to the given revision."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at the URL down to the given revision."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def sqlite_file_missing(url: str) -> bool:
    """Whether the URL names a SQLite database whose file does not exist (or is in memory):
    opening it would create it, so it holds no store."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    name = parsed.database or ""
    return name in ("", ":memory:") or not Path(name).is_file()


def store_exists(url: str) -> bool:
    """Whether the database at the URL holds a watchhouse schema, without creating anything.

    A SQLite file that does not exist is not opened (opening would create it).
    """
    if sqlite_file_missing(url):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")
    except Exception:  # an unreachable or missing database holds no store
        return False
    finally:
        engine.dispose()
