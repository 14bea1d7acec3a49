"""Every route declares one action, and every role is refused exactly when the table says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from watchhouse.auth.permissions import can
from watchhouse.domain.roles import Action, Role
from watchhouse.services.context import AppContext
from watchhouse.web import pages
from watchhouse.web.app import create_app
from watchhouse.web.security import SESSION_COOKIE, Permission

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - FastAPI before included routers were kept lazily
    iter_route_contexts = None

pytestmark = pytest.mark.web

# The server-sent event stream never ends on its own; it is tested on its own below, with the
# stream cut short, rather than in the generic sweep.
STREAM_PATH = "/dispatch/events"
IDENTITIES: list[Role | None] = [None, *Role]


def _flat_routes(app: object) -> list[tuple[BaseRoute, object]]:
    """Each route of the app with the object holding its effective path, methods and dependant.

    FastAPI 0.165 keeps included routers as `_IncludedRouter` entries of `app.routes`;
    `iter_route_contexts` flattens them as the router and the OpenAPI generator see them.
    """
    routes = app.routes
    if iter_route_contexts is None:  # older FastAPI: app.routes is already flat
        return [(route, route) for route in routes]
    return [(context.original_route, context) for context in iter_route_contexts(routes)]


def _permissions_of(effective: object) -> list[Permission]:
    """Every Permission among a route's dependencies, at any depth."""
    found = []
    stack = list(effective.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, Permission):
            found.append(dependency.call)
        stack.extend(dependency.dependencies)
    return found


def _endpoints(app: object) -> list[tuple[str, str, Action]]:
    """(method, path, action) of every API route of an app that declares one permission.

    A route with none (or several) is reported by the declaration test, not here.
    """
    result = []
    for route, effective in _flat_routes(app):
        permissions = _permissions_of(effective) if isinstance(route, APIRoute) else []
        if len(permissions) == 1:
            (permission,) = permissions
            path = effective.path
            methods = effective.methods
            result.extend((method, path, permission.action) for method in methods)
    return sorted(result)


# The routes are fixed when the app is built; the context is only stored, so a placeholder
# is enough to list them at collection time. test_every_route_is_swept checks the real app.
ENDPOINTS = _endpoints(create_app(context=cast(AppContext, object())))
SWEPT = [e for e in ENDPOINTS if e[1] != STREAM_PATH]


def _fill_path(path: str, records) -> str:
    """Put the id of an existing record in each path parameter."""
    ids = {
        "contact_id": records.contact_id,
        "incident_id": records.incident_id,
        "person_id": records.person_id,
        "plan_id": records.plan_id,
        "action_id": records.action_id,
        "referral_id": records.referral_id,
        "crime_id": records.crime_id,
        "victim_id": records.victim_id,
        "update_id": records.update_id,
        "task_id": records.task_id,
        "template_code": records.template_code,
        "sample_id": records.sample_id,
        "item_id": records.item_id,
        "finding_id": records.finding_id,
        "which": "investigator",  # a worklist both roles that may export one may see
    }

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"no existing record for path parameter {name!r} in {path}"
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", one, path)


def _send(signed, method: str, path: str):
    """A minimal request as the signed-in client would send it, with its CSRF token."""
    headers = {"X-Justification": "route permission test"}
    if method == "GET":
        return signed.client.get(path, headers=headers)
    if path.startswith("/api/"):
        headers["X-CSRF-Token"] = signed.csrf
        return signed.client.request(method, path, json={}, headers=headers)
    return signed.client.request(method, path, data={"csrf_token": signed.csrf}, headers=headers)


def _clears_session(response) -> bool:
    return any(
        c.startswith(f"{SESSION_COOKIE}=") and "Max-Age=0" in c
        for c in response.headers.get_list("set-cookie")
    )


def _refused(response, path: str) -> bool:
    """True if the response is a refusal: 401/403, or the sign-in redirect of a page."""
    if response.status_code in (401, 403):
        return True
    return (
        not path.startswith("/api/")
        and response.status_code == 303
        and response.headers.get("location") == "/login"
        # a successful sign-out also goes to /login, but it clears the session cookie
        and not _clears_session(response)
    )


