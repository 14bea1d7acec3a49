"""Grow a benchmark store to millions of contacts quickly, for the online check at scale.

    uv run python bench/grow_store.py --store /tmp/scale/sqlite --contacts 5000000
    uv run python bench/grow_store.py --database POSTGRES_URL --keep-database NAME \
        --contacts 5000000

The store is one `bench/online_check.py` built (`--store DIR` on SQLite, `--keep-database NAME`
on PostgreSQL: the synthetic force with its trained identity model). Generating millions of
contacts with the full generator takes hours here; this copies what is stored instead, in
set-based `INSERT ... SELECT` statements, round after round until the store holds
`--contacts`:

- each round copies the contacts (all of them, or the oldest ones the target still needs) and
  the people, their telephone numbers and person-number links, and the contacts' identity
  clusters, with fresh ids;
- a copied person keeps the name (so the name frequencies of a larger force hold: a common
  family name has as many more bearers as there are more people) but is born on a date moved
  by a few days, and is reached on new numbers (each copy's numbers are distinct);
- a copied contact keeps its location (so a busy address gathers more contacts) and is moved
  back in time by whole copies of the generated period (so the store holds a longer history,
  and a window of a few weeks still holds about as many contacts as before);
- statistics are refreshed (ANALYZE) at the end.

Then measure again: `bench/online_check.py` with the same `--store` / `--keep-database`
reuses the grown store.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from watchhouse.db.tables import Base

SHIFTED_TIMES = ("presented_at", "answered_at", "ended_at")


def _scalar(connection: Connection, sql: str) -> int:
    return int(connection.execute(text(sql)).scalar() or 0)


def _copy_statement(
    table: str,
    replace: dict[str, str],
    where: str,
) -> str:
    columns = [c.name for c in Base.metadata.tables[table].columns]
    chosen = [replace.get(name, name) for name in columns]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(chosen)} FROM {table} WHERE {where}"
    )


def grow_round(connection: Connection, dialect: str, round_number: int, upto: int) -> int:
    """Copy the contacts with id <= `upto` (and everyone) once; how many contacts were added."""
    people = _scalar(connection, "SELECT coalesce(max(id), 0) FROM people")
    numbers = _scalar(connection, "SELECT coalesce(max(id), 0) FROM telephone_numbers")
    contacts = _scalar(connection, "SELECT coalesce(max(id), 0) FROM contacts")
    clusters = _scalar(connection, "SELECT coalesce(max(cluster_id), 0) FROM identity_clusters")
    # Everything copied goes back by the whole history held so far (which doubles each
    # round), so the copies lie end to end before it and never pile up far in the past.
    shift = _span_days(connection, dialect)
    days = (round_number % 7) + 1

    def moved_date(column: str) -> str:
        if dialect == "sqlite":
            return f"date({column}, '+{days} days')"
        return f"({column} + {days})"

    def moved_time(column: str) -> str:
        if dialect == "sqlite":
            return f"datetime({column}, '-{shift} days')"
        return f"({column} - interval '{shift} days')"

    statements = [
        _copy_statement(
            "people",
            {
                "id": f"id + {people}",
                "date_of_birth": moved_date("date_of_birth"),
                "created_at": moved_time("created_at"),
            },
            f"id <= {people}",
        ),
        _copy_statement(
            "telephone_numbers",
            # "+0" and the new id: distinct from each other and from any real number.
            {"id": f"id + {numbers}", "number": f"'+0' || (id + {numbers})"},
            f"id <= {numbers}",
        ),
        _copy_statement(
            "person_telephones",
            {
                "person_id": f"person_id + {people}",
                "telephone_number_id": f"telephone_number_id + {numbers}",
            },
            f"person_id <= {people}",
        ),
    ]
    contact_replace = {
        "id": f"id + {contacts}",
        "person_id": f"person_id + {people}",
        "telephone_number_id": f"telephone_number_id + {numbers}",
        "idempotency_key": "NULL",
        "idempotency_user_id": "NULL",
        "idempotency_body_sha256": "NULL",
        "external_ref": (
            f"CASE WHEN external_ref IS NULL THEN NULL ELSE "
            f"substr(external_ref, 1, 70) || '-g{round_number}' END"
        ),
        "caller_date_of_birth": moved_date("caller_date_of_birth"),
    }
    for column in SHIFTED_TIMES:
        contact_replace[column] = moved_time(column)
    statements.append(_copy_statement("contacts", contact_replace, f"id <= {upto}"))
    statements.append(
        _copy_statement(
            "identity_clusters",
            {"contact_id": f"contact_id + {contacts}", "cluster_id": f"cluster_id + {clusters}"},
            f"contact_id <= {upto}",
        )
    )
    before = _scalar(connection, "SELECT count(*) FROM contacts")
    for statement in statements:
        connection.execute(text(statement))
    return _scalar(connection, "SELECT count(*) FROM contacts") - before


def _span_days(connection: Connection, dialect: str) -> int:
    """Whole days between the first and the last contact, plus one."""
    if dialect == "sqlite":
        sql = "SELECT julianday(max(presented_at)) - julianday(min(presented_at)) FROM contacts"
    else:
        sql = (
            "SELECT extract(epoch FROM max(presented_at) - min(presented_at)) / 86400 FROM contacts"
        )
    return int(float(connection.execute(text(sql)).scalar() or 0)) + 1


def main() -> int:
    """Grow the store round by round to `--contacts`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="SQLite: the folder online_check built")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL server URL")
    parser.add_argument("--keep-database", help="PostgreSQL: the database online_check built")
    parser.add_argument("--contacts", type=int, required=True, help="contacts wanted in all")
    args = parser.parse_args()
    if args.database == "sqlite":
        if args.store is None:
            raise SystemExit("--store is needed on SQLite")
        url = f"sqlite:///{args.store / 'bench.sqlite3'}"
    else:
        if not args.keep_database:
            raise SystemExit("--keep-database is needed on PostgreSQL")
        url = (
            make_url(args.database)
            .set(database=args.keep_database)
            .render_as_string(hide_password=False)
        )
    engine = create_engine(url)
    dialect = engine.dialect.name
    began = time.perf_counter()
    with engine.connect() as connection:
        stored = _scalar(connection, "SELECT count(*) FROM contacts")
    print(f"{stored:,} contacts stored; growing to {args.contacts:,}", flush=True)
    round_number = 1
    while stored < args.contacts and round_number < 99:
        with engine.begin() as connection:
            wanted = args.contacts - stored
            upto = _scalar(
                connection,
                f"SELECT max(id) FROM (SELECT id FROM contacts ORDER BY id LIMIT {wanted}) AS w",
            )
            added = grow_round(connection, dialect, round_number, upto)
        stored += added
        print(
            f"round {round_number}: +{added:,} contacts = {stored:,} "
            f"({time.perf_counter() - began:.0f} s)",
            flush=True,
        )
        round_number += 1
    if dialect == "postgresql":
        with engine.begin() as connection:
            for table in ("people", "telephone_numbers", "contacts"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                        f"FROM {table}"
                    )
                )
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        people = _scalar(connection, "SELECT count(*) FROM people")
    print(
        f"{stored:,} contacts, {people:,} people; grown and analysed in "
        f"{time.perf_counter() - began:.0f} s"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
