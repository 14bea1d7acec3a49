"""Contact: how quickly the public is answered on each channel, and how much demand there is."""

from __future__ import annotations

from collections.abc import Callable

from watchhouse.analytics.measures.common import (
    CONTACT_CUTS,
    CUTS_MARKER,
    US_PER_MINUTE,
    US_PER_SECOND,
    flag,
    measure,
    without,
)
from watchhouse.analytics.model import Additive, Cut, Kind, MeasureParams, MeasureSpec, Unit

GROUP = "Contact"
PEEL = "responding_to_the_public"
ANSWER_CUTS = without(CONTACT_CUTS, Cut.CHANNEL)
WAIT = "(f.answered_us - f.presented_us)"
FINISHED = "f.answered_us IS NOT NULL OR f.abandoned"
ANSWERED = "f.answered_us IS NOT NULL"
# The 999 and 101 answer measures read answer_facts (see facts.py): the best source of each
# channel's times for each day, which the answer_source cut shows.
SOURCE_CUTS = {**ANSWER_CUTS, Cut.ANSWER_SOURCE: "f.answer_source"}
SOURCE_NOTE = """Computed from the best source the force has for each channel and day: the
telephony platform's per-call records (live feed or imported), else its interval statistics,
else the contacts' own times; broken down by answer_source it shows which was used."""


def _share(channel: str, population: str, meets: str) -> Callable[[MeasureParams], Additive]:
    """A share of one channel's contacts: `population` chooses them, `meets` the numerator."""

    def parts(params: MeasureParams) -> Additive:
        condition = meets.format(
            standard=int(params.standard_seconds * US_PER_SECOND),
            long=int(params.long_seconds * US_PER_SECOND),
        )
        return Additive(
            "contact_facts f",
            "f.presented_day",
            f"f.channel = '{channel}' AND ({population})",
            flag(condition),
        )

    return parts


def _wait(channel: str) -> Callable[[MeasureParams], Additive]:
    """The wait from presentation to answer of one channel's answered contacts (microseconds)."""

    def parts(params: MeasureParams) -> Additive:
        return Additive(
            "contact_facts f",
            "f.presented_day",
            f"f.channel = '{channel}' AND f.answered_us IS NOT NULL",
            WAIT,
        )

    return parts


def _answer_share(channel: str, counts: str) -> Callable[[MeasureParams], str]:
    """A share of one channel's finished calls from answer_facts: `counts` is `within` (the
    standard; an interval counts its calls answered within that many seconds, as the platform
    reported them, and an interval without that threshold is left out) or `abandoned`."""

    def build(params: MeasureParams) -> str:
        join, where, num = "", "", "f.abandoned"
        if counts == "within":
            seconds = params.standard_seconds
            threshold = int(seconds) if float(seconds).is_integer() else -1
            standard = int(seconds * US_PER_SECOND)
            join = (
                "LEFT JOIN telephony_interval_thresholds t ON t.interval_id = f.interval_id "
                f"AND t.seconds = {threshold}"
            )
            where = " AND (f.interval_id IS NULL OR t.answered IS NOT NULL)"
            num = (
                "CASE WHEN f.interval_id IS NOT NULL THEN t.answered "
                f"WHEN {ANSWERED} AND {WAIT} < {standard} THEN 1 ELSE 0 END"
            )
        return f"""
SELECT f.id AS record_id, f.day AS day {CUTS_MARKER}, {num} AS num, f.finished AS den
FROM answer_facts f {join}
WHERE f.counted AND f.channel = '{channel}' AND f.finished > 0{where}"""

    return build


def _answered_call(channel: str, value: str) -> Callable[[MeasureParams], Additive]:
    """One channel's answered calls with a wait each, from the best such source of the day."""

    def parts(params: MeasureParams) -> Additive:
        return Additive(
            "answer_facts f",
            "f.day",
            f"f.counted_wait AND f.channel = '{channel}' AND {ANSWERED}",
            value.format(
                standard=int(params.standard_seconds * US_PER_SECOND),
                long=int(params.long_seconds * US_PER_SECOND),
            ),
        )

    return parts


def _answer_not_recorded(params: MeasureParams) -> Additive:
    return Additive(
        "contact_facts f",
        "f.presented_day",
        f"f.imported AND f.channel IN ('999', '101') AND NOT ({FINISHED})",
    )


def _demand(params: MeasureParams) -> Additive:
    return Additive("contact_facts f", "f.presented_day", "TRUE")


