"""The monthly performance pack for the Police and Crime Commissioner's public meeting: one
self-contained HTML file (plotly.js inlined, nothing fetched) and a PDF printed from it by
Debian's Chromium. Headline page, charts with commentary, PEEL tables, definitions.

The pack holds aggregates only (no personal data), so writing it logs nothing.
"""

from __future__ import annotations

import calendar
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from watchhouse.analytics.catalogue import MeasureDefinition, Target
from watchhouse.domain.clock import format_local
from watchhouse.domain.commentary import format_value
from watchhouse.domain.roles import Actor
from watchhouse.services import board, charts, measures
from watchhouse.services.board import Board, PeelArea
from watchhouse.services.context import AppContext

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TEMPLATE_DIR = Path(__file__).with_name("templates")
BOARD_JS = Path(__file__).resolve().parents[1] / "web" / "static" / "board.js"
CHART_TIMEOUT_MS = 60_000
PACK_CHART_WIDTH = 680


class PdfFailed(RuntimeError):
    """The PDF could not be printed; the message says why."""


class ChromiumMissing(PdfFailed):
    """The PDF needs Chromium and it is not installed where expected."""


@dataclass(frozen=True)
class Pack:
    """Everything the pack shows for one month."""

    force_name: str
    month: date
    generated: str
    board: Board
    peel: tuple[PeelArea, ...]
    definitions: tuple[tuple[MeasureDefinition, Target | None], ...]
    figures: dict[str, str]

    @property
    def month_name(self) -> str:
        """'May 2024'."""
        return f"{calendar.month_name[self.month.month]} {self.month.year}"

    @property
    def stem(self) -> str:
        """The file name without extension: 'performance-pack-2024-05'."""
        return f"performance-pack-{self.month:%Y-%m}"


@dataclass(frozen=True)
class PackFiles:
    """What `write_pack` wrote: the HTML always, the PDF unless Chromium failed (and why)."""

    html: Path
    pdf: Path | None
    pdf_problem: str | None
    blocked_requests: tuple[str, ...]


def build_pack(ctx: AppContext, *, actor: Actor, month: date) -> Pack:
    """Gather the month's headline measures, PEEL view and definitions."""
    found = board.board(ctx, actor=actor, month=month)
    goals = measures.targets(ctx)
    figures = {
        t.key: charts.figure_json(
            charts.xmr_figure(t, height=260, width=PACK_CHART_WIDTH, legend=True)
        )
        for t in found.trends
    }
    return Pack(
        force_name=ctx.policy.force.name,
        month=month,
        generated=format_local(ctx.now(), ctx.policy.force.timezone, "%d %B %Y %H:%M %Z"),
        board=found,
        peel=tuple(board.peel_view(ctx, actor=actor, month=month)),
        definitions=tuple((d, goals.get(d.key)) for d in measures.measure_catalogue()),
        figures=figures,
    )


def render_pack_html(pack: Pack) -> str:
    """The pack as one HTML document with plotly.js and the drawing script inlined."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["measure_value"] = format_value
    template = environment.get_template("pack.html")
    return template.render(
        pack=pack,
        plotly_js=charts.plotly_js_path().read_text(encoding="utf-8"),
        board_js=BOARD_JS.read_text(encoding="utf-8"),
    )


def html_to_pdf(html: Path, pdf: Path, *, chromium: Path = CHROMIUM) -> tuple[str, ...]:
    """Print the HTML file to an A4 PDF in headless Chromium once its charts are drawn;
    any request for something other than the file itself is refused and returned."""
    if not chromium.exists():
        raise ChromiumMissing(
            f"the PDF needs Chromium at {chromium} (Debian: apt install chromium); "
            f"the HTML pack is written at {html}"
        )
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    # Playwright's sync API refuses a thread with a running event loop (a web server's, or
    # another Playwright session's), so the printing has a thread of its own.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-pdf") as worker:
        printing = worker.submit(_print, html, pdf, chromium, blocked, sync_playwright)
    try:
        printing.result()
    except PlaywrightError as exc:
        pdf.unlink(missing_ok=True)
        raise PdfFailed(f"Chromium could not print the pack: {exc}") from exc
    return tuple(blocked)


def _print(
    html: Path, pdf: Path, chromium: Path, blocked: list[str], sync_playwright: object
) -> None:
    with sync_playwright() as playwright:  # type: ignore[operator]
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=list(CHROMIUM_ARGS)
        )
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})

            def guard(route: object) -> None:
                url: str = route.request.url  # type: ignore[attr-defined]
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    blocked.append(url)
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", guard)
            page.goto(html.resolve().as_uri())
            page.wait_for_function(
                "document.documentElement.dataset.chartsDrawn !== undefined",
                timeout=CHART_TIMEOUT_MS,
            )
            page.emulate_media(media="print")
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()


def write_pack(
    ctx: AppContext,
    *,
    actor: Actor,
    month: date,
    out_dir: Path,
    chromium: Path = CHROMIUM,
    pdf: bool = True,
) -> PackFiles:
    """Write the month's pack as HTML, then print it to PDF (the HTML stays if that fails)."""
    pack = build_pack(ctx, actor=actor, month=month)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{pack.stem}.html"
    partial = html_path.with_suffix(".html.part")
    partial.write_text(render_pack_html(pack), encoding="utf-8")
    partial.replace(html_path)
    if not pdf:
        return PackFiles(html_path, None, None, ())
    pdf_path = out_dir / f"{pack.stem}.pdf"
    try:
        blocked = html_to_pdf(html_path, pdf_path, chromium=chromium)
    except PdfFailed as exc:
        return PackFiles(html_path, None, str(exc), ())
    return PackFiles(html_path, pdf_path, None, blocked)
