"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), a context with a
controllable clock, users of every role, and web clients signed in as each role."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from watchhouse.auth.passwords import hash_password
from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.config import Settings
from watchhouse.db.engine import Database
from watchhouse.db.migrate import upgrade
from watchhouse.db.repositories import users as user_repo
from watchhouse.db.tables import Base
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Settlement
from watchhouse.policy import load_policy
from watchhouse.services import reference
from watchhouse.services.context import AppContext

POSTGRES_ENV = "WATCHHOUSE_TEST_POSTGRES_URL"
START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--postgres-only`: keep only the tests that run against PostgreSQL (CI's second pass)."""
    parser.addoption(
        "--postgres-only",
        action="store_true",
        help="deselect every test that does not run against PostgreSQL (the SQLite pass ran them)",
    )


def runs_on_postgres(item: pytest.Item) -> bool:
    """Whether a collected test talks to PostgreSQL: a postgresql parameter or the server URL."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        return True
    return "postgres_url" in getattr(item, "fixturenames", ()) or (
        item.get_closest_marker("postgres") is not None
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `--postgres-only`, run only the PostgreSQL tests; the others are deselected."""
    if not config.getoption("--postgres-only"):
        return
    kept = [item for item in items if runs_on_postgres(item)]
    dropped = [item for item in items if not runs_on_postgres(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> datetime:
        self.moment += timedelta(**kwargs)
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment


def password_for(role: Role) -> str:
    """The test password of the user holding a role."""
    return f"{role.value}-test-pass"


@pytest.fixture
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the developer's shell reaches Settings; each test passes its own env.
    The test run's own variables (`WATCHHOUSE_TEST_*`: the PostgreSQL server) stay, so the
    PostgreSQL cases of command-line tests still run.

    Command-line test modules ask for it with `pytest.mark.usefixtures("no_outside_settings")`.
    """
    for name in list(os.environ):
        if name.startswith("WATCHHOUSE_") and not name.startswith("WATCHHOUSE_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def password_hashes() -> dict[Role, str]:
    """Argon2 hashes computed once per run (hashing is slow on purpose)."""
    return {role: hash_password(password_for(role)) for role in Role}


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated, dropped at the end."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests skipped: set {POSTGRES_ENV} to run them")
    name = f"watchhouse_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


TABLES_TO_EMPTY = ", ".join(name for name in Base.metadata.tables if name != "roles")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """An empty, migrated database: a copied SQLite file, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        path.write_bytes(sqlite_template.read_bytes())
        db = Database(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("postgres_url")
        db = Database(url)
        with db.engine.begin() as connection:
            # Replica mode skips the triggers that keep the access log append-only (superuser).
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {TABLES_TO_EMPTY} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """The clock every service in the test reads."""
    return FakeClock()


@pytest.fixture
def ctx(database: Database, clock: FakeClock, tmp_path: Path) -> AppContext:
    """A context on the test database with the default policy and the fake clock."""
    settings = Settings(environment="test", data_dir=tmp_path, database_url=database.url)
    return AppContext(settings=settings, db=database, policy=load_policy(), clock=clock)


@pytest.fixture
def neighbourhoods(ctx: AppContext) -> dict[str, str]:
    """An urban and a rural neighbourhood: code by settlement."""
    reference.add_neighbourhood(ctx, code="central", name="Central", settlement=Settlement.URBAN)
    reference.add_neighbourhood(ctx, code="moor", name="Moor", settlement=Settlement.RURAL)
    return {"urban": "central", "rural": "moor"}


@pytest.fixture
def actors(ctx: AppContext, password_hashes: dict[Role, str]) -> dict[Role, Actor]:
    """One user of every role; username is the role's value, password `password_for(role)`."""
    result = {}
    with ctx.db.transaction() as session:
        for role in Role:
            user = user_repo.add_user(
                session=session,
                username=role.value,
                display_name=role.label,
                role=role,
                password_hash=password_hashes[role],
                now=ctx.now(),
            )
            result[role] = Actor(user.id, user.username, user.display_name, role)
    return result


# --- web -----------------------------------------------------------------------------------


@dataclass
class SignedInClient:
    """A test client with a live session for one role, and its CSRF token."""

    client: object
    csrf: str
    role: Role | None


@pytest.fixture
def app(ctx: AppContext):  # type: ignore[no-untyped-def]
    """The web app on the test context."""
    from watchhouse.web.app import create_app

    return create_app(context=ctx)


@pytest.fixture
def client_as(
    app,
    ctx: AppContext,
    actors: dict[Role, Actor],  # type: ignore[no-untyped-def]
) -> Callable[[Role | None], SignedInClient]:
    """Make a TestClient signed in as a role (None: signed out), without a password round trip."""
    from fastapi.testclient import TestClient

    def make(role: Role | None) -> SignedInClient:
        client = TestClient(app, follow_redirects=False)
        if role is None:
            return SignedInClient(client, "", None)
        token, csrf = new_token(), new_token()
        with ctx.db.transaction() as session:
            user_repo.start_session(
                session=session,
                user_id=actors[role].user_id,
                token_digest=token_digest(token),
                csrf_token=csrf,
                kind="browser",
                now=ctx.now(),
                expires_at=ctx.now() + timedelta(hours=12),
            )
        client.cookies.set("wh_session", token)
        return SignedInClient(client, csrf, role)

    return make
