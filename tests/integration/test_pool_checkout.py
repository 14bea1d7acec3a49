"""A pooled PostgreSQL connection that the server has ended is replaced at check-out, without
an error for the request that draws it, even when the process holds many open files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from watchhouse.db.engine import POSTGRES_POOL_SIZE, make_engine


@pytest.fixture
def many_open_files() -> Iterator[None]:
    """Push the next descriptors the process opens above 1,023 (where select() refuses them)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows only {hard} open files per process")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = []
    with tempfile.TemporaryFile() as source:
        while len(held) < 1100:
            held.append(os.dup(source.fileno()))
        try:
            yield
        finally:
            for descriptor in held:
                os.close(descriptor)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_ended_by_the_server_is_replaced(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        ended = _backend_pid(engine)
        with admin.connect() as connection:
            # With a timeout, pg_terminate_backend waits until the backend has gone (and sent
            # its goodbye); without one it only signals it, and the check-out below can race it.
            gone = connection.execute(
                text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": ended}
            ).scalar_one()
        assert gone, "the server did not end the pooled connection's backend within 10 s"
        # The pooled connection is dead; the next check-out must notice and open a new one.
        assert _backend_pid(engine) != ended
    finally:
        engine.dispose()
        admin.dispose()


@pytest.mark.usefixtures("many_open_files")
def test_check_out_works_with_descriptors_above_1023(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.connection.dbapi_connection.fileno() > 1023  # type: ignore[union-attr]
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first  # the same healthy connection, kept in the pool
    finally:
        engine.dispose()


def test_connections_handed_out_at_once_stay_open_when_given_back(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        held = [engine.connect() for _ in range(POSTGRES_POOL_SIZE)]
        pids = {int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in held}
        for connection in held:
            connection.close()
        # The same backends serve the next burst: none was closed and opened again.
        again = [engine.connect() for _ in range(POSTGRES_POOL_SIZE)]
        assert {int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in again} == pids
        for connection in again:
            connection.close()
    finally:
        engine.dispose()
