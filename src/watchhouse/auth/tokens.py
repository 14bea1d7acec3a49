"""Session and CSRF tokens: random secrets, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A fresh random URL-safe secret."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Compare two tokens in constant time; an empty expected token matches nothing."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