MEASURES: tuple[MeasureSpec, ...] = (
    measure(
        key="contact.999_answered_within_10s",
        title="999 calls answered within 10 seconds",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        build=_answer_share("999", "within"),
        definition="""Of the 999 calls presented in the period that were answered or abandoned,
        the share answered in under the policy's standard (10 seconds by default), timed from the
        call being presented to the force to the handler answering. Abandoned calls ARE in the
        denominator and count as not answered within the standard: the caller was not answered.
        A call answered in exactly 10 seconds does not meet the standard (it is in the published
        band "10 to under 60 s"). Calls neither answered nor abandoned yet are left out."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_mean_answer_seconds",
        title="999 mean time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_answered_call("999", WAIT),
        scale=US_PER_SECOND,
        definition="""The mean time, in seconds, from presentation to answer of the 999 calls
        presented in the period and answered. Abandoned calls have no answer time and are left
        out."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_median_answer_seconds",
        title="999 median time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.QUANTILE,
        additive=_answered_call("999", WAIT),
        scale=US_PER_SECOND,
        quantile=0.5,
        definition="""The median time, in seconds, from presentation to answer of the 999 calls
        presented in the period and answered (linear interpolation between the two middle calls
        when their number is even). Abandoned calls are left out."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_p90_answer_seconds",
        title="999 90th percentile time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.QUANTILE,
        additive=_answered_call("999", WAIT),
        scale=US_PER_SECOND,
        quantile=0.9,
        definition="""The 90th percentile of the time, in seconds, from presentation to answer of
        the 999 calls presented in the period and answered (linear interpolation between ranks,
        as pandas and DuckDB's quantile_cont do). Abandoned calls are left out."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_answered_under_10s",
        title="999 answered in under 10 s (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_answered_call("999", flag(f"{WAIT} < {{standard}}")),
        definition="""The Home Office's first band: of the 999 calls presented in the period and
        answered, the share answered in under the standard (10 s by default). As published, the
        three bands are shares of answered calls, so abandoned calls are not in them (unlike the
        "answered within 10 seconds" measure, which counts them against the standard)."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_answered_10_to_60s",
        title="999 answered in 10 to under 60 s (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_answered_call("999", flag(f"{WAIT} >= {{standard}} AND {WAIT} < {{long}}")),
        definition="""The Home Office's second band: of the 999 calls presented in the period and
        answered, the share answered in the standard (10 s) or more but under the long wait
        (60 s by default). Exactly 10 s falls in this band."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_answered_60s_or_more",
        title="999 answered in 60 s or more (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_answered_call("999", flag(f"{WAIT} >= {{long}}")),
        definition="""The Home Office's third band: of the 999 calls presented in the period and
        answered, the share answered in the long wait (60 s by default) or more."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.999_abandonment_rate",
        title="999 calls abandoned",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        build=_answer_share("999", "abandoned"),
        definition="""Of the 999 calls presented in the period that were answered or abandoned,
        the share abandoned (the caller hung up before a handler answered)."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.101_mean_answer_seconds",
        title="101 mean time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_answered_call("101", WAIT),
        scale=US_PER_SECOND,
        definition="""The mean time, in seconds, from presentation to answer of the 101 calls
        presented in the period and answered. Abandoned calls are left out (see the 101
        abandonment rate)."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.101_abandonment_rate",
        title="101 calls abandoned",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=SOURCE_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        build=_answer_share("101", "abandoned"),
        definition="""Of the 101 calls presented in the period that were answered or abandoned,
        the share abandoned before a handler answered."""
        + " "
        + SOURCE_NOTE,
    ),
    measure(
        key="contact.live_chat_mean_wait_seconds",
        title="Live chat mean wait",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_wait("live_chat"),
        scale=US_PER_SECOND,
        definition="""The mean time, in seconds, that live chats started in the period waited
        before a handler joined them. Chats the public left before a handler joined are left
        out.""",
    ),
    measure(
        key="contact.online_mean_wait_minutes",
        title="Online reports mean wait",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.MINUTES,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_wait("online_report"),
        scale=US_PER_MINUTE,
        definition="""The mean time, in minutes, from an online report being submitted in the
        period to a handler picking it up. Reports not yet picked up are left out.""",
    ),
    measure(
        key="contact.demand",
        title="Contacts (demand)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=CONTACT_CUTS,
        record_type="contacts",
        kind=Kind.COUNT,
        additive=_demand,
        definition="""The number of contacts presented in the period on every channel, abandoned
        ones included; cut by channel it is the demand by channel. Records the force started
        itself (officer initiated, radio, transfers from another agency) are not contacts and
        are left out of every contact measure; their incidents count in attendance.""",
    ),
    measure(
        key="contact.answer_time_not_recorded",
        title="Imported 999 and 101 calls with no answer time recorded",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.COUNT,
        higher_is_better=None,
        cuts=CONTACT_CUTS,
        record_type="contacts",
        kind=Kind.COUNT,
        additive=_answer_not_recorded,
        definition="""The imported 999 and 101 calls presented in the period whose source held
        neither an answer time nor an abandonment: "not recorded", left out of the answer
        measures' denominators and counted here so their coverage is plain.""",
    ),
)
