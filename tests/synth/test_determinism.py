"""Same seed, same data, byte for byte (even in another process); another seed, other data."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from watchhouse.services.synth import SynthRequest, synth_to_parquet
from watchhouse.synth.schema import TABLE_ORDER

pytestmark = pytest.mark.unit

REQUEST = SynthRequest(start=date(2024, 1, 20), end=date(2024, 3, 10), scale=0.02, seed=42)


def _digests(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob("*.parquet"))
    }


def test_same_seed_gives_identical_parquet_files(tmp_path: Path) -> None:
    first = synth_to_parquet(REQUEST, tmp_path / "first")
    second = synth_to_parquet(REQUEST, tmp_path / "second")
    assert first == second
    assert set(first) == set(TABLE_ORDER)
    digests = _digests(tmp_path / "first")
    assert set(digests) == {f"{name}.parquet" for name in TABLE_ORDER}
    assert _digests(tmp_path / "second") == digests

    # Another process, with another string-hash seed, writes the same bytes too.
    script = (
        "import sys; from pathlib import Path; from datetime import date; "
        "from watchhouse.services.synth import SynthRequest, synth_to_parquet; "
        "synth_to_parquet(SynthRequest(start=date(2024, 1, 20), end=date(2024, 3, 10), "
        "scale=0.02, seed=42), Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "third")], check=True, env=env)
    assert _digests(tmp_path / "third") == digests


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    synth_to_parquet(REQUEST, tmp_path / "one")
    synth_to_parquet(replace(REQUEST, seed=43), tmp_path / "other")
    one, other = _digests(tmp_path / "one"), _digests(tmp_path / "other")
    differing = {name for name in one if one[name] != other[name]}
    data_tables = set(one) - {"neighbourhoods.parquet", "users.parquet"}
    assert differing >= data_tables - {"partner_referrals.parquet"}
