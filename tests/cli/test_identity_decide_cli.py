"""`watchhouse identity decide` at the command line: a supervisor who has not read a newer
decision about the same contacts (another supervisor's, or one made on the person page) is
refused, told which decision it is, and nothing is stored over it; naming it with `--seen`
lets the decision through. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from support import three_calls_from_one_caller
from watchhouse import cli
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import identity, identity_views
from watchhouse.services.context import AppContext

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]


def _decide(ctx: AppContext, tmp_path: Path, *args: str) -> Result:
    env = {"WATCHHOUSE_DATA_DIR": str(tmp_path), "WATCHHOUSE_DATABASE_URL": ctx.db.url}
    return CliRunner().invoke(
        cli.app, ["identity", "decide", *args, "--as-user", "supervisor"], env=env
    )


def test_a_decision_not_seeing_a_newer_one_is_refused_naming_it_until_seen(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    calls = three_calls_from_one_caller(ctx, actors[Role.CALL_HANDLER])
    first = identity.decide(
        ctx,
        actor=actors[Role.SUPERVISOR],
        left_contact_id=calls[0],
        right_contact_id=calls[1],
        same_person=True,
        reason="She confirmed her date of birth on both calls",
        decisions_seen=0,
    )

    refused = _decide(
        ctx, tmp_path, str(calls[0]), str(calls[1]), "--different", "--reason", "Other voice"
    )
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert f"decision {first} about these contacts is newer than the latest you have read" in said
    assert f"contacts {calls[0]} and {calls[1]} are the same person, recorded by supervisor" in said
    assert "She confirmed her date of birth on both calls" in said
    assert f"run again with --seen {first}" in said
    # A decision touching either contact (here the second, with the third) is held back too.
    touching = _decide(ctx, tmp_path, str(calls[1]), str(calls[2]), "--same", "--reason", "x")
    assert touching.exit_code == 2, touching.output
    assert [d.reason for d in identity_views.decisions_about(ctx, contact_ids=calls)] == [
        "She confirmed her date of birth on both calls"
    ]

    # Having read it, the supervisor names it and decides; an unrelated pair needs nothing.
    decided = _decide(
        ctx,
        tmp_path,
        str(calls[1]),
        str(calls[2]),
        "--same",
        "--reason",
        "Same number",
        "--seen",
        str(first),
    )
    assert decided.exit_code == 0, decided.output
    assert "are the same person; the next run keeps it" in decided.output
    assert len(identity_views.decisions_about(ctx, contact_ids=calls)) == 2

    # Seeing an older decision only is still stale once another has been recorded.
    stale = _decide(
        ctx,
        tmp_path,
        str(calls[0]),
        str(calls[2]),
        "--same",
        "--reason",
        "All three",
        "--seen",
        str(first),
    )
    assert stale.exit_code == 2, stale.output
    assert f"run again with --seen {first + 1}" in " ".join(stale.output.split())


def test_a_first_decision_about_two_contacts_needs_no_seen(
    ctx: AppContext, actors: dict[Role, Actor], tmp_path: Path
) -> None:
    calls = three_calls_from_one_caller(ctx, actors[Role.CALL_HANDLER])
    decided = _decide(
        ctx, tmp_path, str(calls[0]), str(calls[1]), "--different", "--reason", "Twins"
    )
    assert decided.exit_code == 0, decided.output
    stored = identity_views.decisions_about(ctx, contact_ids=calls)
    assert [(d.same_person, d.reason) for d in stored] == [(False, "Twins")]
