"""Linking a file of person records (CSV or Parquet) with a mapping file: each record's id and
cluster id written to CSV, and pairwise precision and recall when a truth column is given. The
same engine as the store's linkage; nothing is read from or written to the store."""

from __future__ import annotations

import csv
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.identity import PairwiseAccuracy, pairwise_accuracy
from watchhouse.io.csv_table import UnreadableFile, read_header, read_text_table
from watchhouse.io.spreadsheet import spreadsheet_safe
from watchhouse.linkage.engines import EngineName, open_engine
from watchhouse.linkage.fields import PlanLimits, TrainingKnobs, UnlinkableRecords
from watchhouse.linkage.mapping import Mapping, MappingProblem, mapping_from_dict
from watchhouse.linkage.run import link_tables
from watchhouse.policy.model import IdentityPolicy

Say = Callable[[str], None]


@dataclass(frozen=True)
class FileLinkReport:
    """What one file linkage did."""

    records: int
    distinct: int
    pairs: int
    clusters: int
    seconds: float
    blocks: tuple[str, ...]
    training_blocks: tuple[str, ...]
    prior: float
    notes: tuple[str, ...]
    accuracy: PairwiseAccuracy | None


def plan_limits(policy: IdentityPolicy) -> PlanLimits:
    """The policy's blocking and training limits."""
    return PlanLimits(
        max_pairs_per_block=policy.blocking_max_pairs,
        pairs_per_record=policy.blocking_pairs_per_record,
        max_blocks=policy.blocking_max_rules,
        min_completeness=policy.blocking_min_completeness,
        min_training_pairs=policy.training_min_pairs,
    )


def training_knobs(policy: IdentityPolicy) -> TrainingKnobs:
    """The policy's training settings."""
    return TrainingKnobs(
        prior_recall=policy.prior_recall,
        u_sample_pairs=policy.u_sample_pairs,
        training_max_pairs=policy.training_max_pairs,
        training_sample_records=policy.training_sample_records,
        seed=policy.training_seed,
        m_floor=policy.training_m_floor,
        date_of_birth_different_m_max=policy.date_of_birth_different_m_max,
    )


def read_mapping(path: Path) -> Mapping:
    """The mapping file, checked."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ValidationFailed.one("mapping", f"{path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ValidationFailed.one("mapping", f"{path.name} is not valid TOML: {error}") from error
    try:
        return mapping_from_dict(data)
    except (MappingProblem, ValueError) as error:
        raise ValidationFailed.one("mapping", f"{path.name}: {error}") from error


def read_records(path: Path) -> pa.Table:
    """A CSV (every column as text) or Parquet file of records."""
    if not path.exists():
        raise ValidationFailed.one("input", f"{path} does not exist")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise ValidationFailed.one("input", f"{path.name} is not Parquet: {error}") from error
    try:
        return read_text_table(path, read_header(path)).table
    except UnreadableFile as error:
        raise ValidationFailed.one("input", str(error)) from error


def _columns_present(table: pa.Table, mapping: Mapping, name: str, truth: str | None) -> None:
    wanted = [mapping.id_column, *(c for f in mapping.fields for c in f.sources)]
    if truth:
        wanted.append(truth)
    missing = sorted({c for c in wanted if c not in table.column_names})
    if missing:
        raise ValidationFailed.one(
            "mapping",
            f"{name} lacks the column(s) {', '.join(missing)} named in the mapping "
            f"(it has: {', '.join(table.column_names)})",
        )


def link_file(
    *,
    policy: IdentityPolicy,
    source: Path,
    mapping_path: Path,
    out: Path,
    truth: str | None = None,
    other: Path | None = None,
    link_only: bool = False,
    threshold: float | None = None,
    engine: EngineName | None = None,
    say: Say | None = None,
) -> FileLinkReport:
    """Link the records of one file (or, with `link_only`, two files across each other) and
    write `record_id,cluster_id` (plus `file` when linking two) to `out`; no store is used."""
    cut = policy.match_threshold if threshold is None else threshold
    if not 0 < cut < 1:
        raise ValidationFailed.one("threshold", "must be between 0 and 1")
    if link_only and other is None:
        raise ValidationFailed.one("other", "--link-only links two files: give the second")
    mapping = read_mapping(mapping_path)
    paths = [source] if other is None else [source, other]
    tables = [read_records(p) for p in paths]
    for path, table in zip(paths, tables, strict=True):
        _columns_present(table, mapping, path.name, truth)
    clock = time.perf_counter()
    backend = open_engine(engine or policy.engine)
    try:
        result = link_tables(
            backend,
            tables,
            mapping.fields,
            knobs=training_knobs(policy),
            limits=plan_limits(policy),
            threshold=cut,
            region=mapping.telephone_region or policy.telephone_region,
            link_only=link_only,
            say=say,
        )
    except UnlinkableRecords as error:
        raise ValidationFailed.one("records", str(error)) from error
    except ValueError as error:
        raise ValidationFailed.one("mapping", str(error)) from error
    finally:
        backend.close()
    ids = [t.column(mapping.id_column).to_pylist() for t in tables]
    _write_clusters(out, paths, ids, result.clusters)
    labels = np.concatenate(result.clusters)
    accuracy = None
    if truth:
        accuracy = _accuracy(labels, [v for t in tables for v in t.column(truth).to_pylist()])
    return FileLinkReport(
        records=int(labels.size),
        distinct=result.distinct,
        pairs=result.pairs,
        clusters=len(np.unique(labels)),
        seconds=time.perf_counter() - clock,
        blocks=tuple(" + ".join(b.fields) for b in result.plan.prediction),
        training_blocks=tuple(" + ".join(b.fields) for b in result.plan.training),
        prior=result.prior,
        notes=result.notes,
        accuracy=accuracy,
    )


def _write_clusters(
    out: Path, paths: Sequence[Path], ids: Sequence[list[object]], clusters: Sequence[np.ndarray]
) -> None:
    """One row per record; a cluster is named by the id of its first record (file order)."""
    first_id: dict[int, object] = {}
    for record_ids, labels in zip(ids, clusters, strict=True):
        for record_id, label in zip(record_ids, labels.tolist(), strict=True):
            first_id.setdefault(label, record_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    two = len(paths) > 1
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "record_id", "cluster_id"] if two else ["record_id", "cluster_id"])
        for path, record_ids, labels in zip(paths, ids, clusters, strict=True):
            for record_id, label in zip(record_ids, labels.tolist(), strict=True):
                row = [spreadsheet_safe(record_id), spreadsheet_safe(first_id[label])]
                writer.writerow([spreadsheet_safe(path.name), *row] if two else row)


def _accuracy(labels: np.ndarray, truth: Sequence[object]) -> PairwiseAccuracy:
    """Pairwise precision and recall of the clusters against a truth (records whose truth is
    blank are left out)."""
    kept = [(int(label), t) for label, t in zip(labels.tolist(), truth, strict=True) if t]
    clusters = Counter(label for label, _t in kept)
    persons = Counter(t for _label, t in kept)
    cells = Counter(kept)
    return pairwise_accuracy(list(clusters.values()), list(persons.values()), list(cells.values()))
