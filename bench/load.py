"""Benchmark: contact writes and handlers' screens under load, one server process against
`watchhouse serve --workers N`, on loopback only.

    uv run python bench/load.py [--database sqlite|POSTGRES_URL] [--rate 200] [--seconds 30]
                                [--workers 2] [--readers 20] [--reads-per-second 20]
                                [--fault] [--no-baseline] [--minimal]
                                [--places 1] [--families 10]

Targets (issue 16, Load): at least 200 contact writes per second sustained for 5 minutes on
PostgreSQL on this 2-core machine with p99 under 200 ms, 0 lost and 0 errors; SQLite at least
100/s. The 5-minute run is `--seconds 300`.

What runs, in one process, for each server in turn (the baseline first: today's single
process, `watchhouse serve`; then `watchhouse serve --workers N`), each on a fresh store
(a SQLite file, or a fresh database created on the PostgreSQL server named and dropped after):

- writers: `POST /api/contacts` at `--rate` per second, open loop (sent on schedule whether or
  not earlier ones have answered; at most `--max-in-flight` at once, the rest counted as not
  sent), each with its own Idempotency-Key and a bearer token of one of 20 call handlers;
- readers: `--readers` handlers opening contact screens (`GET /api/contacts/{id}`, the caller
  check included) at `--reads-per-second` together, on contacts acknowledged so far;
- afterwards every write that got no 2xx is retried with the same key and body, and so is a
  sample of acknowledged ones (a retry must answer 200 with the same contact, never a new one);
- then the store is checked: every acknowledged contact present, whole (its caller, number,
  location, summary and the access-log entry of its collection) and stored once per key.

`--fault` (the workers' run only): half-way through, one worker is killed with SIGKILL (the
supervisor starts a new one) and, on PostgreSQL, every connection of the server to the
database is terminated (`pg_terminate_backend`, as a database restart would); the writes
that fail then are retried with their keys afterwards.

`--minimal` sends `Prefer: return=minimal` on writes: the answer is the new contact's id and
the caller check is left to the screen that opens it (issue 16: "a write does not need to run
the caller check in the same request if the screen fetches it separately").

The callers: 1,000 of them, some ringing more than once, sharing `--families` family names as
the caller check compares them (10 by default: "Lowe0" to "Lowe9" all compare as "lowe", the
digits being dropped, so a hundred callers each) and all ringing about one place, "High Street"
(`--places 1`, the default, kept so figures stay comparable: a major incident's shape, dozens
of callers about one fire or crash). `--places N` gives each caller one of N places ("1 High
Street" to "N High Street"), a busy ordinary hour's shape; `--families 1000` gives each caller
a family name of their own. The write's advisory locks are keyed on these
(`places.hold_new_caller_locks`), and the caller check scores every person sharing the name.

Only 127.0.0.1 is ever contacted. Reported: throughput (acknowledged writes per second),
write and read p50/p99, errors, the checks, the ratios of the workers' run to the baseline
and the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from watchhouse.config import Settings
from watchhouse.db.migrate import upgrade
from watchhouse.db.repositories import users
from watchhouse.db.tables import AccessLogRow, ContactRow, LocationRow, TelephoneNumberRow
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Settlement
from watchhouse.services import accounts, reference
from watchhouse.services.context import build_context

HOST = "127.0.0.1"
WRITERS = 20
CALLERS = 1_000
READ_REASON = "current_incident"  # a code in default policy's [access_log.justification_reasons]
RETRY_IN_FLIGHT = 16  # retries sent at once after the load
GIVEN = ["Sam", "Alex", "Jo", "Chris", "Pat", "Morgan", "Jamie", "Robin", "Lee", "Casey"]
FAMILY = ["Lowe", "Khan", "Smith", "Patel", "Jones", "Brown", "Evans", "Taylor", "Wood", "Hall"]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def loadavg() -> str:
    """The machine's 1, 5 and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the store -------------------------------------------------------------------------------


