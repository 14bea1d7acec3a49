"""Normalising telephone numbers (phonenumbers) and UK postcodes."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_telephone(raw: str, region: str = "GB") -> str:
    """Return a number in E.164 form, or raise ValueError saying why it is not a number."""
    return _normalised_telephone(raw, region)


# phonenumbers' parse costs about half a millisecond; a contact's write reads its number
# twice, and callers ring again. Numbers that are not numbers raise each time (not kept).
@lru_cache(maxsize=8192)
def _normalised_telephone(raw: str, region: str) -> str:
    text = raw.strip()
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a telephone number") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{raw!r} is not a possible telephone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_postcode(raw: str) -> str:
    """Return a UK postcode in upper case with one space, or raise ValueError."""
    compact = re.sub(r"\s+", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise ValueError(f"{raw!r} is not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def telephone_or_none(raw: str | None, region: str = "GB") -> str | None:
    """A number in E.164 form (`region` for numbers without a country code), or None when
    there is none or it is not a number."""
    try:
        return normalise_telephone(raw, region) if raw else None
    except ValueError:
        return None


@lru_cache(maxsize=65_536)
def postcode_or_none(raw: str | None) -> str | None:
    """A UK postcode normalised, or None when there is none or it is not a postcode."""
    try:
        return normalise_postcode(raw) if raw else None
    except ValueError:
        return None
