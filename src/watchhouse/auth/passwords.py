"""Password hashing with argon2 (argon2-cffi).

argon2 is imported, and the dummy hash made, only when a password is hashed or checked:
commands and requests that check none (`watchhouse users list`, `--help`) do not pay for it
(bench/cli_startup.py)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password for storage, refusing ones too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if the password matches the stored hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(
    password: str, *, username: str, min_length: int, min_strength: int
) -> str | None:
    """Why a new password is refused (NCSC: long enough, not a common or breached password,
    not the username or part of it), or None.

    zxcvbn estimates how many guesses a password would take against the lists it ships
    (passwords common in breaches, English words, names, keyboard patterns, dates, repeats),
    offline; `min_strength` is its score from 0 (too guessable) to 4."""
    if len(password) < min_length:
        return f"must be at least {min_length} characters"
    folded = "".join(c for c in password.casefold() if c.isalnum())
    name = "".join(c for c in username.casefold() if c.isalnum())
    parts = [p for p in re.split(r"[^a-z0-9]+", username.casefold()) if len(p) >= 3]
    if folded and (folded in name or folded in parts):
        return "must not be the username or part of it"
    # Imported here: its word lists cost a quarter of a second, which commands that check
    # no password (`users list`, every page request's session check) need not pay.
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]

    estimate = zxcvbn(password[:100], user_inputs=[username, *parts])
    if int(estimate["score"]) < min_strength:
        return "is too common or too easy to guess: try three or more random words"
    return None


@cache
def dummy_hash() -> str:
    """A hash checked against when the username is unknown, so a wrong username takes as long
    as a wrong password (made once, on first use)."""
    return _hasher().hash("not-a-real-password-used-to-even-timing")
