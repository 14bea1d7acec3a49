"""Who is this caller: the comparison of two records of a person, level by level, and the
match probability a trained model gives them (Fellegi-Sunter, as splink computes it).

The comparisons are defined once here, as data. The batch linkage turns them into splink
settings (linkage/model.py) and trains the model on the force's own records; the online check
evaluates the same levels in Python for the caller on the line against candidate people, with
the trained model's weights.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from watchhouse.domain.nicknames import DIMINUTIVES

LevelKind = Literal[
    "exact",
    "shares_form",
    "jaro_winkler",
    "edit_distance",
    "day_month_swapped",
    "same_username",
    "username_jaro_winkler",
]
# The kinds of a force's extra identifiers (policy `[identity] extra_identifiers`), and those
# whose exact agreement all but proves a match.
ExtraKind = Literal["identifier", "email", "address", "text"]
EXACT_IDENTIFIER_KINDS: frozenset[str] = frozenset({"identifier", "email"})
# The column of an extra identifier in a comparison: "identifier:pnc_id".
IDENTIFIER_COLUMN = "identifier:"

_NOT_LETTERS = re.compile(r"[^a-z' -]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LinkageRecord:
    """One record of a person as compared: normalised values, None where not recorded."""

    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    telephone: str | None = None
    postcode: str | None = None
    # The force's extra identifiers given (name, normalised value), sorted by name.
    identifiers: tuple[tuple[str, str], ...] = ()

    def identifier(self, name: str) -> str | None:
        """The value of one of the force's extra identifiers, or None."""
        for given, value in self.identifiers:
            if given == name:
                return value
        return None

    @cached_property
    def given_forms(self) -> frozenset[str]:
        """The given name and the formal names it may stand for."""
        return given_name_forms(self.given_name)

    @cached_property
    def date_text(self) -> str | None:
        """The date of birth as YYYY-MM-DD, for digit-level comparison."""
        return self.date_of_birth.isoformat() if self.date_of_birth else None

    @cached_property
    def postcode_sector(self) -> str | None:
        """The postcode's sector ('AB1 2')."""
        return postcode_sector(self.postcode)

    @cached_property
    def postcode_district(self) -> str | None:
        """The postcode's district ('AB1')."""
        return postcode_district(self.postcode)


@dataclass(frozen=True)
class Level:
    """One level of a comparison, tried in order; the first that holds is the pair's level."""

    label: str
    kind: LevelKind
    column: str
    threshold: float = 0.0


@dataclass(frozen=True)
class Comparison:
    """How one attribute of two records is compared: its levels from closest to different.

    A pair where either side lacks the attribute is at the null level (no evidence); a pair
    that meets no level is at the else level ("different")."""

    name: str
    columns: tuple[str, ...]
    levels: tuple[Level, ...]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        ("given_name",),
        (
            Level("same", "exact", "given_name"),
            Level("same formal name (a nickname)", "shares_form", "given_forms"),
            Level("very similar (Jaro-Winkler 0.92)", "jaro_winkler", "given_name", 0.92),
            Level("similar (Jaro-Winkler 0.80)", "jaro_winkler", "given_name", 0.80),
        ),
    ),
    Comparison(
        "family_name",
        ("family_name",),
        (
            Level("same", "exact", "family_name"),
            Level("very similar (Jaro-Winkler 0.92)", "jaro_winkler", "family_name", 0.92),
            Level("similar (Jaro-Winkler 0.80)", "jaro_winkler", "family_name", 0.80),
        ),
    ),
    Comparison(
        "date_of_birth",
        ("date_text",),
        (
            Level("same", "exact", "date_text"),
            Level("day and month swapped", "day_month_swapped", "date_text"),
            Level("one digit different or two swapped", "edit_distance", "date_text", 1),
        ),
    ),
    Comparison(
        "telephone",
        ("telephone",),
        (Level("same", "exact", "telephone"),),
    ),
    Comparison(
        "postcode",
        ("postcode",),
        (
            Level("same", "exact", "postcode"),
            Level("same sector", "exact", "postcode_sector"),
            Level("same district", "exact", "postcode_district"),
        ),
    ),
)
NULL_LEVEL = -1
ELSE_LABEL = "different"


