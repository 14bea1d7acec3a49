"""Instrument and offence-list files: a broken one is refused with its name, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchhouse.policy.instruments import INSTRUMENTS_DIR, InstrumentError, load_instrument
from watchhouse.policy.offences import OFFENCES_DIR, OffenceListError, load_offence_list

SHIPPED_INSTRUMENT = INSTRUMENTS_DIR / "dash_2009.toml"
SHIPPED_OFFENCES = OFFENCES_DIR / "home_office_subset.toml"


def test_the_shipped_files_load():
    assert load_instrument(SHIPPED_INSTRUMENT).code == "dash_2009"
    assert len(load_offence_list(SHIPPED_OFFENCES).offences) > 10


def test_an_instrument_with_an_unknown_key_names_the_file_and_the_key(tmp_path: Path):
    path = tmp_path / "mine.toml"
    path.write_text("colour = 'blue'\n" + SHIPPED_INSTRUMENT.read_text())
    with pytest.raises(InstrumentError) as raised:
        load_instrument(path)
    message = str(raised.value)
    assert message.startswith(f"instrument {path} is not valid:")
    assert "  colour: Extra inputs are not permitted" in message


def test_an_offence_list_with_a_repeated_code_says_which(tmp_path: Path):
    path = tmp_path / "offences.toml"
    path.write_text(
        'code = "mine"\nname = "Mine"\n'
        '[[offences]]\ncode = "theft"\nname = "Theft"\ngroup = "Theft"\n'
        '[[offences]]\ncode = "theft"\nname = "Theft again"\ngroup = "Theft"\n'
    )
    with pytest.raises(
        OffenceListError, match=r"offence codes must be unique; repeated: \['theft'\]"
    ):
        load_offence_list(path)


@pytest.mark.parametrize(
    ("loader", "error", "what"),
    [
        (load_instrument, InstrumentError, "instrument"),
        (load_offence_list, OffenceListError, "offence list"),
    ],
)
def test_broken_or_missing_files_are_reported_with_their_name(tmp_path: Path, loader, error, what):
    broken = tmp_path / "broken.toml"
    broken.write_text("code = [unclosed\n")
    with pytest.raises(error, match=rf"^{what} .*broken\.toml cannot be read"):
        loader(broken)
    with pytest.raises(error, match=rf"^{what} .*missing\.toml cannot be read"):
        loader(tmp_path / "missing.toml")