@dataclass
class Store:
    """A fresh store for one run, and how to drop it."""

    url: str
    data_dir: Path
    admin_url: str | None = None
    name: str | None = None

    def drop(self) -> None:
        """Drop the PostgreSQL database made for the run (a SQLite file goes with its folder)."""
        if self.admin_url is None:
            return
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            terminate_connections(connection, self.name or "")
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        admin.dispose()


def terminate_connections(connection: object, name: str) -> int:
    """End every other session on the database `name`; how many were ended."""
    ended = connection.execute(  # type: ignore[attr-defined]
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :n AND pid <> pg_backend_pid()"
        ),
        {"n": name},
    ).scalar()
    return int(ended or 0)


def fresh_store(database: str, scratch: Path, label: str) -> Store:
    """A migrated empty store: a SQLite file under `scratch`, or a new PostgreSQL database."""
    data_dir = scratch / label
    data_dir.mkdir(parents=True)
    if database == "sqlite":
        url = f"sqlite:///{data_dir / 'watchhouse.sqlite3'}"
        upgrade(url)
        return Store(url, data_dir)
    server = make_url(database)
    if server.host not in (HOST, "localhost"):
        raise SystemExit("bench/load.py only uses a database on this machine (127.0.0.1)")
    name = f"watchhouse_load_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return Store(url, data_dir, admin_url=database, name=name)