def extra_comparison(name: str, kind: ExtraKind) -> Comparison:
    """How one of the force's extra identifiers is compared: the same levels, in the same
    order, as the batch linkage's splink comparison for its kind (linkage/general.py
    `comparison_for`), so that the trained model's weights apply level by level."""
    column = IDENTIFIER_COLUMN + name
    levels: tuple[Level, ...]
    if kind == "identifier":
        levels = (
            Level("same", "exact", column),
            Level("one character different or two swapped", "edit_distance", column, 1),
            Level("two characters different", "edit_distance", column, 2),
        )
    elif kind == "email":
        levels = (
            Level("same", "exact", column),
            Level("same user name", "same_username", column),
            Level("very similar (Jaro-Winkler 0.88)", "jaro_winkler", column, 0.88),
            Level("user name similar (Jaro-Winkler 0.88)", "username_jaro_winkler", column, 0.88),
        )
    elif kind == "address":
        levels = (
            Level("same", "exact", column),
            Level("very similar (Jaro-Winkler 0.95)", "jaro_winkler", column, 0.95),
            Level("similar (Jaro-Winkler 0.88)", "jaro_winkler", column, 0.88),
        )
    else:
        levels = (Level("same", "exact", column),)
    return Comparison(name, (column,), levels)


def untrained_factors(
    comparison: Comparison, kind: str, exact_match_weight: float
) -> tuple[float, ...]:
    """The Bayes factors of an extra identifier the trained model has never seen (declared
    after the last run, or absent from its records): an exact match of an exact identifier
    (kind identifier or email) counts 2^`exact_match_weight`; every other level, disagreement
    included, counts nothing either way (a factor of 1)."""
    factors = [1.0] * (len(comparison.levels) + 1)
    if kind in EXACT_IDENTIFIER_KINDS:
        factors[0] = math.pow(2.0, exact_match_weight)
    return tuple(factors)


