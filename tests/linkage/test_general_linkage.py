"""The general linkage on small crafted files: it runs and links well without telephone
numbers, keeps foreign postcodes, links two files across each other, and refuses an
untrainable set with a message instead of a traceback."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from person_records_support import people, table
from watchhouse.domain.identity import PairwiseAccuracy, pairwise_accuracy
from watchhouse.linkage.engines import DuckDBEngine
from watchhouse.linkage.fields import FieldSpec, UnlinkableRecords
from watchhouse.linkage.run import LinkResult, link_tables
from watchhouse.policy.model import load_policy
from watchhouse.services.identity_files import plan_limits, training_knobs

pytestmark = pytest.mark.linkage

FIELDS = (
    FieldSpec("given", "given_name", ("given",)),
    FieldSpec("family", "family_name", ("family",)),
    FieldSpec("born", "date_of_birth", ("born",), "%Y%m%d"),
    FieldSpec("postcode", "postcode", ("postcode",)),
)


def _link(tables: list[pa.Table], fields=FIELDS, *, link_only: bool = False) -> LinkResult:
    policy = load_policy().identity
    engine = DuckDBEngine(threads=1)
    try:
        return link_tables(
            engine,
            tables,
            fields,
            knobs=training_knobs(policy),
            limits=plan_limits(policy),
            threshold=policy.match_threshold,
            region="FR",
            link_only=link_only,
        )
    finally:
        engine.close()


def _accuracy(result: LinkResult, tables: list[pa.Table]) -> PairwiseAccuracy:
    labels = np.concatenate(result.clusters).tolist()
    truth = [v for t in tables for v in t.column("person").to_pylist()]
    cells = Counter(zip(labels, truth, strict=True))
    return pairwise_accuracy(
        list(Counter(labels).values()), list(Counter(truth).values()), list(cells.values())
    )


def test_records_without_telephone_numbers_and_with_foreign_postcodes_link_accurately():
    records = table(people(seed=3))
    result = _link([records])
    accuracy = _accuracy(result, [records])
    assert accuracy.precision >= 0.95
    assert accuracy.recall >= 0.85
    assert ("postcode",) in [b.fields for b in result.plan.training]


def test_two_files_are_linked_across_each_other_only():
    rows = people(seed=4, persons=250)
    first = [r for r in rows if int(str(r["id"])[1:]) % 2 == 0]
    second = [r for r in rows if int(str(r["id"])[1:]) % 2 == 1]
    tables = [table(first), table(second)]
    result = _link(tables, link_only=True)
    assert _accuracy(result, tables).precision >= 0.95
    # Two records of one person within the first file are never linked directly: only
    # through a record of the second file.
    by_person = Counter(r["person"] for r in first)
    twice = [p for p, n in by_person.items() if n > 1 and p not in {r["person"] for r in second}]
    labels = result.clusters[0].tolist()
    for person in twice:
        members = [labels[i] for i, r in enumerate(first) if r["person"] == person]
        assert len(set(members)) == len(members)


def test_a_set_that_cannot_be_trained_says_why_and_what_field_would_help():
    rows = [{"id": f"r{i}", "given": f"name{i}", "person": f"p{i}"} for i in range(200)]
    with pytest.raises(UnlinkableRecords, match="date of birth"):
        _link([table(rows)], (FieldSpec("given", "given_name", ("given",)),))


def test_two_files_without_link_only_are_linked_across_and_within():
    rows = people(seed=6, persons=250)
    tables = [table(rows[::2]), table(rows[1::2])]
    result = _link(tables)
    assert _accuracy(result, tables).precision >= 0.95
    assert _accuracy(result, tables).recall >= 0.85
