"""Identifiers as data: the kinds of field a person record may hold, and the choice of blocking
rules, training blocks and prior rules from what the records actually hold (how complete each
field is and how many pairs of records share each value). Pure: no splink, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal, get_args

FieldKind = Literal[
    "given_name",
    "family_name",
    "full_name",
    "date_of_birth",
    "telephone",
    "postcode",
    "address",
    "email",
    "identifier",
    "text",
]
FIELD_KINDS: tuple[FieldKind, ...] = get_args(FieldKind)
# Which fields train well first by expectation maximisation: a block on a date of birth or a
# postcode lets through pairs of which a useful share (neither none nor all) are matches.
_TRAINING_ORDER: tuple[FieldKind, ...] = (
    "date_of_birth",
    "postcode",
    "telephone",
    "family_name",
    "email",
    "full_name",
    "given_name",
    "address",
    "identifier",
    "text",
)
# Kinds whose exact agreement, alone or with a name, all but proves a match (prior rules).
_EXACT_IDENTIFIERS: tuple[FieldKind, ...] = ("identifier", "email")


@dataclass(frozen=True)
class FieldSpec:
    """One field to compare: its name in the linkage (a column), its kind, and the source
    column(s) it is read from (a full name or an address may join several)."""

    name: str
    kind: FieldKind
    sources: tuple[str, ...]
    date_format: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(
                f"field {self.name!r}: unknown kind {self.kind!r}; choose one of "
                + ", ".join(FIELD_KINDS)
            )
        if not self.sources:
            raise ValueError(f"field {self.name!r}: name the column(s) it is read from")


@dataclass(frozen=True)
class FieldProfile:
    """What the records hold in one field: the share of records with a value, how many
    distinct values, and how many pairs of records share a value (the pairs an exact block on
    it lets through)."""

    name: str
    kind: FieldKind
    completeness: float
    distinct: int
    pairs: int


@dataclass(frozen=True)
class Block:
    """A blocking rule: records that agree exactly on all these fields; `pairs` is how many
    pairs it lets through (an upper estimate for several fields)."""

    fields: tuple[str, ...]
    pairs: int


@dataclass(frozen=True)
class PlanLimits:
    """The policy's limits on blocking and training (see docs/identity.md)."""

    max_pairs_per_block: int
    pairs_per_record: float
    max_blocks: int
    min_completeness: float
    min_training_pairs: int


@dataclass(frozen=True)
class LinkagePlan:
    """Blocks to find candidate pairs, blocks to train on (each comparison is learnt in at
    least one, where the data allow), rules for the prior, and notes on what was left out."""

    prediction: tuple[Block, ...]
    training: tuple[Block, ...]
    prior_rules: tuple[tuple[str, ...], ...]
    untrained: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TrainingKnobs:
    """The policy's training settings (see docs/identity.md)."""

    prior_recall: float
    u_sample_pairs: int
    training_max_pairs: int
    training_sample_records: int
    seed: int
    m_floor: float
    # The most a date of birth's "different" level's m may be (see general.cap_different).
    date_of_birth_different_m_max: float = 1.0


class UnlinkableRecords(ValueError):
    """The records cannot be linked as they are: the message says why and what would help."""


def total_pairs(records: int) -> int:
    """All pairs among this many records."""
    return records * (records - 1) // 2


def joint_pairs_estimate(profiles: tuple[FieldProfile, ...], records: int) -> int:
    """Pairs agreeing on all these fields, assuming they agree independently (an estimate
    used only where the joint count was not measured)."""
    every = total_pairs(records)
    if every == 0:
        return 0
    share = 1.0
    for profile in profiles:
        share *= profile.pairs / every
    return int(share * every)


