"""The fast path for plain UK numbers gives exactly what the full phonenumbers parse gives."""

from __future__ import annotations

import random
import re

import pytest

from watchhouse.domain.identifiers import telephone_or_none
from watchhouse.domain.telephone_fast import e164_or_none


def _spellings(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 14)))
        head, tail = digits[:4], digits[4:]
        out.append(
            rng.choice(
                [
                    digits,
                    "0" + digits,
                    "00" + digits,
                    "+" + digits,
                    "+44" + digits,
                    "+440" + digits,
                    "0044" + digits,
                    "44" + digits,
                    f"0{head} {tail}",
                    f"+44 {head} {tail}",
                    f"0{head}-{tail}",
                    f" 0{digits} ",
                    f"(0{head}) {tail}",
                    "+1" + digits,
                    "+33" + digits,
                    "+353" + digits,
                    "01800 20" + digits,
                    "+44180020" + digits,
                    f"0{digits}x12",
                    "tel:+44" + digits,
                    f"0{digits} ext 4",
                ]
            )
        )
    return out


REAL_SHAPES = [
    "07700 900123",
    "07700900123",
    "+447700900123",
    "+44 7700 900123",
    "0161 496 0000",
    "020 7946 0000",
    "01632 960123",
    "0800 123 4567",
    "0300 123 1212",
    "0845 46 47",
    "999",
    "101",
    "112",
    "0",
    "+",
    "",
    "  ",
    "07700 90012",
    "077009001234",
    "+44 (0)20 7946 0000",
    "+1 202 555 0143",
    "+33 6 12 34 56 78",
    "+49 30 901820",
    "+353 1 234 5678",
    "001 202 555 0143",
    "0044 7700 900123",
    "Withheld",
    "07700 9OO123",
    "٠٧٧٠٠٩٠٠١٢٣",
    "0180020 1234567",
    "+44 1800 201234",
]


@pytest.mark.parametrize("raw", REAL_SHAPES)
def test_real_spellings_match_phonenumbers(raw: str) -> None:
    assert e164_or_none(raw, "GB") == telephone_or_none(raw, "GB")


@pytest.mark.parametrize("region", ["GB", "IE", "US", "FR"])
def test_many_spellings_match_phonenumbers(region: str) -> None:
    spellings = _spellings(seed=len(region) * 7 + ord(region[0]), count=8_000)
    differing = [
        raw for raw in spellings if e164_or_none(raw, region) != telephone_or_none(raw, region)
    ]
    assert differing == []
    # The spellings reach the fast path, and it answers numbers, not only None.
    plain = [raw for raw in spellings if re.fullmatch(r"(0|\+44)[1-9][0-9]{6,9}", raw)]
    assert len(plain) > 300
    assert sum(e164_or_none(raw, region) is not None for raw in plain) > 200


def test_plain_uk_numbers_are_e164() -> None:
    assert e164_or_none("07700 900123") == "+447700900123"
    assert e164_or_none("+447700900123") == "+447700900123"
    assert e164_or_none("not a number") is None
    assert e164_or_none(None) is None
