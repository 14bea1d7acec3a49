"""The force's published data (data.police.uk): street-level crimes by type and month, the
outcome mix, and stop and search counts, find and arrest rates.

data.police.uk publishes crimes and outcomes by month only (the `Month` column, YYYY-MM), so
each such record falls on the first day of its month: report them by month, quarter or rolling
year (a week or day period shows a whole month on its first day). Stop and search has its
moment, so it falls on its local day like any record.

Each row keeps the force whose file it came from, as data.police.uk names it in the file name
(`2024-01-west-yorkshire-street.csv`): cut `published_force` shows every force imported, and
`MeasureParams.published_force` keeps one (the board's: policy `[force] police_uk_id`). Every
measure reads its table through `published_sql`, so the filter and the cut are the same for
all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from watchhouse.analytics.measures.common import CUTS_MARKER, flag, measure
from watchhouse.analytics.model import Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Published data (data.police.uk)"
PEEL = "preventing_and_deterring_crime"
POWERS = "police_powers_and_treating_the_public_fairly"
UNKNOWN_TYPE = "unknown"
UNKNOWN_FORCE = "unknown"
MONTH_DAY = "CAST({alias}.month || '-01' AS DATE)"

# The published outcome categories in each part of the mix (data.police.uk's own wording).
OUTCOME_MIX: dict[str, tuple[str, tuple[str, ...], str]] = {
    "charged": (
        "Published outcomes: suspect charged",
        ("Suspect charged", "Suspect charged as part of another case"),
        '"Suspect charged" or "Suspect charged as part of another case"',
    ),
    "out_of_court": (
        "Published outcomes: out of court",
        (
            "Offender given a caution",
            "Offender given a drugs possession warning",
            "Offender given penalty notice",
            "Local resolution",
        ),
        'a caution, a drugs possession warning, a penalty notice or a "Local resolution"',
    ),
    "no_suspect": (
        "Published outcomes: no suspect identified",
        ("Investigation complete; no suspect identified",),
        '"Investigation complete; no suspect identified"',
    ),
    "unable_to_prosecute": (
        "Published outcomes: unable to prosecute",
        ("Unable to prosecute suspect",),
        '"Unable to prosecute suspect" (evidential difficulties, or the victim does not '
        "support action)",
    ),
}
# Stop and search outcomes that are no find whatever the linked flag says.
NO_FURTHER_ACTION = ("A no further action disposal", "Nothing found - no further action")
ARREST = "Arrest"


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


@dataclass(frozen=True)
class _Published:
    """One published table as every measure on it reads it: its rows, the day each falls on,
    and the force whose file it came from (the published_force cut and filter)."""

    source: str
    day: str
    force: str
    joins: str = ""


CRIMES = _Published("police_uk_crimes c", MONTH_DAY.format(alias="c"), "c.published_force")
OUTCOMES = _Published(
    "police_uk_outcomes o",
    MONTH_DAY.format(alias="o"),
    "o.published_force",
    # The crime's published type, found by its Crime ID in the street files imported.
    joins="""LEFT JOIN (SELECT crime_id, MIN(crime_type) AS crime_type FROM police_uk_crimes
           WHERE crime_id IS NOT NULL GROUP BY crime_id) t ON t.crime_id = o.crime_id""",
)
SEARCHES = _Published("police_uk_stop_searches s", "s.searched_day", "s.force")


def force_cut(table: _Published) -> str:
    """The published_force cut's value: the force's data.police.uk id, or unknown."""
    return f"COALESCE({table.force}, '{UNKNOWN_FORCE}')"


def published_sql(
    table: _Published, params: MeasureParams, *, where: str = "TRUE", share: str | None = None
) -> str:
    """The records of a published-data measure: one row per published row `where` picks (with
    `share`, a SHARE's 0/1 numerator), of the force `params.published_force` when given."""
    alias = table.source.split()[-1]
    conditions = [where]
    if params.published_force is not None:
        wanted = params.published_force.replace("'", "''")
        conditions.append(f"{force_cut(table)} = '{wanted}'")
    values = "" if share is None else f", {flag(share)} AS num, 1 AS den"
    return f"""
SELECT {alias}.id AS record_id, {table.day} AS day {CUTS_MARKER}{values}
FROM {table.source}
{table.joins}
WHERE {" AND ".join(f"({c})" for c in conditions)}"""


def _street_crimes(params: MeasureParams) -> str:
    return published_sql(CRIMES, params, where="c.month IS NOT NULL")


def _outcome_share(categories: tuple[str, ...]) -> Callable[[MeasureParams], str]:
    def build(params: MeasureParams) -> str:
        return published_sql(
            OUTCOMES,
            params,
            where="o.month IS NOT NULL AND o.outcome_type IS NOT NULL",
            share=f"o.outcome_type IN ({_quoted(categories)})",
        )

    return build


def _stop_searches(params: MeasureParams) -> str:
    return published_sql(SEARCHES, params)


def _find_rate(params: MeasureParams) -> str:
    found = (
        "s.outcome_linked_to_object AND COALESCE(s.outcome, '') NOT IN "
        f"({_quoted(NO_FURTHER_ACTION)})"
    )
    return published_sql(
        SEARCHES, params, where="s.outcome_linked_to_object IS NOT NULL", share=found
    )


def _arrest_rate(params: MeasureParams) -> str:
    return published_sql(
        SEARCHES, params, where="s.outcome IS NOT NULL", share=f"s.outcome = '{ARREST}'"
    )


def _outcome_measure(slug: str) -> MeasureSpec:
    title, categories, words = OUTCOME_MIX[slug]
    return measure(
        key=f"police_uk.outcome_{slug}",
        title=title,
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts={
            Cut.CRIME_GROUP: f"COALESCE(t.crime_type, '{UNKNOWN_TYPE}')",
            Cut.PUBLISHED_FORCE: force_cut(OUTCOMES),
        },
        record_type="police_uk_outcomes",
        kind=Kind.SHARE,
        build=_outcome_share(categories),
        definition=f"""Part of the published outcome mix: of the outcomes data.police.uk
        lists for the month (the outcomes file: every outcome recorded that month, court
        results included, whenever the crime was), the share whose outcome type is {words}.
        The crime group cut is the crime's published type, found by its Crime ID in the street
        files imported ("unknown" when the crime's street file is not).""",
    )


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="police_uk.street_crimes",
        title="Published street-level crimes",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts={
            Cut.CRIME_GROUP: f"COALESCE(c.crime_type, '{UNKNOWN_TYPE}')",
            Cut.PUBLISHED_FORCE: force_cut(CRIMES),
        },
        record_type="police_uk_crimes",
        kind=Kind.COUNT,
        build=_street_crimes,
        definition="""The number of street-level crimes data.police.uk lists for the month
        (every row of the street files imported; a crime is listed in the month it was
        reported). Cut by crime group for crimes by type: the published "Crime type"
        (anti-social behaviour is one of them).""",
    ),
    *(_outcome_measure(slug) for slug in OUTCOME_MIX),
    measure(
        key="police_uk.stop_searches",
        title="Published stop and searches",
        group=GROUP,
        peel_area=POWERS,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts={Cut.PUBLISHED_FORCE: force_cut(SEARCHES)},
        record_type="police_uk_stop_searches",
        kind=Kind.COUNT,
        build=_stop_searches,
        definition="""The number of stop and searches data.police.uk lists for the period,
        by the local day of the search.""",
    ),
    measure(
        key="police_uk.stop_search_find_rate",
        title="Published stop and search find rate",
        group=GROUP,
        peel_area=POWERS,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts={Cut.PUBLISHED_FORCE: force_cut(SEARCHES)},
        record_type="police_uk_stop_searches",
        kind=Kind.SHARE,
        build=_find_rate,
        definition="""Of the published stop and searches in the period whose "Outcome linked
        to object of search" is given (true or false), the share where it is true and the
        outcome is more than no further action: the search found what it was for and led to an
        arrest, a summons, a caution, a penalty notice, a warning, a community resolution or
        similar. A search with the flag left empty is left out (the denominator is shown). An
        outcome of "A no further action disposal" (or the older "Nothing found - no further
        action") never counts as a find.""",
    ),
    measure(
        key="police_uk.stop_search_arrest_rate",
        title="Published stop and searches leading to arrest",
        group=GROUP,
        peel_area=POWERS,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts={Cut.PUBLISHED_FORCE: force_cut(SEARCHES)},
        record_type="police_uk_stop_searches",
        kind=Kind.SHARE,
        build=_arrest_rate,
        definition="""Of the published stop and searches in the period with an outcome given,
        the share whose outcome is "Arrest", whether or not it was linked to the object of the
        search.""",
    ),
)