def choose_plan(
    profiles: list[FieldProfile],
    records: int,
    limits: PlanLimits,
    joint_pairs: dict[tuple[str, ...], int] | None = None,
) -> LinkagePlan:
    """The blocking rules, training blocks and prior rules for records with these profiles.

    Fields less complete than the limit, or shared by no two records, are not blocked on.
    Single fields come first; pairs of fields are used where one field alone lets through too
    many pairs. Raises UnlinkableRecords when no rule lets any pair through."""
    joint = joint_pairs or {}
    usable = [
        p
        for p in profiles
        if p.completeness >= limits.min_completeness and p.pairs > 0 and p.kind != "text"
    ]
    notes = [
        f"{p.name}: {p.completeness:.0%} complete, not blocked on"
        for p in profiles
        if p.completeness < limits.min_completeness
    ]
    if not usable:
        raise UnlinkableRecords(
            "no field is recorded in enough records and shared by any two of them, so there "
            "is nothing to find candidate pairs by; map a date of birth, a family name, a "
            "postcode, a telephone number or an identifier"
        )
    budget = max(1, min(limits.max_pairs_per_block, int(limits.pairs_per_record * records)))
    chosen: list[Block] = [Block((p.name,), p.pairs) for p in usable if p.pairs <= budget]
    for left, right in combinations(usable, 2):
        if len(chosen) >= limits.max_blocks * 3:
            break
        key = (left.name, right.name)
        if any(set(b.fields) <= set(key) for b in chosen):
            continue
        pairs = joint.get(key, joint_pairs_estimate((left, right), records))
        if 0 < pairs <= budget:
            chosen.append(Block(key, pairs))
    if not chosen:
        raise UnlinkableRecords(
            "every field, alone or with another, lets through more candidate pairs than the "
            f"limit ({budget:,}); map a more distinguishing field (a date of birth, an "
            "identifier) or raise identity.blocking_max_pairs"
        )
    prediction = tuple(sorted(chosen, key=lambda b: (len(b.fields), b.pairs))[: limits.max_blocks])
    training, untrained = _training_blocks(usable, profiles, limits, joint)
    return LinkagePlan(prediction, training, _prior_rules(usable), untrained, tuple(notes))


def _training_blocks(
    usable: list[FieldProfile],
    profiles: list[FieldProfile],
    limits: PlanLimits,
    joint: dict[tuple[str, ...], int],
) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Candidate expectation maximisation sessions, best first: each learns every comparison
    but those it blocks on, so two sessions on different fields learn all of them. Sessions
    are sampled to the policy's pair limit by splink, so a broad field is fine."""
    rank = {kind: i for i, kind in enumerate(_TRAINING_ORDER)}
    candidates = sorted(
        (p for p in usable if p.pairs >= limits.min_training_pairs),
        key=lambda p: (rank[p.kind], -p.completeness),
    )
    every = {p.name for p in profiles}
    # In order of preference: the linkage trains on the first, then on the next that learns
    # what is still unlearnt, skipping any that fail.
    sessions = [Block((p.name,), p.pairs) for p in candidates]
    if len(sessions) < 2:
        # One field alone cannot learn itself: add the least broad pair of fields without it.
        pairs_fields = sorted(
            (n, key)
            for key, n in joint.items()
            if n >= limits.min_training_pairs
            and not any(set(b.fields) & set(key) for b in sessions)
        )
        sessions.extend(Block(key, n) for n, key in pairs_fields[: 2 - len(sessions)])
    if not sessions:
        raise UnlinkableRecords(
            f"no field is shared by at least {limits.min_training_pairs} pairs of records, "
            "so the model cannot learn how often true matches agree; map a field that "
            "records of one person share (a date of birth, a postcode, a telephone number) "
            "or lower identity.training_min_pairs"
        )
    learnt: set[str] = set()
    for block in sessions:
        learnt |= every - set(block.fields)
    return tuple(sessions), tuple(sorted(every - learnt))


def _prior_rules(usable: list[FieldProfile]) -> tuple[tuple[str, ...], ...]:
    """Rules that all but prove a match, from the fields present: an exact identifier or
    email alone; names with a date of birth; a name with a telephone number."""
    by_kind: dict[FieldKind, list[str]] = {}
    for p in usable:
        by_kind.setdefault(p.kind, []).append(p.name)
    rules: list[tuple[str, ...]] = []
    for kind in _EXACT_IDENTIFIERS:
        rules.extend((name,) for name in by_kind.get(kind, []))
    names = by_kind.get("given_name", [])[:1] + by_kind.get("family_name", [])[:1]
    if not names:
        names = by_kind.get("full_name", [])[:1]
    for strong in ("date_of_birth", "telephone"):
        if names and by_kind.get(strong):
            rules.append((*names, by_kind[strong][0]))
    if not rules and names and by_kind.get("postcode"):
        rules.append((*names, by_kind["postcode"][0]))
    if not rules:
        raise UnlinkableRecords(
            "no combination of fields all but proves two records are one person, so the "
            "share of matching pairs cannot be estimated; map names with a date of birth or "
            "a telephone number, or an exact identifier (PNC ID, NI number, email)"
        )
    return tuple(rules)
