"""Values written to CSV files that a spreadsheet opens as text, never as a formula."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would read it as a
    formula (it starts with =, +, -, @, a tab or a carriage return)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
