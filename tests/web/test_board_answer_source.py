"""The board's measure page says which source the 999 answer measure came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchhouse.domain.roles import Actor, Role
from watchhouse.io.telephony_files import load_telephony_mapping
from watchhouse.services.context import AppContext
from watchhouse.services.telephony_imports import import_telephony_file

pytestmark = pytest.mark.web

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_the_measure_page_breaks_the_999_answer_share_down_by_source(
    ctx: AppContext, actors: dict[Role, Actor], client_as, tmp_path: Path
) -> None:
    import_telephony_file(
        ctx,
        actor=actors[Role.ADMINISTRATOR],
        path=EXAMPLES / "telephony-calls.csv",
        mapping=load_telephony_mapping(EXAMPLES / "telephony-calls-mapping.toml", "calls"),
        report=tmp_path / "r.csv",
    )
    page = client_as(Role.ANALYST).client.get(
        "/board/measure?key=contact.999_answered_within_10s&month=2026-03"
    )
    assert page.status_code == 200
    start = page.text.index('id="by-answer_source"')
    section = page.text[start : page.text.index("</table>", start)]
    assert "By source of the answer times" in section
    # 5 March: ACD-0001 in 6 s, ACD-0002 in 12 s, ACD-0003 abandoned: 1 of 3.
    row = re.search(r'<tr data-answer-source="telephony_calls">(.*?)</tr>', section, re.S)
    assert row is not None
    assert "Telephony per-call records" in row.group(1) and "33.3%" in row.group(1)
