"""Profiles: the shipped ones load and say what the docs say; a bad profile file is refused
with the key and the reason; a force's own file is laid over the default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli
from watchhouse.synth.profile import SynthProfileError, available_profiles, load_profile

pytestmark = pytest.mark.unit


def test_shipped_profiles() -> None:
    assert available_profiles() == ["default", "special_measures", "well_staffed"]
    default = load_profile("default")
    assert default.population == 1_100_000
    total = sum(c.contacts_per_year for c in default.channels.values())
    assert 700_000 < total < 800_000
    assert default.channels["999"].contacts_per_year == 220_000
    assert default.dash_refusal_share == 0.38
    assert default.charge_rate == 0.12
    assert default.attendance.body_worn_video_share == 0.80
    # The staffing profiles change staffing and nothing else.
    for name in ("special_measures", "well_staffed"):
        other = load_profile(name)
        assert other.name == name
        assert other.model_dump(exclude={"name", "channels"}) == default.model_dump(
            exclude={"name", "channels"}
        )
        for channel, spec in other.channels.items():
            changed = {
                key
                for key, value in spec.model_dump().items()
                if value != default.channels[channel].model_dump()[key]
            }
            assert changed <= {"occupancy", "min_handlers"}, (name, channel, changed)
    thin, well = load_profile("special_measures"), load_profile("well_staffed")
    assert thin.channels["999"].occupancy > default.channels["999"].occupancy
    assert well.channels["999"].occupancy < default.channels["999"].occupancy


def test_a_force_file_is_laid_over_the_default(tmp_path: Path) -> None:
    path = tmp_path / "force.toml"
    path.write_text('name = "our force"\ncharge_rate = 0.2\n\n[channels.999]\noccupancy = 0.55\n')
    profile = load_profile(str(path))
    default = load_profile("default")
    assert (profile.name, profile.charge_rate) == ("our force", 0.2)
    assert profile.channels["999"].occupancy == 0.55
    assert profile.channels["999"].contacts_per_year == default.channels["999"].contacts_per_year
    assert profile.population == default.population


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("charge_rate = 1.5\n", "charge_rate"),
        ("[channels.999]\noccupancy = 1.2\n", "channels.999.occupancy"),
        ("chrage_rate = 0.1\n", "chrage_rate"),
        ("hour_of_day = [1.0, 2.0]\n", "hour_of_day"),
        ("[attendance]\nbody_worn_video_share = -0.1\n", "attendance.body_worn_video_share"),
    ],
    ids=["out-of-range", "nested", "misspelt", "wrong-length", "negative"],
)
def test_an_invalid_profile_is_refused_with_the_key_named(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SynthProfileError) as caught:
        load_profile(str(path))
    assert named in str(caught.value)


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("charge_rate = \n")
    with pytest.raises(SynthProfileError, match="not valid TOML"):
        load_profile(str(path))


def test_an_unknown_profile_lists_the_shipped_ones() -> None:
    with pytest.raises(SynthProfileError, match="special_measures"):
        load_profile("no_such_profile")


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in list(os.environ):
        if name.startswith("WATCHHOUSE_"):
            monkeypatch.delenv(name)
    return CliRunner()


def test_the_command_writes_parquet(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "synth"
    result = runner.invoke(
        cli.app,
        [
            "synth",
            "--scale",
            "0.01",
            "--start",
            "2024-01-01",
            "--end",
            "2024-02-01",
            "--seed",
            "3",
            "--target",
            "parquet",
            "--out",
            str(out),
        ],
        env={"WATCHHOUSE_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    assert (out / "contacts.parquet").stat().st_size > 0
    assert (out / "synthetic_ground_truth.parquet").exists()
    assert "contacts" in result.output


def test_the_command_refuses_a_bad_profile_naming_the_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[channels.101]\nmean_patience_seconds = 0\n")
    result = runner.invoke(
        cli.app,
        ["synth", "--profile", str(path), "--target", "parquet", "--out", str(tmp_path / "x")],
        env={"WATCHHOUSE_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert "channels.101.mean_patience_seconds" in " ".join(result.output.split())
    assert not (tmp_path / "x").exists()
