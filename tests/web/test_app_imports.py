"""Importing the web app (what each uvicorn worker does at start) does not import statsforecast
or statsmodels: they load only where a forecast runs. Behaviour, not timing (the worker's
import cost is in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

PROBE = """
import sys
import watchhouse.web.app
from watchhouse.web.app import create_app
print(" ".join(sorted(n for n in ("statsforecast", "statsmodels", "numba") if n in sys.modules)))
"""


def test_importing_the_web_app_leaves_statsforecast_unimported() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_a_forecast_still_finds_statsforecast_when_it_runs() -> None:
    from watchhouse.forecasting import backtest

    names = {m.alias for m in backtest.models(annual=False)}  # type: ignore[attr-defined]
    assert names == {"MSTL", "AutoETS", "AutoARIMA", "Theta", backtest.BASELINE}