def prepare(store: Store, readers: int) -> tuple[list[str], list[str]]:
    """A neighbourhood, 20 call handlers who write and `readers` who read, each with an API
    token; the writers' and readers' tokens."""
    ctx = build_context(Settings(data_dir=store.data_dir, database_url=store.url), migrate=False)
    reference.add_neighbourhood(ctx, code="central", name="Central", settlement=Settlement.URBAN)
    tokens: dict[str, list[str]] = {"write": [], "read": []}
    for kind, count in (("write", WRITERS), ("read", readers)):
        for number in range(count):
            username = f"load.{kind}.{number}"
            with ctx.db.transaction() as session:
                users.add_user(
                    session=session,
                    username=username,
                    display_name=f"Load {kind} {number}",
                    role=Role.CALL_HANDLER,
                    password_hash="x",
                    now=ctx.now(),
                )
            tokens[kind].append(accounts.issue_api_token(ctx, username=username))
    ctx.db.dispose()
    return tokens["write"], tokens["read"]


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(store: Store, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`watchhouse serve` (with `--workers` when more than one) on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "WATCHHOUSE_ENVIRONMENT": "test",
        "WATCHHOUSE_DATABASE_URL": store.url,
        "WATCHHOUSE_DATA_DIR": str(store.data_dir),
    }
    command = [str(Path(sys.executable).with_name("watchhouse")), "serve", "--host", HOST]
    command += ["--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    out = log.open("wb")
    server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/login", timeout=30).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server ended: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    else:
        stop_server(server)
        raise SystemExit(f"the server did not answer on {url} in 10 minutes")
    while workers > 1 and len(children(server.pid)) < workers and time.monotonic() < deadline:
        time.sleep(0.5)
    return server, url


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server started here (SIGINT, then SIGKILL if it will not go)."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def children(parent: int) -> list[int]:
    """The worker processes of the server (its children that serve: not the resource
    tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


# --- the load --------------------------------------------------------------------------------


@dataclass
class Write:
    """One contact sent: its key, body and token, and what came back."""

    key: str
    body: dict[str, object]
    token: int
    status: int = 0
    contact_id: int | None = None
    ms: float = 0.0
    error: str = ""


@dataclass
class Run:
    """What one server's run measured."""

    label: str
    seconds: float
    writes: list[Write] = field(default_factory=list)
    not_sent: int = 0
    reads_ms: list[float] = field(default_factory=list)
    read_errors: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)
    fault: str = ""
    load_before: str = ""
    load_after: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the load, by side

    @property
    def acked(self) -> list[Write]:
        return [w for w in self.writes if 200 <= w.status < 300 and w.contact_id]

    def errors(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for w in self.writes:
            if not (200 <= w.status < 300):
                reason = w.error or str(w.status)
                found[reason] = found.get(reason, 0) + 1
        return found


def body_for(
    rng: random.Random, number: int, key: str, *, places: int = 1, families: int = 10
) -> dict[str, object]:
    """A 101 contact from one of 1,000 callers (some ring more than once), who share
    `families` family names as the caller check compares them (10, the default: "Lowe0" to
    "Lowe9" compare as "lowe", digits being dropped, so a hundred callers each) and ring about
    `places` places (1: all about "High Street", a major incident's shape; more: each caller
    about their own of "1 High Street" to "N High Street")."""
    caller = rng.randrange(CALLERS)
    if families == 10:  # as before --families existed, so that figures stay comparable
        family_name = f"{FAMILY[caller // len(GIVEN) % len(FAMILY)]}{caller // 100}"
    else:
        family = caller * families // CALLERS
        family_name = FAMILY[family % len(FAMILY)] + _letters(family // len(FAMILY))
    return {
        "channel": "101",
        "caller_given_name": GIVEN[caller % len(GIVEN)],
        "caller_family_name": family_name,
        "telephone": f"07700 900{caller:03d}",
        "location_description": (
            "High Street" if places <= 1 else f"{caller % places + 1} High Street"
        ),
        "neighbourhood_code": "central",
        "summary": f"load test contact {number} ({key})",
    }


def _letters(number: int) -> str:
    """A suffix of letters for a number ('' for 0, then 'a' to 'z', 'ba', ...), which the
    caller check compares (unlike digits)."""
    suffix = ""
    while number:
        number, digit = divmod(number, 26)
        suffix = "abcdefghijklmnopqrstuvwxyz"[digit] + suffix
    return suffix


class LeanResponse:
    """The little of an HTTP answer the load needs (as httpx.Response names it)."""

    def __init__(self, status_code: int, body: bytes) -> None:
        """Keep the status and body."""
        self.status_code = status_code
        self.content = body

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)


class LeanClient:
    """HTTP/1.1 with keep-alive over asyncio streams, for the load only: the client shares
    the machine's 2 cores with the server and the database, and httpx spent about as much CPU
    per write as the server did (7.4 ms against 7.9 ms, 2026-12-07 18:14). Same requests,
    same keys and bodies; errors raised as httpx's (ReadTimeout, RemoteProtocolError,
    ConnectError), so the callers count them as before."""

    def __init__(self, url: str, timeout: float) -> None:
        """Connect lazily to the server at `url` (http://host:port)."""
        self._host, port = url.removeprefix("http://").split(":")
        self._port = int(port)
        self._timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()

    async def post(self, path: str, *, json: object, headers: dict[str, str]) -> LeanResponse:
        """POST a JSON body."""
        body = _json_bytes(json)
        return await self._request("POST", path, headers, body)

    async def get(self, path: str, *, headers: dict[str, str]) -> LeanResponse:
        """GET."""
        return await self._request("GET", path, headers, b"")

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> LeanResponse:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if method == "POST":
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in range(2):
            # Idle connections the server has closed meanwhile (end of file seen) are dropped,
            # as httpx's pool does.
            while self._idle and (self._idle[-1][0].at_eof() or self._idle[-1][1].is_closing()):
                self._idle.pop()[1].close()
            reused = bool(self._idle)
            if reused:
                reader, writer = self._idle.pop()
            else:
                try:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(self._host, self._port), self._timeout
                    )
                except (OSError, TimeoutError) as exc:
                    raise httpx.ConnectError(str(exc)) from exc
            try:
                writer.write(message)
                answer = await asyncio.wait_for(self._answer(reader), self._timeout)
            except TimeoutError as exc:
                writer.close()
                raise httpx.ReadTimeout("no answer in time") from exc
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                writer.close()
                # A kept-alive connection the server closed as this request went out: once
                # more on a new one (safe: every write carries its Idempotency-Key).
                closed = isinstance(exc, ConnectionResetError | BrokenPipeError) or (
                    isinstance(exc, asyncio.IncompleteReadError) and not exc.partial
                )
                if reused and attempt == 0 and closed:
                    continue
                raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
            status, data, keep = answer
            if keep:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return LeanResponse(status, data)
        raise httpx.RemoteProtocolError("connection closed")

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        keep = True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not read by the lean client")
        data = await reader.readexactly(length) if length else b""
        return status, data, keep


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


