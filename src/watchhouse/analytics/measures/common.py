"""SQL pieces the measures share: the joins that give each record its neighbourhood, channel
and grade, and a helper that builds a measure's specification."""

from __future__ import annotations

from collections.abc import Mapping

from watchhouse.analytics.model import (
    Cut,
    Kind,
    MeasureDefinition,
    MeasureParams,
    MeasureSpec,
    SqlBuilder,
    Unit,
)

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND

NO_CUT = "CAST(NULL AS VARCHAR)"
UNKNOWN = "unknown"

CONTACTS = """contacts c
LEFT JOIN locations l ON l.id = c.location_id
LEFT JOIN neighbourhoods n ON n.id = l.neighbourhood_id
LEFT JOIN incidents i ON i.contact_id = c.id"""

CONTACT_CUTS: dict[Cut, str] = {
    Cut.NEIGHBOURHOOD: f"COALESCE(n.code, '{UNKNOWN}')",
    Cut.CHANNEL: "c.channel",
    Cut.GRADE: "COALESCE(CAST(i.grade AS VARCHAR), 'ungraded')",
}

INCIDENTS = """incidents i
JOIN contacts c ON c.id = i.contact_id
LEFT JOIN locations l ON l.id = COALESCE(i.location_id, c.location_id)
LEFT JOIN neighbourhoods n ON n.id = l.neighbourhood_id"""

INCIDENT_CUTS: dict[Cut, str] = {
    Cut.NEIGHBOURHOOD: f"COALESCE(n.code, '{UNKNOWN}')",
    Cut.CHANNEL: "c.channel",
    Cut.GRADE: "CAST(i.grade AS VARCHAR)",
}


def cut_column(cut: Cut, options: Mapping[Cut, str]) -> str:
    """The SQL for a record's cut value, or a clear error for a cut the measure lacks."""
    if cut == Cut.FORCE:
        return NO_CUT
    try:
        return options[cut]
    except KeyError:
        raise ValueError(f"this measure cannot be cut by {cut.value}") from None


def flag(condition: str) -> str:
    """1 when the condition holds, else 0."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def grade_target_us(
    params: MeasureParams, grade: str = "i.grade", settlement: str = "i.settlement"
) -> str:
    """The attendance target of the record's grade and settlement in microseconds (NULL if none)."""
    whens = " ".join(
        f"WHEN {grade} = {g} AND {settlement} = '{s}' THEN {int(minutes * US_PER_MINUTE)}"
        for (g, s), minutes in sorted(params.grade_targets_minutes.items())
    )
    return f"CASE {whens} ELSE NULL END"


def measure(
    *,
    key: str,
    title: str,
    group: str,
    peel_area: str,
    unit: Unit,
    higher_is_better: bool | None,
    cuts: Mapping[Cut, str] | frozenset[Cut],
    record_type: str,
    definition: str,
    kind: Kind,
    build: SqlBuilder,
    scale: float = 1.0,
    quantile: float | None = None,
) -> MeasureSpec:
    """A measure's specification: its catalogue entry and how it is computed."""
    text = " ".join(definition.split())
    return MeasureSpec(
        definition=MeasureDefinition(
            key=key,
            title=title,
            group=group,
            peel_area=peel_area,
            unit=unit,
            higher_is_better=higher_is_better,
            cuts=frozenset({Cut.FORCE, *cuts}),
            record_type=record_type,
            definition=text,
        ),
        kind=kind,
        build=build,
        scale=scale,
        quantile=quantile,
    )
