"""Ids the database cannot hold are refused, not crashed on, and every error page carries the
security headers (404, 405, 422, 500 and Starlette's own)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pytest
from fastapi.routing import APIRoute

from watchhouse.auth.permissions import can
from watchhouse.domain.roles import Action, Role
from watchhouse.services.context import AppContext
from watchhouse.web.app import create_app
from watchhouse.web.security import Permission

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI keeps app.routes flat
    iter_route_contexts = None

pytestmark = pytest.mark.web

SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy")
TOO_BIG = [2**31, 2**63, 10**30]


def _routes_with_ids() -> list[tuple[str, str, Action]]:
    """(method, path, action) of every route whose path holds a numeric record id."""
    app = create_app(context=cast(AppContext, object()))
    contexts = (
        [(r, r) for r in app.routes]
        if iter_route_contexts is None
        else [(c.original_route, c) for c in iter_route_contexts(app.routes)]
    )
    found = []
    for route, effective in contexts:
        if not isinstance(route, APIRoute) or not re.search(r"\{\w+_id\}", effective.path):
            continue
        stack = list(effective.dependant.dependencies)
        actions = []
        while stack:
            dependency = stack.pop()
            if isinstance(dependency.call, Permission):
                actions.append(dependency.call.action)
            stack.extend(dependency.dependencies)
        found.extend((m, effective.path, actions[0]) for m in effective.methods)
    return sorted(found)


ROUTES = _routes_with_ids()


def _lenient(app, signed):  # type: ignore[no-untyped-def]
    """A client with the same session that answers a server error instead of raising it."""
    from fastapi.testclient import TestClient

    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    client.cookies = signed.client.cookies
    return client


def _has_security_headers(response) -> bool:
    return all(name in response.headers for name in SECURITY_HEADERS)


def test_there_are_record_routes_to_check() -> None:
    assert len(ROUTES) > 50


def test_every_record_route_refuses_ids_beyond_the_database_integer_with_headers(
    app, client_as: Callable, existing_records
) -> None:
    clients = {}
    failures = []
    for method, path, action in ROUTES:
        role = next(r for r in Role if can(r, action))
        if role not in clients:
            signed = client_as(role)
            clients[role] = (signed, _lenient(app, signed))
        signed, client = clients[role]
        for big in TOO_BIG:
            url = re.sub(r"\{\w+_id\}", str(big), path)
            headers = {"X-Justification": "bounds test", "X-CSRF-Token": signed.csrf}
            if method == "GET":
                response = client.get(url, headers=headers)
            elif path.startswith("/api/"):
                response = client.request(method, url, json={}, headers=headers)
            else:
                response = client.request(
                    method, url, data={"csrf_token": signed.csrf}, headers=headers
                )
            if response.status_code not in (404, 422) or not _has_security_headers(response):
                failures.append(f"{method} {url} as {role.value}: {response.status_code}")
    assert failures == []


def test_query_ids_beyond_the_database_integer_are_refused(
    app, client_as: Callable, existing_records
):
    investigator = _lenient(app, client_as(Role.INVESTIGATOR))
    crime = investigator.get(
        f"/crimes/{existing_records.crime_id}?audit_sample={2**31}&audit_item=1"
    )
    assert crime.status_code == 422
    analyst = _lenient(app, client_as(Role.ANALYST))
    assert analyst.get(f"/planning?forecast={2**40}").status_code == 422


def test_starlette_404_and_405_pages_carry_the_security_headers(client_as: Callable) -> None:
    client = client_as(Role.CALL_HANDLER).client
    for response in (
        client.get("/no-such-page"),
        client.get("/api/no-such-thing"),
        client.delete("/login"),
        client.get("/static/no-such-file.css"),
    ):
        assert response.status_code in (404, 405)
        assert _has_security_headers(response), response.url
    assert client.get("/api/no-such-thing").json()["message"] == "there is no such page"


def test_a_422_and_an_unexpected_500_carry_the_security_headers(app, client_as: Callable) -> None:
    @app.get("/explode-for-test")
    async def explode() -> None:
        raise RuntimeError("boom")

    client = _lenient(app, client_as(Role.CALL_HANDLER))
    crashed = client.get("/explode-for-test")
    assert crashed.status_code == 500
    assert _has_security_headers(crashed)
    assert "boom" not in crashed.text
    refused = client.get("/api/contacts/not-a-number")
    assert refused.status_code == 422
    assert _has_security_headers(refused)


@pytest.mark.parametrize(
    ("role", "path"),
    [(None, "/login"), (Role.ANALYST, "/board"), (Role.ANALYST, "/planning"), (None, "/nowhere")],
)
def test_every_content_security_policy_forbids_framing_foreign_forms_and_base(
    client_as: Callable, role: Role | None, path: str
) -> None:
    response = client_as(role).client.get(path)
    directives = {
        d.strip().split(" ", 1)[0]: d.strip()
        for d in response.headers["Content-Security-Policy"].split(";")
    }
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["form-action"] == "form-action 'self'"
    assert directives["base-uri"] == "base-uri 'self'"