async def send(
    client: httpx.AsyncClient | LeanClient, write: Write, tokens: list[str], minimal: bool
) -> None:
    """Post one contact and note the answer."""
    headers = {"Authorization": f"Bearer {tokens[write.token]}", "Idempotency-Key": write.key}
    if minimal:
        headers["Prefer"] = "return=minimal"
    began = time.perf_counter()
    try:
        response = await client.post("/api/contacts", json=write.body, headers=headers)
        write.status = response.status_code
        if 200 <= response.status_code < 300:
            write.contact_id = int(response.json()["id"])
        else:
            write.error = f"{response.status_code}"
    except httpx.HTTPError as exc:
        write.status = 0
        write.error = type(exc).__name__
    write.ms = (time.perf_counter() - began) * 1000


async def drive(
    url: str,
    write_tokens: list[str],
    read_tokens: list[str],
    args: argparse.Namespace,
    run: Run,
    fault: object | None,
) -> None:
    """Send the writes on schedule and let the readers read, for `args.seconds`."""
    rng = random.Random(16)
    total = int(args.rate * args.seconds)
    limits = httpx.Limits(max_connections=args.max_in_flight, max_keepalive_connections=64)
    timeout = httpx.Timeout(30.0)
    in_flight = asyncio.Semaphore(args.max_in_flight)
    pending: set[asyncio.Task[None]] = set()
    acked_ids: list[int] = []
    client: httpx.AsyncClient | LeanClient
    if args.httpx:
        client = httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout)
    else:
        client = LeanClient(url, 30.0)
    async with client:
        start = time.perf_counter()
        stop_at = start + args.seconds

        async def writer_done(write: Write) -> None:
            try:
                await send(client, write, write_tokens, args.minimal)
                if write.contact_id:
                    acked_ids.append(write.contact_id)
            finally:
                in_flight.release()

        async def reader(number: int) -> None:
            own = random.Random(1000 + number)
            token = read_tokens[number]
            # A reason code from policy's list (`[access_log.justification_reasons]`), with text.
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Justification": f"{READ_REASON}: caller on line",
            }
            mean_wait = len(read_tokens) / args.reads_per_second
            while time.perf_counter() < stop_at:
                await asyncio.sleep(own.expovariate(1 / mean_wait))
                if not acked_ids or time.perf_counter() >= stop_at:
                    continue
                contact_id = own.choice(acked_ids[-2_000:])
                began = time.perf_counter()
                try:
                    response = await client.get(f"/api/contacts/{contact_id}", headers=headers)
                    if response.status_code == 200:
                        run.reads_ms.append((time.perf_counter() - began) * 1000)
                    else:
                        reason = str(response.status_code)
                        run.read_errors[reason] = run.read_errors.get(reason, 0) + 1
                except httpx.HTTPError as exc:
                    reason = type(exc).__name__
                    run.read_errors[reason] = run.read_errors.get(reason, 0) + 1

        readers = [asyncio.create_task(reader(n)) for n in range(len(read_tokens))]
        fault_task = None
        for number in range(total):
            due = start + number / args.rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            if fault is not None and fault_task is None and number >= total // 2:
                fault_task = asyncio.create_task(asyncio.to_thread(fault))  # type: ignore[arg-type]
            key = str(uuid.uuid4())
            body = body_for(rng, number, key, places=args.places, families=args.families)
            write = Write(key, body, number % len(write_tokens))
            run.writes.append(write)
            if in_flight.locked():
                run.not_sent += 1
                write.error = "not sent (client limit)"
                continue
            await in_flight.acquire()
            task = asyncio.create_task(writer_done(write))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        if fault_task is not None:
            run.fault = str(await fault_task)
        run.seconds = time.perf_counter() - start


