"""`watchhouse audits` end to end on a small synthetic force in a temporary data directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli_support import Invoke, cli_in
from support import ALL_YES_THRIVE_AUDIT as ALL_YES
from watchhouse.config import Settings
from watchhouse.domain.roles import Actor
from watchhouse.services import accounts, audits
from watchhouse.services.context import build_context

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

SAMPLE = (
    "audits",
    "sample",
    "--template",
    "thrive_quality",
    "--month",
    "2024-05",
    "--per",
    "handler",
    "--count",
    "3",
    "--seed",
    "7",
    "--as-user",
    "aud",
)


@pytest.fixture
def invoke(tmp_path: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR=tmp_path."""
    return cli_in(tmp_path)


@pytest.fixture
def force(invoke: Invoke) -> None:
    """May 2024 of the synthetic force at 1% scale, an auditor and a call handler."""
    made = invoke("synth", "--start", "2024-05-01", "--end", "2024-06-01", "--scale", "0.01")
    assert made.exit_code == 0, made.output
    for username, role in (("aud", "auditor"), ("han", "call_handler")):
        added = invoke(
            "users",
            "add",
            username,
            "--role",
            role,
            "--name",
            username,
            "--password",
            "longenough123",
        )
        assert added.exit_code == 0, added.output


def _records(output: str) -> list[str]:
    return [line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│ C")]


def test_sampling_again_with_the_same_seed_prints_the_same_sample_and_adds_nothing(
    invoke, force, tmp_path
):
    first = invoke(*SAMPLE)
    assert first.exit_code == 0, first.output
    drawn = _records(first.stdout)
    handlers = {
        line.split("│")[2].strip() for line in first.stdout.splitlines() if line.startswith("│ C")
    }
    assert len(drawn) == 3 * len(handlers) and len(set(drawn)) == len(drawn)
    assert "drawn now" in first.stdout
    again = invoke(*SAMPLE)
    assert again.exit_code == 0, again.output
    assert _records(again.stdout) == drawn
    assert "nothing added" in " ".join(again.stdout.split())
    with sqlite3.connect(tmp_path / "watchhouse.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM audit_samples").fetchone() == (1,)
        assert connection.execute("SELECT count(*) FROM audit_sample_items").fetchone() == (
            len(drawn),
        )
    other = invoke(*SAMPLE[:-3], "8", "--as-user", "aud")
    assert _records(other.stdout) != drawn


def test_a_call_handler_may_not_draw_a_sample(invoke, force):
    refused = invoke(*SAMPLE[:-1], "han")
    assert refused.exit_code == 1
    assert "may not draw audit samples" in " ".join(refused.stderr.split())


def test_a_bad_month_is_refused_naming_it(invoke, force):
    args = list(SAMPLE)
    args[args.index("2024-05")] = "May-24"
    refused = invoke(*args)
    assert refused.exit_code == 2
    assert "period: give a month as YYYY-MM, not 'May-24'" in " ".join(refused.stderr.split())


def _rows(output: str) -> dict[str, list[str]]:
    """The trends table's rows by team (or area): month, audits, mean score, pass rate."""
    cells = [
        [part.strip() for part in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│ 2")
    ]
    return {c[1]: [c[0], *c[2:]] for c in cells}


def test_trends_list_every_team_and_area_with_no_audits_as_n_0(invoke, force, tmp_path):
    """The trends page showed a never-audited team as n=0; `audits trends` left it out."""
    added = invoke(
        "users", "add", "adm", "--role", "administrator", "--name", "adm",
        "--password", "longenough123",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    team = invoke(
        "teams", "add", "cid", "--name", "CID", "--kind", "investigation", "--as-user", "adm"
    )  # fmt: skip
    assert team.exit_code == 0, team.output
    ctx = build_context(Settings(data_dir=tmp_path), migrate=False)
    user = next(u for u in accounts.list_users(ctx) if u.username == "aud")
    auditor = Actor(user.id, user.username, user.display_name, user.role)
    drawn = audits.draw(
        ctx, actor=auditor, template_code="thrive_quality", period="2024-05", seed=7, count=1
    )
    item = drawn.items[0]
    audits.score_item(
        ctx, actor=auditor, sample_id=drawn.sample.id, item_id=item.id, answers=ALL_YES,
        finding="",
    )  # fmt: skip
    ctx.db.dispose()
    by_team = invoke("audits", "trends")
    assert by_team.exit_code == 0, by_team.output
    rows = _rows(by_team.stdout)
    assert rows["CID"] == ["2024-05", "0", "-", "-"], by_team.stdout
    assert sum(int(r[1]) for r in rows.values()) == 1, by_team.stdout
    by_area = invoke("audits", "trends", "--by", "area")
    assert by_area.exit_code == 0, by_area.output
    areas = _rows(by_area.stdout)
    assert len(areas) > 1 and sorted(r[1] for r in areas.values())[:-1] == ["0"] * (
        len(areas) - 1
    ), by_area.stdout