def _mismatch(role: Role | None, action: Action, path: str, response) -> str | None:
    """Why the response does not match the permission table, or None if it does."""
    who = role.value if role else "signed out"
    status = response.status_code
    if can(role, action):
        if _refused(response, path):
            return f"{who}: may {action.value} but was refused with {status}"
        if status >= 500:
            return f"{who}: may {action.value} but the server failed with {status}"
        return None
    if role is None and path.startswith("/api/"):
        expected_ok = status == 401 and "sign in" in response.json()["message"]
        expected = "401"
    elif role is None:
        expected_ok = status == 303 and response.headers.get("location") == "/login"
        expected = "303 to /login"
    else:
        expected_ok = status == 403
        expected = "403"
    if not expected_ok:
        return f"{who}: may not {action.value}; expected {expected}, got {status}"
    return None


def test_every_api_route_declares_exactly_one_permission(app):
    without, several, others = [], [], []
    for route, effective in _flat_routes(app):
        if isinstance(route, APIRoute):
            name = f"{sorted(effective.methods)} {effective.path}"
            count = len(_permissions_of(effective))
            if count == 0:
                without.append(name)
            elif count > 1:
                several.append(name)
        elif not (isinstance(route, Mount) and route.path == "/static"):
            others.append(repr(route))
    assert without == [], f"routes without a Permission dependency: {without}"
    assert several == [], f"routes with more than one Permission dependency: {several}"
    assert others == [], f"routes that are neither API routes nor the /static mount: {others}"
    assert len(ENDPOINTS) > 20, "the route listing found suspiciously few routes"


def test_every_route_is_swept(app):
    assert _endpoints(app) == ENDPOINTS
    assert {path for _, path, _ in ENDPOINTS} - {path for _, path, _ in SWEPT} == {STREAM_PATH}


@pytest.mark.parametrize(("method", "path", "action"), SWEPT, ids=[f"{m} {p}" for m, p, _ in SWEPT])
def test_route_refuses_exactly_the_roles_the_table_refuses(
    method: str,
    path: str,
    action: Action,
    client_as: Callable,
    existing_records,
):
    url = _fill_path(path, existing_records)
    mismatches = []
    for role in IDENTITIES:
        response = _send(client_as(role), method, url)
        problem = _mismatch(role, action, path, response)
        if problem:
            mismatches.append(problem)
    assert mismatches == [], f"{method} {path} ({action.value}):\n" + "\n".join(mismatches)


def test_dispatch_event_stream_refuses_exactly_the_roles_without_the_queue(
    client_as: Callable, existing_records, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pages, "QUEUE_POLL_SECONDS", 0.01)
    monkeypatch.setattr(pages, "QUEUE_STREAM_SECONDS", 0.01)
    ((_, _, action),) = [e for e in ENDPOINTS if e[1] == STREAM_PATH]
    assert action == Action.VIEW_QUEUE
    mismatches = []
    for role in IDENTITIES:
        response = client_as(role).client.get(STREAM_PATH)
        problem = _mismatch(role, action, STREAM_PATH, response)
        if problem:
            mismatches.append(problem)
        elif can(role, action):
            assert response.headers["content-type"].startswith("text/event-stream")
            assert "event: queue" in response.text
    assert mismatches == [], "\n".join(mismatches)


def test_signed_out_visitor_may_only_sign_in():
    public = {action for _, _, action in ENDPOINTS if can(None, action)}
    assert public == {Action.SIGN_IN}


def test_identity_routes_declare_their_own_actions():
    declared = {(method, path): action for method, path, action in ENDPOINTS}
    assert declared[("POST", "/contacts/{contact_id}/caller")] == Action.CONFIRM_CALLER
    assert declared[("POST", "/people/{person_id}/identity-decisions")] == Action.DECIDE_IDENTITY
    assert declared[("GET", "/people/{person_id}")] == Action.VIEW_PERSON


def test_board_routes_declare_their_own_actions():
    declared = {(method, path): action for method, path, action in ENDPOINTS}
    assert declared[("GET", "/board")] == Action.VIEW_BOARD
    assert declared[("GET", "/board/measure")] == Action.VIEW_BOARD
    assert declared[("GET", "/board/peel")] == Action.VIEW_BOARD
    assert declared[("GET", "/board/plotly.min.js")] == Action.VIEW_BOARD
    assert declared[("GET", "/charts/plotly.min.js")] == Action.VIEW_HOME
    assert declared[("GET", "/board/export")] == Action.EXPORT_BOARD
    assert declared[("GET", "/board/peel/export")] == Action.EXPORT_BOARD
    assert declared[("POST", "/worklists/{which}/export")] == Action.EXPORT_WORKLIST
    assert declared[("GET", "/board/records")] == Action.DRILL_DOWN
