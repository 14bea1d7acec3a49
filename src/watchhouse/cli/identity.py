"""`watchhouse identity`: the batch linkage, its runs, and supervisors' decisions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.status import Status
from rich.table import Table

from watchhouse.auth.permissions import can
from watchhouse.cli.io import AsUser, _actor, _context, _policy
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import NotFound, StaleDecision, ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.services import identity, identity_files, identity_labels
from watchhouse.services.identity import RunMetric

identity_app = typer.Typer(
    help="Who is who: link contact records into people.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


class EngineChoice(StrEnum):
    """Where splink runs."""

    DUCKDB = "duckdb"
    SPARK = "spark"


def _allowed(actor: Actor, action: Action, what: str) -> None:
    if not can(actor.role, action):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not {what}[/red]")
        raise typer.Exit(1)


@identity_app.command("link")
def link(
    as_user: AsUser = None,
    engine: Annotated[
        EngineChoice | None,
        typer.Option(help="where splink runs (default: the policy's [identity] engine)"),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="match probability at which records are one person (default: policy)"),
    ] = None,
) -> None:
    """Link every contact record into people (splink), keeping supervisors' decisions."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.LINK_IDENTITIES, "run the identity linkage")
    _allowed(actor, Action.LINK_IDENTITIES, "run the identity linkage")
    with Status("starting", console=console) as status:
        try:
            report = identity.link_identities(
                ctx,
                actor=actor,
                engine=None if engine is None else engine.value,
                threshold=threshold,
                say=lambda message: status.update(message),
            )
        except ValidationFailed as exc:
            err.print(f"[red]nothing done[/red]: {exc}")
            raise typer.Exit(2) from exc
        except RuntimeError as exc:
            err.print(f"[red]nothing done[/red]: {exc}")
            raise typer.Exit(1) from exc
    console.print(
        f"run {report.run_id} on {report.engine}: {report.records:,} contact records "
        f"({report.signatures:,} distinct) -> {report.clusters:,} people; "
        f"{report.pairs:,} linked pairs; {report.decisions} supervisor decisions kept; "
        f"{report.seconds:.1f} s"
    )
    if report.neutral_levels:
        console.print(
            "levels the records never showed among matches, so they count neither way: "
            + "; ".join(report.neutral_levels)
        )
    if report.labelled is not None and report.labelled.labelled:
        lab = report.labelled
        precision = "n/a" if lab.precision is None else f"{lab.precision:.4f}"
        recall = "n/a" if lab.recall is None else f"{lab.recall:.4f}"
        console.print(
            f"the model alone against {lab.labelled} supervisor decisions: precision "
            f"{precision}, recall {recall}"
        )
    for metric in report.metrics:
        if metric.basis in ("labelled_pairs", "labelled_clusters"):
            console.print(f"on the kept {_BASIS[metric.basis]}: {_metric_text(metric)}")
    if report.accuracy is not None:
        a = report.accuracy
        console.print(
            f"against the synthetic ground truth: pairwise precision {a.precision:.4f}, "
            f"recall {a.recall:.4f}, F1 {a.f1:.4f}"
        )


_BASIS = {
    "labelled_pairs": "labelled pairs",
    "labelled_clusters": "labelled clusters",
    "decisions": "supervisors' decisions",
    "synthetic": "synthetic ground truth",
}


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _metric_text(metric: RunMetric) -> str:
    return (
        f"{metric.labelled:,} labelled: precision {_number(metric.precision)}, recall "
        f"{_number(metric.recall)}, F1 {_number(metric.f1)}"
    )


def _short(metric: RunMetric | None) -> str:
    if metric is None:
        return ""
    return f"{_number(metric.precision)} / {_number(metric.recall)} / {_number(metric.f1)}"


