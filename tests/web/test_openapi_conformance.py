"""The JSON API against its own OpenAPI description, fuzzed by schemathesis.

Every operation under /api gets generated requests (valid and invalid) as a role that may call
it. The checks: no server error, every status code and content type documented, every response
body valid against its schema. The budget is small and the examples derandomised, so CI runs
the same cases each time; `WATCHHOUSE_FUZZ_EXAMPLES` raises it for a longer run by hand.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from watchhouse.domain.roles import Role
from watchhouse.services import accounts
from watchhouse.web.app import create_app

pytestmark = pytest.mark.web

EXAMPLES = int(os.environ.get("WATCHHOUSE_FUZZ_EXAMPLES", "12"))
CHECKS = (
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

# Which role calls which part of the API: the one whose work it is, so the requests reach the
# code behind the permission check rather than stopping at 403.
ROLE_FOR_PREFIX = (
    ("/api/telephony", Role.TELEPHONY_SYSTEM),
    ("/api/contacts", Role.CALL_HANDLER),
    ("/api/thrive", Role.CALL_HANDLER),
    ("/api/queue", Role.DISPATCHER),
    ("/api/incidents", Role.DISPATCHER),
    ("/api/access-log", Role.ADMINISTRATOR),
    ("/api/crimes", Role.INVESTIGATOR),
    ("/api/worklists/investigator", Role.INVESTIGATOR),
    ("/api/worklists/supervisor", Role.SUPERVISOR),
    ("/api/audits/feedback", Role.SUPERVISOR),
    ("/api/audits", Role.AUDITOR),
)


def _role_for(path: str) -> Role:
    for prefix, role in ROLE_FOR_PREFIX:
        if path.startswith(prefix):
            return role
    raise AssertionError(f"no role chosen for {path}: add it to ROLE_FOR_PREFIX")


def test_the_openapi_description_lists_only_the_json_api(ctx):
    paths = create_app(context=ctx).openapi()["paths"]
    assert paths, "the API has operations"
    assert [p for p in paths if not p.startswith("/api/")] == []


def test_every_api_operation_conforms_to_its_openapi_description(ctx, actors, existing_records):
    app = create_app(context=ctx)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=_auth(ctx))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the API's operations are all described"
    tokens: dict[Role, str] = {}
    failures: list[str] = []
    for operation in operations:
        role = _role_for(operation.path)
        if role not in tokens:
            tokens[role] = accounts.issue_api_token(ctx, username=role.value)
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        try:
            _fuzz(operation, headers)
        except AssertionError as failure:  # schemathesis raises a failure group, an AssertionError
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert failures == [], "\n\n".join(failures)


def _auth(ctx: Any) -> dict[str, str]:
    """Headers for loading the description itself (any signed-in role may read it)."""
    return {"Authorization": f"Bearer {accounts.issue_api_token(ctx, username='analyst')}"}


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    """Run one operation's generated cases through every check."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("level", [False, True, "2", 2.0])
def test_a_thrive_level_must_be_a_json_number(app, ctx, actors, level):
    token = accounts.issue_api_token(ctx, username=Role.CALL_HANDLER.value)
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    body = {
        "threat": level,
        "harm": 1,
        "risk": 1,
        "investigation": 1,
        "vulnerability": 1,
        "engagement": "immediate_attendance",
    }
    response = client.post("/api/thrive/suggestion", json=body)
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["threat"]


def test_the_idempotent_replay_and_the_body_limit_are_documented(ctx):
    operations = create_app(context=ctx).openapi()["paths"]
    assert "200" in operations["/api/contacts"]["post"]["responses"]
    assert "201" in operations["/api/contacts"]["post"]["responses"]
    assert all(
        "413" in operation["responses"]
        for path in operations.values()
        for operation in path.values()
        if "requestBody" in operation
    )
