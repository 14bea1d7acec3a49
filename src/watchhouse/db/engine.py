"""Engine and transactions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import select
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from watchhouse.db.stages import detach_stages

POSTGRES_POOL_SIZE = 15  # connections per process, all kept open (as many as before: 5 + 10)


def make_engine(url: str, *, background_checkpoint: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout (and, if asked, no
    automatic checkpoints: see `_Checkpointer`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": _GATE_TIMEOUT_SECONDS, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if background_checkpoint:
            event.listen(engine, "connect", _no_autocheckpoint)
        event.listen(engine, "checkin", _detach_stages)
        _WriteGate().watch(engine)
        return engine
    # The pool keeps open as many connections as it may hand out at once (the default kept 5
    # and opened and closed up to 10 more as the load went up and down: about 7 new backends a
    # second under bench/load.py, each forked, authenticated and its caches warmed again).
    engine = create_engine(url, pool_size=POSTGRES_POOL_SIZE, max_overflow=0)
    event.listen(engine, "checkout", _drop_if_closed_by_server)
    return engine


def _drop_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled PostgreSQL connection that the server has closed (a restart, or
    `pg_terminate_backend`) before it is used, without a round trip.

    An idle connection's socket has nothing to read unless the server has sent its goodbye
    (an error message and end of file); `pool_pre_ping` found the same by sending `SELECT 1`
    at every check-out, a round trip per transaction (issue 16, Load). The pool retries the
    check-out with a new connection when this raises `DisconnectionError`."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    # poll, not select: select refuses descriptors above 1,023, which a busy server reaches.
    poller = select.poll()
    try:
        poller.register(dbapi_connection.fileno(), select.POLLIN)
    except (OSError, ValueError) as exc:
        raise DisconnectionError("the connection's socket is gone") from exc
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Takes effect only when the file is new (before WAL): larger pages make bulk loads and
    # scans faster (measured in bench/import_police_uk.py).
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


class _Checkpointer:
    """Copies the SQLite write-ahead log into the database from a thread of its own.

    By default SQLite checkpoints inside whichever commit takes the log past 1,000 pages, so
    that one request waits for the copy and its fsync. With `background_checkpoint`, request
    connections never checkpoint and this thread runs a PASSIVE checkpoint (it never blocks
    readers or writers) every `every` seconds on its own connection.

    Under a steady stream of writes a PASSIVE checkpoint never catches up with the log, so
    SQLite never starts the log again and it grows without bound (bench/sqlite_checkpoints.py:
    884 MB after 3,000 contacts on a 5 MB database). Off by default for that reason."""

    def __init__(self, path: str, every: float = 1.0) -> None:
        """Start the thread."""
        self._path = path
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, timeout=_GATE_TIMEOUT_SECONDS)
        try:
            while not self._stop.wait(self._every):
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop the thread (after one last checkpoint)."""
        self._stop.set()
        self._thread.join()


_GATE_TIMEOUT_SECONDS = 30
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class _WriteGate:
    """One writing transaction at a time per engine in this process, handed over at once.

    SQLite lets one connection write at a time; a connection that finds the file locked
    sleeps 1, 2, 5, 10... ms between tries, so twenty handlers each writing an access-log
    entry queue behind those sleeps (p95 265 ms where one handler alone sees 19 ms, measured
    with bench/online_check.py). Here a transaction takes the gate at its first write and
    gives it back when it ends, so the next writer starts the moment the last one commits.
    Other processes (a batch from the command line) still meet SQLite's own waiting.
    """

    def __init__(self) -> None:
        self._gate = threading.RLock()

    def watch(self, engine: Engine) -> None:
        """Take the gate before a connection's first write; give it back at its end."""
        event.listen(engine, "before_cursor_execute", self._before_execute)
        for name in ("commit", "rollback"):
            event.listen(engine, name, self._release_connection)
        event.listen(engine, "reset", self._release_on_reset)
        for name in ("checkin", "invalidate"):
            event.listen(engine, name, self._release_record)

    def _before_execute(self, connection: Any, *args: Any) -> None:
        statement = args[1]
        info = connection.info
        if info.get("watchhouse_writing") or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        # Never wait forever: after SQLite's own busy timeout, go on and let SQLite decide.
        if self._gate.acquire(timeout=_GATE_TIMEOUT_SECONDS):
            info["watchhouse_writing"] = True

    def _release_connection(self, connection: Any, *_args: Any) -> None:
        self._release(connection.info)

    def _release_on_reset(self, _dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        if record is not None:
            self._release(record.info)

    def _release_record(self, _dbapi_connection: Any, record: Any, *_args: Any) -> None:
        if record is not None:
            self._release(record.info)

    def _release(self, info: dict[str, Any]) -> None:
        if info.pop("watchhouse_writing", False):
            self._gate.release()


def _detach_stages(dbapi_connection: Any, _record: Any) -> None:
    if dbapi_connection is not None:
        detach_stages(dbapi_connection)


@contextmanager
def _committed_or_rolled_back(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session from the factory, committed on success, rolled back on any error, then closed."""
    session = sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database:
    """The store: hands out one transaction per unit of work, committed or rolled back whole."""

    def __init__(self, url: str, *, background_checkpoint: bool = False) -> None:
        """Connect lazily to the database at the URL; on a SQLite file, `background_checkpoint`
        moves the write-ahead log's checkpoints out of the requests into a thread."""
        self.url = url
        parsed = make_url(url)
        file = parsed.database if parsed.get_backend_name() == "sqlite" else None
        wanted = background_checkpoint and bool(file) and file != ":memory:"
        self.engine = make_engine(url, background_checkpoint=wanted)
        self._checkpointer = _Checkpointer(str(file)) if wanted else None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: one statement that only reads needs no transaction of its own (see
        # `single_read`); SQLite has no round trips to save and keeps its transactions.
        self._single_reads = self._sessions
        if self.engine.dialect.name == "postgresql":
            autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._single_reads = sessionmaker(autocommit, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """The backend name: 'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with _committed_or_rolled_back(self._sessions) as session:
            yield session

    @contextmanager
    def single_read(self) -> Iterator[Session]:
        """A session for work that is one read-only statement (the session look-up of each
        request). On PostgreSQL it runs in autocommit: the statement is its own transaction
        and sees the same committed data, without the BEGIN and COMMIT round trips (issue
        16, Load). Never write through it: each statement would commit on its own."""
        with _committed_or_rolled_back(self._single_reads) as session:
            yield session

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections (and stop the checkpoint thread, if any)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()