@identity_app.command("runs")
def runs(as_user: AsUser = None) -> None:
    """The latest linkage runs, with their accuracy where a ground truth exists."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.LINK_IDENTITIES, "see the identity linkage runs")
    _allowed(actor, Action.LINK_IDENTITIES, "see the identity linkage runs")
    table = Table(
        "run",
        "finished",
        "engine",
        "records",
        "people",
        "pairs",
        "decisions",
        "threshold",
        "precision",
        "recall",
        "labels P / R / F1",
        "decisions P / R / F1",
        title="identity linkage runs (precision and recall: synthetic ground truth)",
    )
    zone = ctx.policy.force.timezone
    metrics = identity.recent_run_metrics(ctx)
    for run in identity.recent_runs(ctx):
        measured = metrics.get(run.id, {})
        table.add_row(
            str(run.id),
            format_local(run.finished_at, zone, "%d %b %Y %H:%M"),
            run.engine,
            f"{run.records:,}",
            f"{run.clusters:,}",
            f"{run.pairs:,}",
            str(run.decisions),
            f"{run.threshold:g}",
            "" if run.precision is None else f"{run.precision:.4f}",
            "" if run.recall is None else f"{run.recall:.4f}",
            _short(measured.get("labelled_pairs") or measured.get("labelled_clusters")),
            _short(measured.get("decisions")),
        )
    console.print(table)


@identity_app.command("decide")
def decide(
    left: Annotated[int, typer.Argument(help="a contact id")],
    right: Annotated[int, typer.Argument(help="another contact id")],
    reason: Annotated[str, typer.Option(help="why (kept with the decision)")],
    same: Annotated[
        bool, typer.Option("--same/--different", help="the same person, or different people")
    ],
    seen: Annotated[
        int,
        typer.Option(
            min=0,
            help="the number of the latest decision about these contacts you have read "
            "(0: none); refused if a newer one about either contact exists",
        ),
    ] = 0,
    as_user: AsUser = None,
) -> None:
    """Record that two contacts are (or are not) the same person; every later run keeps it."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.DECIDE_IDENTITY, "decide who is who")
    _allowed(actor, Action.DECIDE_IDENTITY, "decide who is who")
    try:
        decision = identity.decide(
            ctx,
            actor=actor,
            left_contact_id=left,
            right_contact_id=right,
            same_person=same,
            reason=reason,
            decisions_seen=seen,
        )
    except StaleDecision as stale:
        err.print(
            f"[red]nothing done[/red]: {_unseen(stale, seen, ctx.policy.force.timezone)}",
            soft_wrap=True,
        )
        raise typer.Exit(2) from stale
    except (ValidationFailed, NotFound) as exc:
        err.print(f"[red]nothing done[/red]: {exc}")
        raise typer.Exit(2) from exc
    console.print(
        f"decision {decision}: contacts {left} and {right} are "
        f"{'the same person' if same else 'different people'}; the next run keeps it"
    )


def _unseen(stale: StaleDecision, seen: int, zone: str) -> str:
    """Why a decision was refused as made without seeing a newer one, and what to do."""
    d = stale.latest
    said = "the same person" if d.same_person else "not the same person"
    others = "" if stale.newer == 1 else f" (the latest of {stale.newer})"
    return (
        f"decision {d.id}{others} about these contacts is newer than the latest you have "
        f"read (--seen {seen}): contacts {d.left_contact_id} and {d.right_contact_id} are "
        f"{said}, recorded by {d.decided_by} at "
        f"{format_local(d.decided_at, zone, '%d %b %Y %H:%M')} ({d.reason!r}). Read it; if you "
        f"still decide this, run again with --seen {d.id}"
    )