async def retry(url: str, tokens: list[str], run: Run, sample: int) -> None:
    """Send again, with the same key and body, every write that was not acknowledged (until
    acknowledged, a few times) and a sample of acknowledged ones; count what a retry does."""
    acked = run.acked
    again = random.Random(3).sample(acked, min(sample, len(acked)))
    counts = {"acked resent": 0, "acked resent: same contact (200)": 0, "acked resent: other": 0}
    counts |= {"unacked retried": 0, "unacked: created (201)": 0, "unacked: found (200)": 0}
    counts["unacked: still failing"] = 0
    # Concurrent but bounded (`RETRY_IN_FLIGHT` at once): thousands of unsent writes retried
    # one after another took minutes. Acknowledged writes are known by their key (a list
    # membership test compared whole dataclasses, quadratic in the writes).
    acked_keys = {w.key for w in acked}
    at_once = asyncio.Semaphore(RETRY_IN_FLIGHT)
    limits = httpx.Limits(
        max_connections=RETRY_IN_FLIGHT, max_keepalive_connections=RETRY_IN_FLIGHT
    )
    async with httpx.AsyncClient(
        base_url=url, timeout=httpx.Timeout(60.0), limits=limits
    ) as client:

        async def resend(write: Write) -> None:
            async with at_once:
                copy = Write(write.key, write.body, write.token)
                await send(client, copy, tokens, minimal=True)
            counts["acked resent"] += 1
            if copy.status == 200 and copy.contact_id == write.contact_id:
                counts["acked resent: same contact (200)"] += 1
            else:
                counts["acked resent: other"] += 1

        async def again_until_stored(write: Write) -> None:
            counts["unacked retried"] += 1
            for _attempt in range(5):
                async with at_once:
                    copy = Write(write.key, write.body, write.token)
                    await send(client, copy, tokens, minimal=True)
                if copy.contact_id:
                    write.contact_id = copy.contact_id
                    name = "created (201)" if copy.status == 201 else "found (200)"
                    counts[f"unacked: {name}"] += 1
                    return
                await asyncio.sleep(1)
            counts["unacked: still failing"] += 1

        await asyncio.gather(*(resend(w) for w in again))
        await asyncio.gather(
            *(again_until_stored(w) for w in run.writes if w.key not in acked_keys)
        )
    run.retries = counts


def verify(store: Store, run: Run) -> dict[str, int]:
    """Every acknowledged contact present, whole and once; no key stored twice."""
    engine = create_engine(store.url)
    keys = {w.key: w for w in run.writes}
    found: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        chunk = list(keys)
        for start in range(0, len(chunk), 500):
            rows = connection.execute(
                select(
                    ContactRow.idempotency_key,
                    ContactRow.id,
                    ContactRow.summary,
                    ContactRow.caller_family_name,
                    TelephoneNumberRow.number,
                    LocationRow.description,
                )
                .outerjoin(
                    TelephoneNumberRow, TelephoneNumberRow.id == ContactRow.telephone_number_id
                )
                .outerjoin(LocationRow, LocationRow.id == ContactRow.location_id)
                .where(ContactRow.idempotency_key.in_(chunk[start : start + 500]))
            ).all()
            for row in rows:
                found.setdefault(str(row[0]), []).append(tuple(row))
        logged = set(
            connection.execute(
                select(AccessLogRow.record_id).where(
                    AccessLogRow.record_type == "contact", AccessLogRow.operation == "collection"
                )
            ).scalars()
        )
        stored = connection.execute(select(func.count()).select_from(ContactRow)).scalar() or 0
    engine.dispose()
    checks = {"acknowledged": 0, "lost": 0, "half-written": 0, "stored twice": 0}
    checks |= {"stored": int(stored), "stored without acknowledgement or retry": 0}
    for key, write in keys.items():
        rows = found.get(key, [])
        if len(rows) > 1:
            checks["stored twice"] += 1
        acknowledged = write.status and 200 <= write.status < 300
        if acknowledged:
            checks["acknowledged"] += 1
            if not rows:
                checks["lost"] += 1
                continue
        if not rows:
            continue
        if write.contact_id is None:
            checks["stored without acknowledgement or retry"] += 1
        _, contact_id, summary, family, number, place = rows[0]
        whole = (
            (write.contact_id is None or contact_id == write.contact_id)
            and summary == write.body["summary"]
            and family == write.body["caller_family_name"]
            and number is not None
            and place == write.body["location_description"]
            and str(contact_id) in logged
        )
        if not whole:
            checks["half-written"] += 1
    return checks


