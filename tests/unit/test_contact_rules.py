"""Checks on a new contact before anything is stored, and identifier normalising."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from watchhouse.domain.contact_rules import CheckedContact, check_new_contact
from watchhouse.domain.errors import FieldProblem
from watchhouse.domain.identifiers import normalise_postcode, normalise_telephone
from watchhouse.domain.records import NewContact
from watchhouse.domain.values import Channel

pytestmark = pytest.mark.unit

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _fields(result: CheckedContact | list[FieldProblem]) -> set[str]:
    assert isinstance(result, list), "expected the contact to be refused"
    return {p.field for p in result}


def _ok(result: CheckedContact | list[FieldProblem]) -> CheckedContact:
    assert isinstance(result, CheckedContact), f"expected acceptance, got {result}"
    return result


def test_contact_without_times_is_presented_and_answered_now() -> None:
    checked = _ok(check_new_contact(NewContact(Channel.EMERGENCY_999, summary="help"), NOW))
    assert checked.contact.presented_at == NOW
    assert checked.contact.answered_at == NOW


def test_presented_defaults_to_when_the_handler_answered() -> None:
    opened = NOW - timedelta(seconds=90)
    new = NewContact(Channel.EMERGENCY_999, answered_at=opened, summary="help")
    checked = _ok(check_new_contact(new, NOW))
    assert checked.contact.presented_at == opened
    assert checked.contact.answered_at == opened


def test_telephony_times_are_kept() -> None:
    presented, answered = NOW - timedelta(seconds=30), NOW - timedelta(seconds=22)
    new = NewContact(
        Channel.EMERGENCY_999, presented_at=presented, answered_at=answered, summary="help"
    )
    checked = _ok(check_new_contact(new, NOW))
    assert (checked.contact.presented_at, checked.contact.answered_at) == (presented, answered)


def test_abandoned_call_stays_unanswered_and_needs_no_summary() -> None:
    new = NewContact(Channel.NON_EMERGENCY_101, presented_at=NOW, abandoned=True)
    checked = _ok(check_new_contact(new, NOW))
    assert checked.contact.answered_at is None


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewContact(Channel.EMERGENCY_999, summary=""), "summary"),
        (NewContact(Channel.EMERGENCY_999, summary="x" * 4001), "summary"),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", presented_at=NOW + timedelta(minutes=5)),
            "presented_at",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", presented_at=datetime(2026, 6, 1, 11)),
            "presented_at",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", answered_at=datetime(2026, 6, 1, 11)),
            "answered_at",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", answered_at=NOW + timedelta(minutes=5)),
            "answered_at",
        ),
        (
            NewContact(
                Channel.EMERGENCY_999,
                summary="s",
                presented_at=NOW,
                answered_at=NOW - timedelta(seconds=1),
            ),
            "answered_at",
        ),
        (
            NewContact(
                Channel.EMERGENCY_999,
                presented_at=NOW - timedelta(seconds=5),
                answered_at=NOW,
                abandoned=True,
            ),
            "answered_at",
        ),
        (NewContact(Channel.EMERGENCY_999, summary="s", telephone="not a number"), "telephone"),
        (
            NewContact(
                Channel.EMERGENCY_999, summary="s", postcode="12345", neighbourhood_code="central"
            ),
            "postcode",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", date_of_birth=date(2026, 6, 2)),
            "date_of_birth",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", date_of_birth=date(1899, 12, 31)),
            "date_of_birth",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", location_description="High St"),
            "neighbourhood_code",
        ),
        (
            NewContact(Channel.EMERGENCY_999, summary="s", caller_family_name="x" * 201),
            "caller_family_name",
        ),
    ],
)
def test_bad_contact_is_refused_naming_the_field(new: NewContact, field: str) -> None:
    assert field in _fields(check_new_contact(new, NOW))


def test_every_problem_is_reported_at_once() -> None:
    new = NewContact(Channel.EMERGENCY_999, telephone="abc", postcode="zz", summary="")
    assert _fields(check_new_contact(new, NOW)) >= {"telephone", "postcode", "summary"}


def test_presented_within_clock_tolerance_is_accepted() -> None:
    new = NewContact(Channel.EMERGENCY_999, summary="s", presented_at=NOW + timedelta(minutes=1))
    _ok(check_new_contact(new, NOW))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("(01632) 960 123", "+441632960123"),
    ],
)
def test_uk_numbers_in_any_format_normalise_to_one_e164_form(raw: str, expected: str) -> None:
    assert normalise_telephone(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12"])
def test_non_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_telephone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        (" b33  8th ", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
    ],
)
def test_postcodes_normalise_to_upper_case_with_one_space(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "SW1A", "ABC DEF"])
def test_non_postcodes_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_postcode(raw)