@identity_app.command("link-file")
def link_file(
    source: Annotated[Path, typer.Argument(help="a CSV or Parquet file of person records")],
    mapping: Annotated[
        Path, typer.Option(help="TOML saying which column is which kind of identifier")
    ],
    out: Annotated[Path, typer.Option(help="where to write record_id,cluster_id (CSV)")],
    truth: Annotated[
        str | None,
        typer.Option(help="a column holding the true cluster: print pairwise precision/recall"),
    ] = None,
    link_only: Annotated[
        bool, typer.Option("--link-only", help="link across two files, not within each")
    ] = False,
    other: Annotated[
        Path | None,
        typer.Option(
            help="a second file: linked across and within both, or across only with --link-only"
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="match probability at which records are one person (default: policy)"),
    ] = None,
    engine: Annotated[
        EngineChoice | None,
        typer.Option(help="where splink runs (default: the policy's [identity] engine)"),
    ] = None,
) -> None:
    """Link a file of person records (no store needed) and write each record's cluster."""
    policy = _policy()
    with Status("starting", console=console) as status:
        try:
            report = identity_files.link_file(
                policy=policy.identity,
                source=source,
                mapping_path=mapping,
                out=out,
                truth=truth,
                other=other,
                link_only=link_only,
                threshold=threshold,
                engine=None if engine is None else engine.value,
                say=lambda message: status.update(message),
            )
        except ValidationFailed as exc:
            err.print(f"[red]nothing linked[/red]: {exc}")
            raise typer.Exit(2) from exc
        except RuntimeError as exc:
            err.print(f"[red]nothing linked[/red]: {exc}")
            raise typer.Exit(1) from exc
    console.print(
        f"{report.records:,} records ({report.distinct:,} distinct) -> {report.clusters:,} "
        f"clusters; {report.pairs:,} linked pairs; {report.seconds:.1f} s; written to {out}"
    )
    console.print(
        f"blocked on: {'; '.join(report.blocks)}; trained on: "
        f"{'; '.join(report.training_blocks)}; share of pairs that match: {report.prior:.3g}"
    )
    for note in report.notes:
        console.print(f"note: {note}")
    if report.accuracy is not None:
        a = report.accuracy
        console.print(
            f"against {truth}: pairwise precision {a.precision:.4f}, recall {a.recall:.4f}, "
            f"F1 {a.f1:.4f}"
        )


@identity_app.command("accuracy")
def accuracy(
    labels: Annotated[
        Path,
        typer.Argument(
            help="CSV of labelled pairs (left_contact_id,right_contact_id,same_person) or "
            "labelled clusters (contact_id,person)"
        ),
    ],
    as_user: AsUser = None,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="keep the sample in the store: every later 'identity link' records its "
            "precision, recall and F1 on it (re-importing the same file changes nothing)",
        ),
    ] = False,
) -> None:
    """Measure the latest linkage run on your own labelled sample: precision and recall."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.LINK_IDENTITIES, "measure the identity linkage")
    _allowed(actor, Action.LINK_IDENTITIES, "measure the identity linkage")
    if keep:
        try:
            kept = identity_labels.keep_labels(ctx, actor=actor, labels=labels)
        except ValidationFailed as exc:
            err.print(f"[red]nothing kept[/red]: {exc}")
            raise typer.Exit(2) from exc
        console.print(
            f"labelled {kept.kind} kept: {kept.added} new, {kept.changed} changed"
            + (
                f"; {kept.unknown_contacts} contacts the store does not hold left out"
                if kept.unknown_contacts
                else ""
            )
        )
        if not identity.recent_runs(ctx):
            console.print("no linkage run yet: the next 'watchhouse identity link' is measured")
            return
    try:
        report = identity_labels.measure_against_labels(ctx, actor=actor, labels=labels)
    except ValidationFailed as exc:
        err.print(f"[red]nothing measured[/red]: {exc}")
        raise typer.Exit(2) from exc
    if report.unknown_contacts:
        console.print(f"{report.unknown_contacts} labelled contacts are not in run {report.run_id}")
    if report.pairs is not None:
        p = report.pairs
        precision = "n/a" if p.precision is None else f"{p.precision:.4f}"
        recall = "n/a" if p.recall is None else f"{p.recall:.4f}"
        console.print(
            f"run {report.run_id} on {p.labelled} labelled pairs: precision {precision}, "
            f"recall {recall} ({p.true_positives} right links, {p.false_positives} wrong "
            f"links, {p.false_negatives} missed)"
        )
    if report.clusters is not None:
        c = report.clusters
        console.print(
            f"run {report.run_id} on the labelled clusters: pairwise precision "
            f"{c.precision:.4f}, recall {c.recall:.4f}, F1 {c.f1:.4f}"
        )
