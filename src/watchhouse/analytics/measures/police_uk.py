"""The force's published data (data.police.uk): street-level crimes by type and month, the
outcome mix, and stop and search counts, find and arrest rates.

data.police.uk publishes crimes and outcomes by month only (the `Month` column, YYYY-MM), so
each such record falls on the first day of its month: report them by month, quarter or rolling
year (a week or day period shows a whole month on its first day). Stop and search has its
moment, so it falls on its local day like any record. Every imported row is counted: import the
files of the force the board is for (data.police.uk names it in `Falls within` and in the stop
and search file's name)."""

from __future__ import annotations

from watchhouse.analytics.measures.common import CUTS_MARKER, flag, measure
from watchhouse.analytics.model import Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Published data (data.police.uk)"
PEEL = "preventing_and_deterring_crime"
POWERS = "police_powers_and_treating_the_public_fairly"
UNKNOWN_TYPE = "unknown"
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


def _street_crimes(params: MeasureParams) -> str:
    return f"""
SELECT c.id AS record_id, {MONTH_DAY.format(alias="c")} AS day {CUTS_MARKER}
FROM police_uk_crimes c
WHERE c.month IS NOT NULL"""


def _outcome_share(categories: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def build(params: MeasureParams) -> str:
        return f"""
SELECT o.id AS record_id, {MONTH_DAY.format(alias="o")} AS day {CUTS_MARKER},
       {flag(f"o.outcome_type IN ({_quoted(categories)})")} AS num, 1 AS den
FROM police_uk_outcomes o
LEFT JOIN (SELECT crime_id, MIN(crime_type) AS crime_type FROM police_uk_crimes
           WHERE crime_id IS NOT NULL GROUP BY crime_id) t ON t.crime_id = o.crime_id
WHERE o.month IS NOT NULL AND o.outcome_type IS NOT NULL"""

    return build


def _stop_searches(params: MeasureParams) -> str:
    return f"""
SELECT s.id AS record_id, s.searched_day AS day {CUTS_MARKER}
FROM police_uk_stop_searches s"""


def _find_rate(params: MeasureParams) -> str:
    found = (
        "s.outcome_linked_to_object AND COALESCE(s.outcome, '') NOT IN "
        f"({_quoted(NO_FURTHER_ACTION)})"
    )
    return f"""
SELECT s.id AS record_id, s.searched_day AS day {CUTS_MARKER}, {flag(found)} AS num, 1 AS den
FROM police_uk_stop_searches s
WHERE s.outcome_linked_to_object IS NOT NULL"""


def _arrest_rate(params: MeasureParams) -> str:
    return f"""
SELECT s.id AS record_id, s.searched_day AS day {CUTS_MARKER},
       {flag(f"s.outcome = '{ARREST}'")} AS num, 1 AS den
FROM police_uk_stop_searches s
WHERE s.outcome IS NOT NULL"""


def _outcome_measure(slug: str) -> MeasureSpec:
    title, categories, words = OUTCOME_MIX[slug]
    return measure(
        key=f"police_uk.outcome_{slug}",
        title=title,
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts={Cut.CRIME_GROUP: f"COALESCE(t.crime_type, '{UNKNOWN_TYPE}')"},
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
        cuts={Cut.CRIME_GROUP: f"COALESCE(c.crime_type, '{UNKNOWN_TYPE}')"},
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
        cuts={},
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
        cuts={},
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
        cuts={},
        record_type="police_uk_stop_searches",
        kind=Kind.SHARE,
        build=_arrest_rate,
        definition="""Of the published stop and searches in the period with an outcome given,
        the share whose outcome is "Arrest", whether or not it was linked to the object of the
        search.""",
    ),
)
