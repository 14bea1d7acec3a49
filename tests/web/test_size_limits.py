"""Size limits: a body over 1 MiB is refused with 413 before it is stored (declared or
streamed); a text field over its limit, or a key the shape does not have, is 422 naming it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from watchhouse.domain.roles import Role
from watchhouse.web.limits import MAX_FREE_TEXT_CHARS

pytestmark = pytest.mark.web

TWENTY_MB = 20 * 1024 * 1024
THRIVE = {
    "threat": 3,
    "harm": 3,
    "risk": 3,
    "investigation": 2,
    "vulnerability": 1,
    "engagement": "immediate_attendance",
    "indicators": ["violence"],
}


def _problems(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p["field"]: p["reason"] for p in response.json()["problems"]}


@pytest.fixture
def handler(client_as: Callable):  # type: ignore[no-untyped-def]
    signed = client_as(Role.CALL_HANDLER)
    signed.client.headers["X-CSRF-Token"] = signed.csrf
    return signed.client


def test_a_twenty_megabyte_body_is_refused_with_413(handler, ctx) -> None:
    huge = '{"channel": "999", "summary": "' + "x" * TWENTY_MB + '"}'
    response = handler.post(
        "/api/contacts", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than 1024 KiB" in response.json()["message"]
    assert "Content-Security-Policy" in response.headers


def test_a_twenty_megabyte_body_without_a_length_is_refused_with_413(handler) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"channel": "999", "summary": "'
        for _ in range(20):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = handler.post(
        "/api/contacts", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_an_over_long_thrive_note_is_422_naming_the_field(handler, existing_records) -> None:
    body = {**THRIVE, "notes": {"threat": "x" * (MAX_FREE_TEXT_CHARS + 1)}}
    response = handler.post(f"/api/contacts/{existing_records.contact_id}/thrive", json=body)
    assert response.status_code == 422
    assert "notes.threat" in _problems(response)


def test_a_thrive_note_under_a_key_that_is_not_a_thrive_element_is_refused(
    handler, existing_records
) -> None:
    body = {**THRIVE, "notes": {"colour": "red"}}
    response = handler.post(f"/api/contacts/{existing_records.contact_id}/thrive", json=body)
    assert response.status_code == 422
    assert any(field.startswith("notes.colour") for field in _problems(response))


def test_an_over_long_departure_reason_is_422_naming_the_field(handler, existing_records) -> None:
    body = {"grade": 2, "departure_reason": "x" * 20_000}
    response = handler.post(f"/api/contacts/{existing_records.contact_id}/grade", json=body)
    assert response.status_code == 422
    assert "departure_reason" in _problems(response)


def test_an_over_long_form_field_is_422_naming_it(client_as: Callable, existing_records) -> None:
    signed = client_as(Role.CALL_HANDLER)
    response = signed.client.post(
        f"/contacts/{existing_records.contact_id}/grade",
        data={"csrf_token": signed.csrf, "grade": "2", "departure_reason": "x" * 20_000},
    )
    assert response.status_code == 422
    assert "longer than 4000 characters" in response.text
    assert "departure_reason" in response.text or "departure reason" in response.text
