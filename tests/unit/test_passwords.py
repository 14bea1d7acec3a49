"""Password hashing with argon2: round trip, wrong password, too short."""

from __future__ import annotations

import pytest

from watchhouse.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    dummy_hash,
    hash_password,
    verify_password,
)

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery staple"


def test_a_hashed_password_verifies() -> None:
    assert verify_password(hash_password(PASSWORD), PASSWORD) is True


def test_the_hash_is_argon2_and_does_not_contain_the_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)


@pytest.mark.parametrize(
    "attempt",
    ["correct horse battery stapler", "Correct horse battery staple", "", PASSWORD + " "],
    ids=["extra-letter", "capital", "empty", "trailing-space"],
)
def test_a_wrong_password_does_not_verify(attempt: str) -> None:
    assert verify_password(hash_password(PASSWORD), attempt) is False


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$broken"])
def test_a_damaged_stored_hash_does_not_verify_and_does_not_raise(stored: str) -> None:
    assert verify_password(stored, PASSWORD) is False


def test_the_dummy_hash_verifies_no_ordinary_password() -> None:
    assert verify_password(dummy_hash(), PASSWORD) is False


def test_minimum_length_is_ten_characters() -> None:
    assert MIN_PASSWORD_LENGTH == 10


@pytest.mark.parametrize("password", ["", "a", "nine-char"], ids=["empty", "one", "nine"])
def test_a_password_shorter_than_ten_characters_is_refused(password: str) -> None:
    with pytest.raises(ValueError, match="at least 10 characters"):
        hash_password(password)


def test_a_password_of_exactly_ten_characters_is_accepted() -> None:
    password = "ten-chars!"
    assert len(password) == 10
    assert verify_password(hash_password(password), password) is True
