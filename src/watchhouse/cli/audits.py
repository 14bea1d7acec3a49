"""`watchhouse audits`: templates, drawing a sample by rule and seed, and the trends."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from watchhouse.auth.permissions import can
from watchhouse.cli.io import AsUser, _actor, _context
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.services import audit_feedback, audits

audits_app = typer.Typer(
    help="Quality audits: templates, samples and trends.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _allowed(actor: Actor, action: Action, what: str) -> None:
    if not can(actor.role, action):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not {what}[/red]")
        raise typer.Exit(1)


@audits_app.command("templates")
def templates() -> None:
    """List the audit templates: shipped ones and auditors' own."""
    table = Table("code", "name", "records", "sample", "pass mark", "from")
    for stored in audits.list_templates(_context()):
        t = stored.template
        table.add_row(
            t.code,
            t.name,
            t.record_type.label,
            f"{t.sample_count} per {t.sample_per}",
            f"{t.pass_mark:.0%}",
            stored.origin,
        )
    console.print(table)


@audits_app.command("sample")
def sample(
    template: Annotated[str, typer.Option(help="template code, e.g. thrive_quality")],
    month: Annotated[str, typer.Option(help="the month to sample, YYYY-MM")],
    seed: Annotated[int, typer.Option(help="same seed, same sample")],
    per: Annotated[
        str | None,
        typer.Option(
            help="handler, officer, assessor, team or investigator; 'all' for simple random"
        ),
    ] = None,
    count: Annotated[int | None, typer.Option(help="records per stratum")] = None,
    as_user: AsUser = None,
) -> None:
    """Draw a sample by rule and seed (drawing it again shows the one already drawn)."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MANAGE_AUDITS, "draw audit samples")
    _allowed(actor, Action.MANAGE_AUDITS, "draw audit samples")
    try:
        drawn = audits.draw(
            ctx, actor=actor, template_code=template, period=month, seed=seed, per=per, count=count
        )
    except ValidationFailed as exc:
        err.print(f"[red]nothing drawn[/red]: {exc}")
        raise typer.Exit(2) from exc
    s = drawn.sample
    zone = ctx.policy.force.timezone
    table = Table(
        "record",
        "stratum",
        "team",
        "when",
        "score",
        title=f"{s.reference}: {s.template_name}, {s.period}, {s.rule.label}, seed {s.seed}",
    )
    for item in drawn.items:
        table.add_row(
            item.reference,
            item.stratum,
            item.team or "no team",
            format_local(item.record_at, zone, "%d %b %Y %H:%M"),
            "" if item.score is None else f"{item.score:.0%} {'pass' if item.passed else 'fail'}",
        )
    console.print(table)
    state = (
        "drawn now"
        if drawn.created
        else (
            f"already drawn {format_local(s.drawn_at, zone, '%d %b %Y %H:%M')} by {s.drawn_by}; "
            "nothing added"
        )
    )
    console.print(f"{len(drawn.items)} records from {s.population} in the month; {state}")


@audits_app.command("trends")
def trends(
    by: Annotated[str, typer.Option(help="team or area")] = "team",
    template: Annotated[str, typer.Option(help="one template's code; default all")] = "",
    since: Annotated[str, typer.Option(help="first month, YYYY-MM")] = "",
) -> None:
    """Audit scores by team (or area) per month; every team (or area), n=0 where none audited."""
    try:
        cells = audit_feedback.trends(_context(), by=by, template_code=template, since=since)
    except ValidationFailed as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    table = Table("month", by, "audits", "mean score", "pass rate")
    for c in cells:
        table.add_row(
            c.period, c.group, str(c.audits), _percent(c.mean_score), _percent(c.pass_rate)
        )
    console.print(table)


def _percent(share: float | None) -> str:
    """A share as a whole percentage, or a dash when nothing was audited."""
    return "-" if share is None else f"{share:.0%}"
