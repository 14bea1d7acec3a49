"""Proactive policing: stop and search, and how often it leads to an arrest."""

from __future__ import annotations

from watchhouse.analytics.measures.common import CUTS_MARKER, flag, measure
from watchhouse.analytics.measures.facts import UNKNOWN
from watchhouse.analytics.model import Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Proactive policing"
PEEL = "police_powers_and_treating_the_public_fairly"
CUTS = {Cut.NEIGHBOURHOOD: f"COALESCE(n.code, '{UNKNOWN}')"}
SEARCHES = "stop_searches s LEFT JOIN neighbourhoods n ON n.id = s.neighbourhood_id"


def _searches(params: MeasureParams) -> str:
    return f"""
SELECT s.id AS record_id, s.searched_day AS day {CUTS_MARKER}
FROM {SEARCHES}"""


def _arrests(params: MeasureParams) -> str:
    return f"""
SELECT s.id AS record_id, s.searched_day AS day {CUTS_MARKER},
       {flag("COALESCE(s.led_to_arrest, FALSE)")} AS num, 1 AS den
FROM {SEARCHES}"""


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="proactive.stop_searches",
        title="Stop and searches",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=CUTS,
        record_type="stop_searches",
        kind=Kind.COUNT,
        build=_searches,
        definition="""The number of stop and searches carried out in the period.""",
    ),
    measure(
        key="proactive.stop_search_arrest_share",
        title="Stop and searches leading to arrest",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=CUTS,
        record_type="stop_searches",
        kind=Kind.SHARE,
        build=_arrests,
        definition="""Of the stop and searches carried out in the period, the share that led to
        an arrest.""",
    ),
)
