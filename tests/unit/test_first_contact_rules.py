"""The pure rules of the first point of contact: which person a new contact joins at once,
and the cautious rule used before any model is trained."""

from __future__ import annotations

from datetime import date

import pytest

from watchhouse.domain.identity import LinkageRecord, person_to_join, same_caller_without_model

JOANNE = LinkageRecord("joanne", "marsh", date(1984, 6, 12), "+447700900321", "WH1 3ML")


def test_the_most_likely_person_at_or_above_the_threshold_is_joined():
    candidates = [(7, 0.995), (3, 0.9999), (9, 0.2)]
    assert person_to_join(candidates, threshold=0.99, kept_apart=set()) == 3


def test_no_one_is_joined_below_the_threshold():
    assert person_to_join([(7, 0.98), (3, 0.5)], threshold=0.99, kept_apart=set()) is None
    assert person_to_join([], threshold=0.99, kept_apart=set()) is None


def test_on_a_tie_the_earliest_person_is_joined():
    assert person_to_join([(8, 0.999), (4, 0.999)], threshold=0.99, kept_apart=set()) == 4


def test_two_likely_people_a_supervisor_kept_apart_are_left_to_the_handler():
    candidates = [(3, 0.9999), (7, 0.999)]
    kept = {frozenset((3, 7))}
    assert person_to_join(candidates, threshold=0.99, kept_apart=kept) is None
    # Kept apart from someone unlikely: no ambiguity.
    assert person_to_join([(3, 0.9999), (7, 0.5)], threshold=0.99, kept_apart=kept) == 3


def test_two_distinct_likely_people_are_left_to_the_handler_copies_of_one_are_joined():
    candidates = [(3, 0.9999), (7, 0.999), (9, 0.4)]
    # Copies of one person (one group): the most likely copy is joined.
    assert person_to_join(candidates, threshold=0.99, kept_apart=set(), one_person=[[3, 7]]) == 3
    # Two distinct people both likely: neither.
    distinct = [[3], [7]]
    assert person_to_join(candidates, threshold=0.99, kept_apart=set(), one_person=distinct) is None
    # Only one likely: joined whatever the groups say about the unlikely one.
    only = [(3, 0.9999), (9, 0.4)]
    assert person_to_join(only, threshold=0.99, kept_apart=set(), one_person=[[3], [9]]) == 3


@pytest.mark.parametrize(
    "other",
    [
        LinkageRecord("joanne", "marsh", None, "+447700900321", None),  # no date of birth
        LinkageRecord("jo", "marsh", None, "+447700900321", None),  # a nickname
        LinkageRecord("joane", "marsch", None, "+447700900321", None),  # a typo in each name
        LinkageRecord("joanne", "marsh", date(1984, 6, 12), None, None),  # same date, no number
        LinkageRecord(None, "marsh", None, "+447700900321", None),  # no given name
    ],
)
def test_without_a_model_the_same_caller_is_recognised(other):
    assert same_caller_without_model(JOANNE, other)
    assert same_caller_without_model(other, JOANNE)


@pytest.mark.parametrize(
    "other",
    [
        LinkageRecord("joanne", "marsh", date(1990, 1, 1), "+447700900321", None),  # other date
        LinkageRecord("peter", "marsh", None, "+447700900321", None),  # household member
        LinkageRecord("joanne", "marsh", None, "+447700900999", None),  # nothing but the name
        LinkageRecord("joanne", "hughes", None, "+447700900321", None),  # another family name
        LinkageRecord("joanne", None, None, "+447700900321", None),  # no family name
    ],
)
def test_without_a_model_different_or_unproven_callers_are_not_joined(other):
    assert not same_caller_without_model(JOANNE, other)
