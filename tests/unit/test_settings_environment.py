"""Settings come from what the code gives, then WATCHHOUSE_* variables (any case), then
defaults; production still refuses the demo secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from watchhouse.config import Settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.lower().startswith("watchhouse_")]:
        monkeypatch.delenv(name)


def test_variables_fill_what_is_not_given_and_given_values_win(monkeypatch) -> None:
    monkeypatch.setenv("WATCHHOUSE_DATA_DIR", "/srv/wh")
    monkeypatch.setenv("watchhouse_port", "9001")
    monkeypatch.setenv("WATCHHOUSE_SECURE_COOKIES", "true")
    settings = Settings(port=8123)
    assert settings.data_dir == Path("/srv/wh")
    assert settings.port == 8123
    assert settings.secure_cookies is True
    assert settings.resolved_database_url.endswith("/srv/wh/watchhouse.sqlite3")
    assert Settings().port == 9001


def test_a_bad_variable_is_named(monkeypatch) -> None:
    monkeypatch.setenv("WATCHHOUSE_PORT", "eighty")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_production_refuses_the_demo_secret(monkeypatch) -> None:
    monkeypatch.setenv("WATCHHOUSE_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="WATCHHOUSE_SECRET_KEY"):
        Settings()


def test_an_unknown_setting_given_in_code_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(data_directory="x")  # type: ignore[call-arg]
