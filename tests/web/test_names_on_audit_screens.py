"""The audit screens name people by their names, not their usernames (the feedback page
already did): the access log, the samples list, a sample and an audited record."""

from __future__ import annotations

import pytest

from watchhouse.auth.permissions import can
from watchhouse.domain.roles import Action, Role

pytestmark = pytest.mark.web


def test_the_access_log_shows_the_users_name_with_the_username_as_a_title(
    ctx, actors, client_as, existing_records
):
    reader = next(r for r in Role if can(r, Action.VIEW_ACCESS_LOG))
    page = client_as(reader).client.get("/access-log")
    assert page.status_code == 200
    handler = actors[Role.CALL_HANDLER]
    assert f'<td title="username {handler.username}">{handler.display_name}</td>' in page.text
    assert f"<td>{handler.username}</td>" not in page.text


def test_the_audit_samples_and_an_audited_record_name_people_not_usernames(
    ctx, actors, client_as, existing_records
):
    auditor = actors[Role.AUDITOR]
    client = client_as(Role.AUDITOR).client
    listed = client.get("/audits").text
    assert f"by {auditor.display_name}</td>" in listed
    assert f"by {auditor.username}</td>" not in listed
    sample = client.get(f"/audits/samples/{existing_records.sample_id}").text
    assert f"by {auditor.display_name}." in sample
    handler = actors[Role.CALL_HANDLER]
    assert f"<td>{handler.display_name}</td>" in sample
    item = client.get(
        f"/audits/samples/{existing_records.sample_id}/items/{existing_records.item_id}"
    ).text
    assert f"whose work: {handler.display_name}" in item
    assert f"By {auditor.display_name}," in item
