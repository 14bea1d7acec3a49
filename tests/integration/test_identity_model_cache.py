"""The online check's trained model is kept per store (commit 3dad618): run ids repeat across
stores, so two stores in one process, each with its own run 1, must each score callers with
their own model, never with the model of the store that was read first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from watchhouse.config import Settings
from watchhouse.db.engine import Database
from watchhouse.db.repositories import identity as identity_repo
from watchhouse.domain.identity import COMPARISONS, CallerScorer, LinkageRecord
from watchhouse.services import identity_online
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _splink_json(prior: float, same_telephone_factor: float) -> str:
    """A trained model as splink stores it: every level's m and u (Bayes factor m/u), the null
    level first; all factors 1 but an exact telephone match."""
    comparisons = []
    for comparison in COMPARISONS:
        levels: list[dict[str, object]] = [{"is_null_level": True}]
        for index in range(len(comparison.levels) + 1):
            factor = same_telephone_factor if (comparison.name, index) == ("telephone", 0) else 1
            levels.append({"m_probability": 0.5, "u_probability": 0.5 / factor})
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return json.dumps({"probability_two_random_records_match": prior, "comparisons": comparisons})


def _store_run(ctx: AppContext, model_json: str) -> int:
    with ctx.db.transaction() as session:
        return identity_repo.add_run(
            session=session,
            engine="duckdb",
            started_at=AT,
            finished_at=AT,
            started_by=None,
            threshold=0.99,
            records=0,
            signatures=0,
            pairs=0,
            clusters=0,
            decisions=0,
            model_json=model_json,
            precision=None,
            recall=None,
        )


def _probability(ctx: AppContext) -> float:
    """The probability the store's model gives two records that share only a number."""
    with ctx.db.transaction() as session:
        model = identity_online.trained_model(ctx, session)
    assert model is not None
    caller = LinkageRecord(telephone="+447700900111")
    scorer = CallerScorer(model, caller)
    return scorer.explain(LinkageRecord(telephone="+447700900111")).probability


def test_two_stores_in_one_process_each_score_with_their_own_run_1(
    ctx: AppContext, sqlite_template: Path, tmp_path: Path
) -> None:
    other_path = tmp_path / "other.sqlite3"
    other_path.write_bytes(sqlite_template.read_bytes())
    other_db = Database(f"sqlite:///{other_path}")
    settings = Settings(environment="test", data_dir=tmp_path, database_url=other_db.url)
    other = AppContext(settings=settings, db=other_db, policy=ctx.policy, clock=ctx.clock)
    try:
        # Even odds on a shared number in the first store; 2^10 : 1 in the second.
        assert _store_run(ctx, _splink_json(prior=0.5, same_telephone_factor=1)) == 1
        assert _store_run(other, _splink_json(prior=0.5, same_telephone_factor=1024)) == 1

        assert _probability(ctx) == pytest.approx(0.5)
        assert _probability(other) == pytest.approx(1024 / 1025)
        # Read again (from each store's cache), still each its own.
        assert _probability(ctx) == pytest.approx(0.5)
        assert _probability(other) == pytest.approx(1024 / 1025)
    finally:
        other_db.dispose()
