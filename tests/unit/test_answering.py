"""Answer-time bands as published: under 10 s, 10 to under 60 s, 60 s or more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchhouse.domain.answering import AnswerBand, AnswerBands, answer_seconds, classify_answer

pytestmark = pytest.mark.unit

PRESENTED = datetime(2026, 12, 31, 23, 59, 50, tzinfo=UTC)
BANDS = AnswerBands()


def classify(seconds: float) -> AnswerBand:
    """Classify a call answered the given number of seconds after it was presented."""
    return classify_answer(
        presented_at=PRESENTED,
        answered_at=PRESENTED + timedelta(seconds=seconds),
        abandoned=False,
        bands=BANDS,
    )


@pytest.mark.parametrize(
    ("seconds", "band"),
    [
        pytest.param(0, AnswerBand.WITHIN_STANDARD, id="0s"),
        pytest.param(3.2, AnswerBand.WITHIN_STANDARD, id="3.2s"),
        pytest.param(9.999, AnswerBand.WITHIN_STANDARD, id="9.999s"),
        pytest.param(9.999999, AnswerBand.WITHIN_STANDARD, id="9.999999s"),
        pytest.param(10, AnswerBand.DELAYED, id="10s"),
        pytest.param(10.001, AnswerBand.DELAYED, id="10.001s"),
        pytest.param(59.9, AnswerBand.DELAYED, id="59.9s"),
        pytest.param(59.999999, AnswerBand.DELAYED, id="59.999999s"),
        pytest.param(60, AnswerBand.LONG_DELAYED, id="60s"),
        pytest.param(61, AnswerBand.LONG_DELAYED, id="61s"),
        pytest.param(3600, AnswerBand.LONG_DELAYED, id="1h"),
    ],
)
def test_answer_time_falls_in_the_published_band(seconds: float, band: AnswerBand) -> None:
    assert classify(seconds) == band


def test_answered_in_nine_point_nine_nine_nine_seconds_is_within_standard() -> None:
    assert classify(9.999) == AnswerBand.WITHIN_STANDARD


def test_answered_in_exactly_ten_seconds_is_in_the_ten_to_under_sixty_band() -> None:
    assert classify(10) == AnswerBand.DELAYED


def test_answered_in_fifty_nine_point_nine_seconds_is_in_the_ten_to_under_sixty_band() -> None:
    assert classify(59.9) == AnswerBand.DELAYED


def test_answered_in_exactly_sixty_seconds_is_long_delayed() -> None:
    assert classify(60) == AnswerBand.LONG_DELAYED


def test_abandoned_call_is_abandoned() -> None:
    band = classify_answer(presented_at=PRESENTED, answered_at=None, abandoned=True, bands=BANDS)
    assert band == AnswerBand.ABANDONED


def test_call_not_answered_and_not_abandoned_is_unanswered() -> None:
    band = classify_answer(presented_at=PRESENTED, answered_at=None, abandoned=False, bands=BANDS)
    assert band == AnswerBand.UNANSWERED


def test_call_answered_before_it_was_presented_is_refused() -> None:
    with pytest.raises(ValueError, match="answered_at is before presented_at"):
        classify_answer(
            presented_at=PRESENTED,
            answered_at=PRESENTED - timedelta(milliseconds=1),
            abandoned=False,
            bands=BANDS,
        )


def test_call_both_abandoned_and_answered_is_refused() -> None:
    with pytest.raises(ValueError, match="abandoned contact cannot have been answered"):
        classify_answer(
            presented_at=PRESENTED,
            answered_at=PRESENTED + timedelta(seconds=4),
            abandoned=True,
            bands=BANDS,
        )


@pytest.mark.parametrize("naive", ["presented_at", "answered_at"])
def test_naive_answer_times_are_refused(naive: str) -> None:
    times = {"presented_at": PRESENTED, "answered_at": PRESENTED + timedelta(seconds=4)}
    times[naive] = times[naive].replace(tzinfo=None)
    with pytest.raises(ValueError, match=f"{naive} must carry a time zone"):
        classify_answer(**times, abandoned=False, bands=BANDS)


def test_answer_seconds_measures_from_presented_to_answered() -> None:
    assert answer_seconds(PRESENTED, PRESENTED + timedelta(seconds=16.1)) == pytest.approx(16.1)


def test_answer_seconds_across_the_autumn_clock_change_counts_real_seconds() -> None:
    london = ZoneInfo("Europe/London")
    # 01:59:55 BST (00:59:55 UTC), answered 01:00:03 GMT (01:00:03 UTC): 8 s, not -3592 s.
    presented = datetime(2026, 10, 25, 1, 59, 55, tzinfo=london)
    answered = datetime(2026, 10, 25, 1, 0, 3, fold=1, tzinfo=london)
    assert answer_seconds(presented, answered) == 8
    assert (
        classify_answer(presented_at=presented, answered_at=answered, abandoned=False, bands=BANDS)
        == AnswerBand.WITHIN_STANDARD
    )


def test_default_bands_are_ten_and_sixty_seconds() -> None:
    assert (BANDS.standard_seconds, BANDS.long_seconds) == (10.0, 60.0)


def test_force_bands_move_the_edges() -> None:
    bands = AnswerBands(standard_seconds=15, long_seconds=30)
    answered = PRESENTED + timedelta(seconds=12)
    assert (
        classify_answer(presented_at=PRESENTED, answered_at=answered, abandoned=False, bands=bands)
        == AnswerBand.WITHIN_STANDARD
    )
    answered = PRESENTED + timedelta(seconds=30)
    assert (
        classify_answer(presented_at=PRESENTED, answered_at=answered, abandoned=False, bands=bands)
        == AnswerBand.LONG_DELAYED
    )


@pytest.mark.parametrize(
    ("standard", "long_"),
    [(0, 60), (-1, 60), (10, 10), (60, 10)],
    ids=["zero-standard", "negative-standard", "equal-edges", "reversed-edges"],
)
def test_band_edges_that_do_not_make_three_ordered_bands_are_refused(
    standard: float, long_: float
) -> None:
    with pytest.raises(ValueError, match="0 < standard_seconds < long_seconds"):
        AnswerBands(standard_seconds=standard, long_seconds=long_)


@pytest.mark.parametrize(
    ("band", "label"),
    [
        (AnswerBand.WITHIN_STANDARD, "under 10 s"),
        (AnswerBand.DELAYED, "10 to under 60 s"),
        (AnswerBand.LONG_DELAYED, "60 s or more"),
        (AnswerBand.ABANDONED, "abandoned"),
        (AnswerBand.UNANSWERED, "not yet answered"),
    ],
)
def test_default_band_labels_match_the_home_office_wording(band: AnswerBand, label: str) -> None:
    assert BANDS.label(band) == label


def test_labels_follow_the_force_edges_and_keep_fractions() -> None:
    bands = AnswerBands(standard_seconds=7.5, long_seconds=45)
    assert bands.label(AnswerBand.WITHIN_STANDARD) == "under 7.5 s"
    assert bands.label(AnswerBand.DELAYED) == "7.5 to under 45 s"
    assert bands.label(AnswerBand.LONG_DELAYED) == "45 s or more"


def test_every_band_has_a_label() -> None:
    assert all(BANDS.label(band) for band in AnswerBand)
