"""The monthly performance pack: one self-contained HTML file (nothing fetched from anywhere)
and a PDF whose first page is checked as an image; a clear message when Chromium is missing."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from watchhouse.domain.roles import Actor, Role
from watchhouse.services import measures, pack
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.integration

MAY = date(2024, 5, 1)
SMALL_FORCE = SynthRequest(start=date(2023, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)


class References(HTMLParser):
    """Every src/href attribute and every tag name (script contents are not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.references.extend(v or "" for k, v in attrs if k in ("src", "href"))


@pytest.fixture
def analyst(ctx: AppContext, actors: dict[Role, Actor]) -> Actor:
    synth_to_database(ctx, SMALL_FORCE)
    return actors[Role.ANALYST]


def test_pack_html_is_self_contained_with_commentary_and_definitions(ctx, analyst, tmp_path):
    files = pack.write_pack(ctx, actor=analyst, month=MAY, out_dir=tmp_path, pdf=False)
    assert files.html == tmp_path / "performance-pack-2024-05.html"
    html = files.html.read_text(encoding="utf-8")
    parsed = References()
    parsed.feed(html)
    assert parsed.references == [], f"the pack refers outside itself: {parsed.references}"
    assert "link" not in parsed.tags
    assert "* plotly.js v" in html  # inlined, not linked
    assert "May 2024" in html
    for definition in measures.measure_catalogue():
        assert str(escape(definition.title)) in html
        assert str(escape(definition.definition)) in html
    assert html.count('<script type="application/json" class="chart-data"') == len(
        ctx.policy.board.headline_measures
    )
    assert "within normal variation" in html or "special-cause" in html or "too few points" in html


@pytest.mark.browser
@pytest.mark.skipif(not pack.CHROMIUM.exists(), reason=f"the PDF needs {pack.CHROMIUM}")
def test_pack_prints_to_a_pdf_whose_first_page_shows_the_title(ctx, analyst, tmp_path):
    import pypdfium2 as pdfium

    files = pack.write_pack(ctx, actor=analyst, month=MAY, out_dir=tmp_path)
    assert files.pdf_problem is None
    assert files.blocked_requests == (), "printing the pack fetched nothing from outside"
    assert files.pdf is not None and files.pdf.stat().st_size > 20_000
    document = pdfium.PdfDocument(str(files.pdf))
    assert len(document) >= 3  # cover, charts, PEEL tables and the appendix
    first = document[0]
    text = first.get_textpage().get_text_range()
    assert "Performance pack" in text and "May 2024" in text
    image = first.render(scale=1).to_numpy()  # height x width x 3 (BGR)
    height, width = image.shape[:2]
    grey = image[..., :3].mean(axis=2)
    # the title band: the top of the page under the margin is dark navy with white lettering
    band = grey[int(height * 0.07) : int(height * 0.12), int(width * 0.1) : int(width * 0.9)]
    assert (band < 80).mean() > 0.6, "the title band at the top of the first page is dark"
    assert ((band > 200).mean()) > 0.01, "and it has light lettering on it"
    # the page below the band has text and the table: neither blank nor all dark
    body = grey[int(height * 0.2) :, :]
    assert 0.005 < (body < 128).mean() < 0.5
    charts = document[1].render(scale=1).to_numpy()[..., :3].mean(axis=2)
    assert (charts < 128).mean() > 0.005, "the second page has the charts drawn"


def test_missing_chromium_still_writes_the_html_and_says_what_to_install(ctx, analyst, tmp_path):
    files = pack.write_pack(
        ctx, actor=analyst, month=MAY, out_dir=tmp_path, chromium=Path("/nowhere/chromium")
    )
    assert files.html.exists()
    assert files.pdf is None
    assert files.pdf_problem is not None
    assert "/nowhere/chromium" in files.pdf_problem and "apt install chromium" in files.pdf_problem
    assert not (tmp_path / "performance-pack-2024-05.pdf").exists()
