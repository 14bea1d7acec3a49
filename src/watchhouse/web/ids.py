"""Record ids as the web accepts them: whole numbers the database's integer columns can hold,
so an id out of range is refused (422) or not found (404), never a server error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_RECORD_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider

RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="a record's id")]
OptionalRecordId = Annotated[
    int, Query(ge=0, le=MAX_RECORD_ID, description="a record's id; 0 for none")
]
MaybeRecordId = Annotated[int | None, Query(ge=1, le=MAX_RECORD_ID, description="a record's id")]


def record_id_or_none(raw: str) -> int | None:
    """A record id typed into a form, or None when it is not one the store could hold."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_RECORD_ID else None
