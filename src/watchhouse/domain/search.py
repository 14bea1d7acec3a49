"""What a search box entry means: a reference, a telephone number or a person's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from watchhouse.domain.access import parse_reference, reference_for
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.identifiers import normalise_telephone


class SearchKind(StrEnum):
    """How a search entry was read."""

    REFERENCE = "reference"
    TELEPHONE = "telephone"
    NAME = "name"


@dataclass(frozen=True)
class SearchQuery:
    """A search entry, read: the record a reference names, an E.164 number, or a name."""

    kind: SearchKind
    record_type: str = ""
    record_id: int = 0
    telephone: str = ""
    family_name: str = ""
    given_name: str = ""


@dataclass(frozen=True)
class SearchHit:
    """One record found: what it is, its reference and the page that shows it."""

    record_type: str
    record_id: int
    title: str
    detail: str
    at: datetime | None
    url: str

    @property
    def reference(self) -> str:
        """The screen reference (C0001234), or the person's number for a person."""
        return reference_for(self.record_type, str(self.record_id)) or f"#{self.record_id}"


@dataclass(frozen=True)
class SearchResult:
    """The records found (at most `limit`) and whether more matched than are shown."""

    query: SearchQuery
    hits: tuple[SearchHit, ...]
    limit: int
    more: bool


_TELEPHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]+$")
_NAME = re.compile(r"^[^\W\d_][^\W\d_' .-]*(?:['. -][^\W\d_]+)*$")
_MIN_TELEPHONE_DIGITS = 6


def read_search(text: str, *, region: str) -> SearchQuery:
    """Read a search entry: a reference (any case, spaces allowed), a telephone number (any
    national or international form) or a name ("Smith", "Jane Smith" or "Smith, Jane")."""
    entry = " ".join(text.split())
    if not entry:
        raise ValidationFailed.one("q", "type a reference, a telephone number or a name")
    reference = parse_reference(entry)
    if reference is not None:
        return SearchQuery(
            SearchKind.REFERENCE, record_type=reference[0], record_id=int(reference[1])
        )
    if _TELEPHONE_CHARACTERS.match(entry):
        if sum(ch.isdigit() for ch in entry) < _MIN_TELEPHONE_DIGITS:
            raise ValidationFailed.one("q", f"{entry!r} is too short to be a telephone number")
        try:
            return SearchQuery(SearchKind.TELEPHONE, telephone=normalise_telephone(entry, region))
        except ValueError as exc:
            raise ValidationFailed.one("q", str(exc)) from exc
    return _name_query(entry)


def _name_query(entry: str) -> SearchQuery:
    if "," in entry:
        family, _, given = (part.strip() for part in entry.partition(","))
    else:
        *given_parts, family = entry.split(" ")
        given = " ".join(given_parts)
    if not family or not _NAME.match(family) or (given and not _NAME.match(given)):
        raise ValidationFailed.one(
            "q",
            f"{entry!r} is not a reference (e.g. C0001234), a telephone number or a name "
            "(e.g. Smith, or Jane Smith)",
        )
    return SearchQuery(SearchKind.NAME, family_name=family, given_name=given)
