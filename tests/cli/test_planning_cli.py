"""`watchhouse forecast` and `watchhouse staffing` end to end on a small synthetic force."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

FAST_POLICY = """
[planning]
interval_minutes = 30
horizon_weeks = 2
backtest_windows = 1
simulation_days = 1
simulation_replications = 2
roster_time_limit_seconds = 0
roster_weeks_per_pattern = 2
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A data directory with four months of a 5% synthetic force and an administrator."""
    directory = tmp_path_factory.mktemp("planning-cli")
    policy = directory / "policy.toml"
    policy.write_text(FAST_POLICY)
    values = {"WATCHHOUSE_DATA_DIR": str(directory), "WATCHHOUSE_POLICY_FILE": str(policy)}
    runner = CliRunner()
    for args in (
        ["db", "upgrade"],
        ["synth", "--scale", "0.05", "--start", "2024-01-01", "--end", "2024-05-01"],
        [
            "users",
            "add",
            "planner",
            "--role",
            "analyst",
            "--name",
            "Pat Planner",
            "--password",
            "planner-pass-1",
        ],
        [
            "users",
            "add",
            "chief",
            "--role",
            "administrator",
            "--name",
            "Chief",
            "--password",
            "chief-pass-12",
        ],
    ):
        result = runner.invoke(cli.app, args, env=values)
        assert result.exit_code == 0, result.output
    return values


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, list(args), env=env)
    unboxed = re.sub(r"[\u2500-\u257f]", " ", result.output)  # Rich's box-drawing characters
    return result.exit_code, " ".join(unboxed.split())


def test_forecast_then_staffing_then_a_what_if(env: dict[str, str]) -> None:
    code, out = _run(env, "forecast", "--as-user", "planner")
    assert code == 0, out
    assert "forecast run 1" in out and "SeasonalNaive" not in out.split("MASE")[0]
    code, out = _run(env, "staffing", "--as-user", "planner")
    assert code == 0, out
    assert "staffing plan 1 (policy)" in out
    assert "90% answered within 10 s" in out
    code, out = _run(
        env, "staffing", "--demand", "999=+8%", "--no-simulate", "--as-user", "planner"
    )
    assert code == 0, out
    assert "staffing plan 3 (what-if)" in out  # plan 2 is the policy's, made beside it
    assert "the change from the policy's plan 2" in out


def test_bad_what_if_options_are_refused_saying_what_is_wrong(env: dict[str, str]) -> None:
    code, out = _run(env, "staffing", "--demand", "999=lots", "--as-user", "planner")
    assert code == 2
    assert "expected CHANNEL=1.08 or CHANNEL=+8%" in out
    code, out = _run(env, "staffing", "--target", "101:wait=3", "--as-user", "planner")
    assert code == 2
    assert "unknown key 'wait'" in out
    code, out = _run(env, "forecast", "--event", "fair:2024-05-09:2024-05-01:1.2")
    assert code == 2
    assert "the last day is before the first" in out


def test_a_role_without_planning_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli.app,
        [
            "users",
            "add",
            "dee",
            "--role",
            "dispatcher",
            "--name",
            "Dee",
            "--password",
            "dispatch-pass1",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    code, out = _run(env, "forecast", "--as-user", "dee")
    assert code == 1
    assert "may not make forecasts or plans" in out
