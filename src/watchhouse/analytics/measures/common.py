"""What the measures share: the cut columns of each fact table, and a helper that builds a
measure's specification from its words and its SQL.

A measure's SQL selects one row per record from a fact table (see facts.py) with `record_id`,
`day` (the local date the record falls on), the marker `/*cuts*/` where the measure's cut
columns go (one column per cut, named after it), and `num`/`den` (SHARE) or `x` (MEAN and
QUANTILE) or nothing more (COUNT)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from watchhouse.analytics.model import (
    Additive,
    Cut,
    Kind,
    MeasureDefinition,
    MeasureParams,
    MeasureSpec,
    Unit,
)

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND
CUTS_MARKER = "/*cuts*/"

CONTACT_CUTS: dict[Cut, str] = {
    Cut.NEIGHBOURHOOD: "f.hood",
    Cut.CHANNEL: "f.channel",
    Cut.GRADE: "f.grade_text",
}
INCIDENT_CUTS: dict[Cut, str] = dict(CONTACT_CUTS)
CRIME_CUTS: dict[Cut, str] = {
    Cut.NEIGHBOURHOOD: "f.hood",
    Cut.GRADE: "f.grade_text",
    Cut.CRIME_GROUP: "f.crime_group",
}


def without(cuts: Mapping[Cut, str], *dropped: Cut) -> dict[Cut, str]:
    """These cuts but the ones dropped."""
    return {k: v for k, v in cuts.items() if k not in dropped}


def flag(condition: str) -> str:
    """1 when the condition holds, else 0."""
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def done_by_deadline(
    params: MeasureParams, *, table: str, day: str, start: str, done: str, deadline: str
) -> Additive:
    """Work counted once started and then done or past its deadline; on time if done by it."""
    return Additive(
        table,
        day,
        f"""{start} IS NOT NULL
  AND ({done} IS NOT NULL OR {deadline} < {params.as_of_us})""",
        flag(f"{done} IS NOT NULL AND {done} <= {deadline}"),
    )


def grade_target_us(params: MeasureParams) -> str:
    """The attendance target of an incident fact's grade and settlement in microseconds; an
    incident flagged as domestic abuse takes the policy's tighter target for its grade."""
    tighter = params.domestic_abuse_targets_minutes
    domestic = [
        f"WHEN f.domestic_abuse AND f.grade = {g} AND f.settlement = '{s}' "
        f"THEN {int(min(minutes, tighter[g]) * US_PER_MINUTE)}"
        for (g, s), minutes in sorted(params.grade_targets_minutes.items())
        if g in tighter
    ]
    whens = " ".join(
        domestic
        + [
            f"WHEN f.grade = {g} AND f.settlement = '{s}' THEN {int(minutes * US_PER_MINUTE)}"
            for (g, s), minutes in sorted(params.grade_targets_minutes.items())
        ]
    )
    return f"(CASE {whens} ELSE NULL END)"


def measure(
    *,
    key: str,
    title: str,
    group: str,
    peel_area: str,
    unit: Unit,
    higher_is_better: bool | None,
    cuts: Mapping[Cut, str],
    record_type: str,
    definition: str,
    kind: Kind,
    build: Callable[[MeasureParams], str] | None = None,
    scale: float = 1.0,
    quantile: float | None = None,
    derived: Callable[[MeasureParams], tuple[tuple[str, str], ...]] | None = None,
    additive: Callable[[MeasureParams], Additive] | None = None,
) -> MeasureSpec:
    """A measure's specification: its catalogue entry and its SQL with the cut columns."""
    columns = "".join(f", {expression} AS {cut.value}" for cut, expression in cuts.items())
    if build is None:
        if additive is None:
            raise RuntimeError(f"{key}: give the SQL or its additive parts")
        parts = additive
        build = lambda params: additive_sql(kind, parts(params))  # noqa: E731
    records = build

    def sql(params: MeasureParams) -> str:
        text = records(params)
        if CUTS_MARKER not in text:
            raise RuntimeError(f"{key}: the SQL has no {CUTS_MARKER} marker")
        return text.replace(CUTS_MARKER, columns)

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
            definition=" ".join(definition.split()),
        ),
        kind=kind,
        build=sql,
        scale=scale,
        quantile=quantile,
        derived=derived,
        additive=additive,
        cut_columns=tuple(cuts.items()),
    )


def additive_sql(kind: Kind, parts: Additive) -> str:
    """The records of an additive measure, for the single-measure path and drill-down."""
    if kind == Kind.SHARE:
        values = f", {parts.value} AS num, 1 AS den"
    elif kind in (Kind.MEAN, Kind.QUANTILE):
        values = f", {parts.value} AS x"
    else:
        values = ""
    return f"""
SELECT f.id AS record_id, {parts.day} AS day {CUTS_MARKER}{values}
FROM {parts.source}
WHERE {parts.where}"""
