"""The catalogue written out as Markdown for docs/measures.md, so the page cannot drift from the
definitions (a test compares them). Run `uv run python -m watchhouse.analytics.docs` to rewrite
the generated part of the page after changing a definition."""

from __future__ import annotations

import sys
from pathlib import Path

from watchhouse.analytics.catalogue import GROUPS, PEEL_AREAS, Cut, catalogue

BEGIN = "<!-- BEGIN GENERATED: the catalogue (analytics/docs.py) -->"
END = "<!-- END GENERATED -->"
_UNITS = {
    "share": "share (%)",
    "seconds": "seconds",
    "minutes": "minutes",
    "count": "count",
    "hours": "hours",
}


def catalogue_markdown() -> str:
    """Every measure, group by group: key, unit, cuts, PEEL area and its definition."""
    lines: list[str] = []
    for group in GROUPS:
        lines += [f"### {group}", ""]
        for d in catalogue():
            if d.group != group:
                continue
            cuts = ", ".join(c.value for c in Cut if c in d.cuts)
            better = {True: "higher", False: "lower", None: "neither"}[d.higher_is_better]
            lines += [
                f"#### {d.title}",
                "",
                f"`{d.key}` · {_UNITS[d.unit.value]} · better: {better} · cuts: {cuts} · "
                f"PEEL: {PEEL_AREAS[d.peel_area]} · records: {d.record_type}",
                "",
                d.definition,
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def with_catalogue(page: str) -> str:
    """The page with its generated part replaced by the current catalogue."""
    head, _, rest = page.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{catalogue_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/measures.md")
    target.write_text(with_catalogue(target.read_text()))