# --- where the CPU goes ------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pids(store: Store) -> list[int]:
    """The PostgreSQL server processes serving the store's database (none for SQLite)."""
    if store.admin_url is None:
        return []
    admin = create_engine(store.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
            {"n": store.name},
        ).scalars()
        found = [int(pid) for pid in pids]
    admin.dispose()
    return found


def cpu_now(server: subprocess.Popen[bytes], store: Store) -> dict[str, float]:
    """CPU seconds so far of this process (the load generator), of the server (and its
    workers) and of the database's backends serving the store (PostgreSQL; the server's
    shared background processes, WAL writer and checkpointer, are not counted)."""
    return {
        "load generator": time.process_time(),
        "server": sum(cpu_seconds(pid) for pid in [server.pid, *children(server.pid)]),
        "database": sum(cpu_seconds(pid) for pid in backend_pids(store)),
    }


# --- one run ---------------------------------------------------------------------------------


def fault_for(server: subprocess.Popen[bytes], store: Store) -> object:
    """Kill one worker with SIGKILL and end the server's database connections."""

    def strike() -> str:
        workers = children(server.pid)
        done = []
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            done.append(f"SIGKILL to worker {workers[0]}")
        if store.admin_url is not None:
            admin = create_engine(store.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                ended = terminate_connections(connection, store.name or "")
            admin.dispose()
            done.append(f"{ended} database connections terminated")
        return "; ".join(done) or "nothing to strike"

    return strike


def one_run(args: argparse.Namespace, scratch: Path, label: str, workers: int) -> Run:
    """A fresh store, a server, the load, the retries and the checks."""
    store = fresh_store(args.database, scratch, label)
    try:
        write_tokens, read_tokens = prepare(store, args.readers)
        server, url = start_server(store, workers, scratch / f"{label}.log")
        run = Run(label, args.seconds)
        try:
            # Warm up: the first requests load the policy's caches and the templates.
            with httpx.Client(base_url=url, timeout=120) as client:
                for n in range(max(4, workers * 4)):
                    key = f"warm-{n}"
                    client.post(
                        "/api/contacts",
                        json=body_for(
                            random.Random(n), -n, key, places=args.places, families=args.families
                        ),
                        headers={
                            "Authorization": f"Bearer {write_tokens[0]}",
                            "Idempotency-Key": key,
                        },
                    )
            run.load_before = loadavg()
            fault = fault_for(server, store) if args.fault and workers > 1 else None
            before = cpu_now(server, store)
            asyncio.run(drive(url, write_tokens, read_tokens, args, run, fault))
            after = cpu_now(server, store)
            run.cpu = {side: after[side] - before[side] for side in before}
            run.load_after = loadavg()
            asyncio.run(retry(url, write_tokens, run, args.retry_sample))
        finally:
            stop_server(server)
        run.checks = verify(store, run)
        return run
    finally:
        store.drop()


def report(run: Run, baseline: Run | None) -> list[str]:
    """The run's lines, with ratios to the baseline when there is one."""
    acked = run.acked
    write_ms = [w.ms for w in acked]
    rate = len(acked) / run.seconds if run.seconds else 0.0
    lines = [
        f"[{run.label}] {len(run.writes):,} writes offered in {run.seconds:.1f} s, "
        f"{run.not_sent:,} not sent (client limit); load before {run.load_before}, "
        f"after {run.load_after}",
        f"  writes acknowledged {len(acked):,} = {rate:.1f}/s; p50 "
        f"{statistics.median(write_ms) if write_ms else 0:.1f} ms, p99 "
        f"{percentile(write_ms, 0.99):.1f} ms; errors {run.errors() or 0}",
        f"  screens read {len(run.reads_ms):,}; p50 "
        f"{statistics.median(run.reads_ms) if run.reads_ms else 0:.1f} ms, p99 "
        f"{percentile(run.reads_ms, 0.99):.1f} ms; errors {run.read_errors or 0}",
    ]
    if run.cpu and acked and run.fault:
        # A killed worker's and the ended backends' CPU leave the sums: not a figure.
        lines.append("  CPU per write: not measured (processes ended during the fault run)")
    elif run.cpu and acked:
        split = ", ".join(
            f"{side} {seconds * 1000 / len(acked):.2f} ms" for side, seconds in run.cpu.items()
        )
        lines.append(
            f"  CPU per acknowledged write (readers included): {split}; total "
            f"{sum(run.cpu.values()) * 1000 / len(acked):.2f} ms"
        )
    if run.fault:
        lines.append(f"  fault: {run.fault}")
    lines.append(f"  retries: {run.retries}")
    lines.append(f"  checks: {run.checks}")
    if baseline is not None and baseline.acked:
        base_ms = [w.ms for w in baseline.acked]
        base_rate = len(baseline.acked) / baseline.seconds
        lines.append(
            f"  ratio to {baseline.label}: throughput {rate / base_rate:.2f}x, write p50 "
            f"{(statistics.median(write_ms) if write_ms else 0) / statistics.median(base_ms):.2f}"
            f"x, write p99 {percentile(write_ms, 0.99) / max(percentile(base_ms, 0.99), 1e-9):.2f}x"
        )
    return lines


def server_settings(url: str) -> str:
    """The PostgreSQL settings the figures depend on. With autovacuum off (as on this machine's
    CI server) nothing analyzes the tables while they grow, so plans made when the store was
    empty (a pooled connection's cached ones included) stay in use: a production server has it
    on."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            values = {
                name: connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("autovacuum", "autovacuum_naptime", "shared_buffers")
            }
    finally:
        engine.dispose()
    line = "server: " + ", ".join(f"{name} {value}" for name, value in values.items())
    if values["autovacuum"] != "on":
        line += " (autovacuum is off: no statistics while the store grows; not a production server)"
    return line


def main() -> int:
    """Parse, run the baseline and the workers, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--rate", type=float, default=200, help="contact writes offered per s")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=20, help="handlers reading screens")
    parser.add_argument("--reads-per-second", type=float, default=20)
    parser.add_argument("--max-in-flight", type=int, default=256)
    parser.add_argument("--retry-sample", type=int, default=200)
    parser.add_argument("--fault", action="store_true")
    parser.add_argument("--minimal", action="store_true", help="Prefer: return=minimal")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--places",
        type=int,
        default=1,
        help="places the callers ring about (1, the default: one, a major incident's shape)",
    )
    parser.add_argument(
        "--families",
        type=int,
        default=10,
        choices=range(1, CALLERS + 1),
        metavar=f"1..{CALLERS}",
        help=f"family names (as compared) the {CALLERS:,} callers share (10, the default: "
        "a hundred callers each)",
    )
    parser.add_argument(
        "--httpx",
        action="store_true",
        help="drive the load with httpx (before 2026-12-07 18:30) instead of the lean client",
    )
    args = parser.parse_args()
    database = "sqlite" if args.database == "sqlite" else "<postgresql url>"
    flags = " --fault" * args.fault + " --minimal" * args.minimal + " --httpx" * args.httpx
    flags += f" --places {args.places} --families {args.families}"
    print(
        f"$ uv run python bench/load.py --database {database} --rate {args.rate:g} "
        f"--seconds {args.seconds:g} --workers {args.workers} --readers {args.readers} "
        f"--reads-per-second {args.reads_per_second:g}{flags}"
    )
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load {loadavg()}")
    if args.database != "sqlite":
        print(server_settings(args.database))
    with tempfile.TemporaryDirectory(prefix="watchhouse-load-") as scratch:
        baseline = None
        if not args.no_baseline:
            baseline = one_run(args, Path(scratch), "one-process", 1)
            print("\n".join(report(baseline, None)), flush=True)
        run = one_run(args, Path(scratch), f"workers-{args.workers}", args.workers)
        print("\n".join(report(run, baseline)), flush=True)
    bad = run.checks.get("lost", 0) + run.checks.get("half-written", 0)
    bad += run.checks.get("stored twice", 0) + run.retries.get("acked resent: other", 0)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
