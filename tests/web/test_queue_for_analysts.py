"""An analyst may watch the dispatch queue for demand, but not read what callers said or
where: the queue they see has no narratives or locations; a dispatcher's has both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web

NARRATIVE = "Man with a knife in the street"  # tests/web/conftest.py existing_records
PLACE = "High Street"


def test_the_analyst_sees_the_queue_without_narratives_or_locations(
    client_as: Callable, existing_records
) -> None:
    page = client_as(Role.ANALYST).client.get("/dispatch")
    assert page.status_code == 200
    # Listed by reference, without a link to a page the analyst may not open.
    assert f"I{existing_records.incident_id:07d}" in page.text
    assert f'href="/incidents/{existing_records.incident_id}"' not in page.text
    assert NARRATIVE not in page.text
    assert PLACE not in page.text


def test_the_dispatcher_sees_narratives_and_locations_in_the_queue(
    client_as: Callable, existing_records
) -> None:
    page = client_as(Role.DISPATCHER).client.get("/dispatch")
    assert NARRATIVE in page.text
    assert PLACE in page.text