@lru_cache(maxsize=65_536)
def clean_name(raw: str | None) -> str | None:
    """A name as compared: lower case, accents and punctuation dropped, spaces single."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower()
    text = _SPACES.sub(" ", _NOT_LETTERS.sub("", text)).strip(" '-")
    return text or None


def given_name_forms(name: str | None) -> frozenset[str]:
    """A cleaned given name with the formal names it is a diminutive of."""
    if not name:
        return frozenset()
    return frozenset((name, *DIMINUTIVES.get(name, ())))


def postcode_sector(postcode: str | None) -> str | None:
    """'AB1 2CD' -> 'AB1 2': the outward code and the first digit of the inward code."""
    return postcode[:-2] if postcode and " " in postcode else None


def postcode_district(postcode: str | None) -> str | None:
    """'AB1 2CD' -> 'AB1': the outward code."""
    return postcode.split(" ")[0] if postcode and " " in postcode else None


def _value(record: LinkageRecord, column: str) -> object:
    if column == "given_forms":
        return record.given_forms or None
    if column.startswith(IDENTIFIER_COLUMN):
        return record.identifier(column.removeprefix(IDENTIFIER_COLUMN))
    return getattr(record, column)


def _username(email: str) -> str | None:
    """The part of an email address before the @ (None when empty), as splink takes it."""
    return email.split("@", 1)[0] or None


def _holds(level: Level, left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    if level.kind == "exact":
        return left == right
    if level.kind == "shares_form":
        assert isinstance(left, frozenset) and isinstance(right, frozenset)
        return bool(left & right)
    assert isinstance(left, str) and isinstance(right, str)
    if level.kind in ("same_username", "username_jaro_winkler"):
        left_user, right_user = _username(left), _username(right)
        if left_user is None or right_user is None:
            return False
        if level.kind == "same_username":
            return left_user == right_user
        return JaroWinkler.similarity(left_user, right_user) >= level.threshold
    if level.kind == "jaro_winkler":
        return JaroWinkler.similarity(left, right) >= level.threshold
    if level.kind == "edit_distance":
        return DamerauLevenshtein.distance(left, right) <= level.threshold
    return _day_month_swapped(left, right)


def _day_month_swapped(left: str, right: str) -> bool:
    """'1980-03-04' and '1980-04-03': the same date written the other way round."""
    return left[:4] == right[:4] and left[5:7] == right[8:10] and left[8:10] == right[5:7]


def comparison_level(comparison: Comparison, left: LinkageRecord, right: LinkageRecord) -> int:
    """The index of the first level that holds (len(levels) = different), or NULL_LEVEL."""
    for column in comparison.columns:
        if _value(left, column) is None or _value(right, column) is None:
            return NULL_LEVEL
    for index, level in enumerate(comparison.levels):
        if _holds(level, _value(left, level.column), _value(right, level.column)):
            return index
    return len(comparison.levels)


@dataclass(frozen=True)
class MatchModel:
    """A trained model: the prior odds of a match and, for each comparison (the five defined
    here, then the force's `extras`), the Bayes factor (m / u) of each level, the else level
    last. Null levels carry no evidence."""

    prior_probability: float
    bayes_factors: Mapping[str, tuple[float, ...]]
    extras: tuple[Comparison, ...] = ()

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        """Every comparison the model scores, the five defined here first."""
        return COMPARISONS + self.extras

    def __post_init__(self) -> None:
        """Refuse a model that does not fit the comparisons defined here."""
        if not 0 < self.prior_probability < 1:
            raise ValueError("the prior probability of a match must be between 0 and 1")
        for comparison in self.comparisons:
            factors = self.bayes_factors.get(comparison.name)
            if factors is None or len(factors) != len(comparison.levels) + 1:
                raise ValueError(
                    f"the model has no Bayes factors for each level of {comparison.name}"
                )
            if any(f <= 0 or math.isnan(f) for f in factors):
                raise ValueError(f"the model's Bayes factors for {comparison.name} must be > 0")


@dataclass(frozen=True)
class MatchExplanation:
    """A scored pair: the match weight (log2 odds), its probability, and each comparison's
    level label and weight."""

    match_weight: float
    probability: float
    parts: tuple[tuple[str, str, float], ...]


def score(model: MatchModel, left: LinkageRecord, right: LinkageRecord) -> MatchExplanation:
    """The match weight and probability of two records under a trained model."""
    prior = model.prior_probability
    weight = math.log2(prior / (1 - prior))
    parts: list[tuple[str, str, float]] = []
    for comparison in model.comparisons:
        index = comparison_level(comparison, left, right)
        if index == NULL_LEVEL:
            parts.append((comparison.name, missing_label(comparison, left), 0.0))
            continue
        part = math.log2(model.bayes_factors[comparison.name][index])
        label = comparison.levels[index].label if index < len(comparison.levels) else ELSE_LABEL
        parts.append((comparison.name, label, part))
        weight += part
    return MatchExplanation(weight, probability_from_weight(weight), tuple(parts))


def missing_label(comparison: Comparison, caller: LinkageRecord) -> str:
    """Why a comparison gives no evidence, said from the caller's side: they gave none, or
    the record compared holds none (never 'not recorded' for a value the caller gave)."""
    if any(_value(caller, column) is None for column in comparison.columns):
        return "not given by the caller"
    return "not on the record compared"


def best_score(
    model: MatchModel, caller: LinkageRecord, records: Iterable[LinkageRecord]
) -> MatchExplanation | None:
    """The best score of the caller against any of a person's records (None if it has none)."""
    scores = [score(model, caller, record) for record in records]
    return max(scores, key=lambda s: s.match_weight) if scores else None


_RECORDED = frozenset(LinkageRecord.__dataclass_fields__)


class CallerScorer:
    """Scores one caller against many records, as `score` and `best_score` do, comparing each
    distinct value of an attribute with the caller's once (candidates share family names,
    dates of birth and numbers with the caller and with each other)."""

    def __init__(self, model: MatchModel, caller: LinkageRecord) -> None:
        """Prepare the model's log weights and the caller's values."""
        if any(c.name not in _RECORDED for c in COMPARISONS):
            raise ValueError("each comparison must be named after a recorded value")
        self.model = model
        self.caller = caller
        prior = model.prior_probability
        self._prior_weight = math.log2(prior / (1 - prior))
        self._comparisons = model.comparisons
        self._weights = tuple(
            tuple(math.log2(f) for f in model.bayes_factors[c.name]) for c in self._comparisons
        )
        # Each comparison is named after the recorded value all its columns derive from (an
        # extra identifier: its one column).
        self._known: tuple[tuple[Comparison, str, dict[object, int]], ...] = tuple(
            (comparison, comparison.name, {}) for comparison in COMPARISONS
        ) + tuple((extra, extra.columns[0], {}) for extra in model.extras)

    def levels(self, record: LinkageRecord) -> tuple[int, ...]:
        """The level of each comparison for the caller and this record."""
        found = []
        for comparison, field, known in self._known:
            value = _value(record, field)
            level = known.get(value)
            if level is None:
                level = known[value] = comparison_level(comparison, self.caller, record)
            found.append(level)
        return tuple(found)

    def weight(self, record: LinkageRecord) -> float:
        """The match weight of the caller and this record (as `score(...).match_weight`)."""
        weight = self._prior_weight
        for index, level in enumerate(self.levels(record)):
            if level != NULL_LEVEL:
                weight += self._weights[index][level]
        return weight

    def explain(self, record: LinkageRecord) -> MatchExplanation:
        """The full score of the caller and this record (as `score`)."""
        weight = self._prior_weight
        parts: list[tuple[str, str, float]] = []
        for index, level in enumerate(self.levels(record)):
            comparison = self._comparisons[index]
            if level == NULL_LEVEL:
                parts.append((comparison.name, missing_label(comparison, self.caller), 0.0))
                continue
            part = self._weights[index][level]
            label = comparison.levels[level].label if level < len(comparison.levels) else ELSE_LABEL
            parts.append((comparison.name, label, part))
            weight += part
        return MatchExplanation(weight, probability_from_weight(weight), tuple(parts))

    def best(self, records: Iterable[LinkageRecord]) -> MatchExplanation | None:
        """The best score against any of these records (as `best_score`)."""
        best: LinkageRecord | None = None
        best_weight = -math.inf
        for record in records:
            weight = self.weight(record)
            if best is None or weight > best_weight:
                best, best_weight = record, weight
        return None if best is None else self.explain(best)


def same_caller_without_model(caller: LinkageRecord, record: LinkageRecord) -> bool:
    """Before any model is trained: the caller is this record's person when the family names
    are the same or very similar, the given names the same, a nickname of each other or very
    similar (or one not given), the number or the date of birth the same, and the dates of
    birth, where both are recorded, not different."""
    if not (caller.family_name and record.family_name):
        return False
    by_name = {comparison.name: comparison for comparison in COMPARISONS}
    # Levels up to "very similar (Jaro-Winkler 0.92)": 1 for family names, 2 for given names
    # (after "same formal name (a nickname)").
    if comparison_level(by_name["family_name"], caller, record) > 1:
        return False
    if comparison_level(by_name["given_name"], caller, record) > 2:
        return False
    born_level = comparison_level(by_name["date_of_birth"], caller, record)
    if born_level not in (NULL_LEVEL, 0):
        return False
    same_number = caller.telephone is not None and caller.telephone == record.telephone
    return same_number or born_level == 0


def person_to_join(
    candidates: Sequence[tuple[int, float]],
    *,
    threshold: float,
    kept_apart: Collection[frozenset[int]],
    one_person: Sequence[Collection[int]] | None = None,
) -> int | None:
    """The person a new contact joins at once: the most likely of the candidates (person id,
    probability) at or above the threshold (the earliest person on a tie). None when none
    reaches it, when a supervisor decided that two that reach it are different people, or
    when those that reach it are not all one person (`one_person`: groups of person records
    that are copies of one person; when given, a likely person in no group is a person of
    their own). The handler then chooses."""
    likely = sorted((p for p in candidates if p[1] >= threshold), key=lambda p: (-p[1], p[0]))
    if not likely:
        return None
    people = [person for person, _probability in likely]
    if one_person is not None and len(people) > 1:
        group_of = {p: i for i, group in enumerate(one_person) for p in group}
        if len({group_of.get(p, ("alone", p)) for p in people}) > 1:
            return None
    for index, person in enumerate(people):
        if any(frozenset((person, other)) in kept_apart for other in people[index + 1 :]):
            return None
    return people[0]


def probability_from_weight(weight: float) -> float:
    """A match weight (log2 of the odds) as a probability."""
    if weight > 60:
        return 1.0
    odds = math.pow(2.0, weight)
    return odds / (1 + odds)


@dataclass(frozen=True)
class PairwiseAccuracy:
    """Pairwise precision and recall of a clustering against the truth."""

    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        """Of the pairs put together, the share that are the same person."""
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """Of the pairs that are the same person, the share put together."""
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def pairwise_accuracy(
    cluster_sizes: Sequence[int], truth_sizes: Sequence[int], overlap_sizes: Sequence[int]
) -> PairwiseAccuracy:
    """Accuracy from group sizes: records per predicted cluster, per true person, and per
    (cluster, true person) cell; each group of n holds n(n-1)/2 pairs."""

    def pairs(sizes: Sequence[int]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes)

    return PairwiseAccuracy(pairs(overlap_sizes), pairs(cluster_sizes), pairs(truth_sizes))
