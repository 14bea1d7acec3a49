"""Contact: how quickly the public is answered on each channel, and how much demand there is."""

from __future__ import annotations

from collections.abc import Callable

from watchhouse.analytics.measures.common import (
    CONTACT_CUTS,
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
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("999", FINISHED, f"f.answered_us IS NOT NULL AND {WAIT} < {{standard}}"),
        definition="""Of the 999 calls presented in the period that were answered or abandoned,
        the share answered in under the policy's standard (10 seconds by default), timed from the
        call being presented to the force to the handler answering. Abandoned calls ARE in the
        denominator and count as not answered within the standard: the caller was not answered.
        A call answered in exactly 10 seconds does not meet the standard (it is in the published
        band "10 to under 60 s"). Calls neither answered nor abandoned yet are left out.""",
    ),
    measure(
        key="contact.999_mean_answer_seconds",
        title="999 mean time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_wait("999"),
        scale=US_PER_SECOND,
        definition="""The mean time, in seconds, from presentation to answer of the 999 calls
        presented in the period and answered. Abandoned calls have no answer time and are left
        out.""",
    ),
    measure(
        key="contact.999_median_answer_seconds",
        title="999 median time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.QUANTILE,
        additive=_wait("999"),
        scale=US_PER_SECOND,
        quantile=0.5,
        definition="""The median time, in seconds, from presentation to answer of the 999 calls
        presented in the period and answered (linear interpolation between the two middle calls
        when their number is even). Abandoned calls are left out.""",
    ),
    measure(
        key="contact.999_p90_answer_seconds",
        title="999 90th percentile time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.QUANTILE,
        additive=_wait("999"),
        scale=US_PER_SECOND,
        quantile=0.9,
        definition="""The 90th percentile of the time, in seconds, from presentation to answer of
        the 999 calls presented in the period and answered (linear interpolation between ranks,
        as pandas and DuckDB's quantile_cont do). Abandoned calls are left out.""",
    ),
    measure(
        key="contact.999_answered_under_10s",
        title="999 answered in under 10 s (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=True,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("999", ANSWERED, f"{WAIT} < {{standard}}"),
        definition="""The Home Office's first band: of the 999 calls presented in the period and
        answered, the share answered in under the standard (10 s by default). As published, the
        three bands are shares of answered calls, so abandoned calls are not in them (unlike the
        "answered within 10 seconds" measure, which counts them against the standard).""",
    ),
    measure(
        key="contact.999_answered_10_to_60s",
        title="999 answered in 10 to under 60 s (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=None,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("999", ANSWERED, f"{WAIT} >= {{standard}} AND {WAIT} < {{long}}"),
        definition="""The Home Office's second band: of the 999 calls presented in the period and
        answered, the share answered in the standard (10 s) or more but under the long wait
        (60 s by default). Exactly 10 s falls in this band.""",
    ),
    measure(
        key="contact.999_answered_60s_or_more",
        title="999 answered in 60 s or more (Home Office band)",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("999", ANSWERED, f"{WAIT} >= {{long}}"),
        definition="""The Home Office's third band: of the 999 calls presented in the period and
        answered, the share answered in the long wait (60 s by default) or more.""",
    ),
    measure(
        key="contact.999_abandonment_rate",
        title="999 calls abandoned",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("999", FINISHED, "f.abandoned"),
        definition="""Of the 999 calls presented in the period that were answered or abandoned,
        the share abandoned (the caller hung up before a handler answered).""",
    ),
    measure(
        key="contact.101_mean_answer_seconds",
        title="101 mean time to answer",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SECONDS,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.MEAN,
        additive=_wait("101"),
        scale=US_PER_SECOND,
        definition="""The mean time, in seconds, from presentation to answer of the 101 calls
        presented in the period and answered. Abandoned calls are left out (see the 101
        abandonment rate).""",
    ),
    measure(
        key="contact.101_abandonment_rate",
        title="101 calls abandoned",
        group=GROUP,
        peel_area=PEEL,
        unit=Unit.SHARE,
        higher_is_better=False,
        cuts=ANSWER_CUTS,
        record_type="contacts",
        kind=Kind.SHARE,
        additive=_share("101", FINISHED, "f.abandoned"),
        definition="""Of the 101 calls presented in the period that were answered or abandoned,
        the share abandoned before a handler answered.""",
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
