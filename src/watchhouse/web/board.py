"""The performance board: headline measures, one measure's charts and neighbourhoods, the
records behind a value (a logged consultation), the PEEL view, and plotly.js served locally."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from watchhouse.analytics.catalogue import Period
from watchhouse.domain.commentary import format_value
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import board, charts, reference
from watchhouse.web.forms import FormReader
from watchhouse.web.rendering import TEMPLATES, render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
TEMPLATES.env.globals["measure_value"] = format_value

# Plotly draws with inline styles (plotly/plotly.js#2355), so the board pages allow inline
# styles; scripts still come only from this server.
BOARD_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
)


def _month(request: Request, text: str) -> date:
    return board.parse_month(text) if text else board.default_month(context_of(request))


def _period(text: str) -> Period:
    try:
        period = Period(text or "month")
    except ValueError as exc:
        raise ValidationFailed.one("period", "choose month or week") from exc
    if period not in board.BOARD_PERIODS:
        raise ValidationFailed.one("period", "choose month or week")
    return period


def _start(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed.one("start", "give the period's first day as YYYY-MM-DD") from exc


def _page(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = BOARD_CSP
    return response


@router.get("/board", dependencies=[Depends(require(Action.VIEW_BOARD))])
async def board_page(request: Request, month: str = "", period: str = "") -> Response:
    """The headline measures for a month: value, target status, trend and XmR chart."""
    ctx, actor = context_of(request), actor_of(request)
    chosen, every = _month(request, month), _period(period)
    found = await run_in_threadpool(
        board.board, ctx, actor=actor, month=chosen, period=every, fresh=False
    )
    figures = {t.key: charts.figure_json(charts.xmr_figure(t)) for t in found.trends}
    return _page(render(request, "board.html", board=found, figures=figures))


@router.get("/board/measure", dependencies=[Depends(require(Action.VIEW_BOARD))])
async def measure_page(
    request: Request, key: str = "", month: str = "", period: str = "", start: str = ""
) -> Response:
    """One measure: its XmR and moving range charts, commentary and neighbourhoods."""
    ctx, actor = context_of(request), actor_of(request)
    chosen, every = _month(request, month), _period(period)
    if not key:
        key = ctx.policy.board.headline_measures[0]
    trend = await run_in_threadpool(
        board.measure_trend, ctx, actor=actor, key=key, month=chosen, period=every, fresh=False
    )
    when = _start(start) if start else trend.current_start
    areas = await run_in_threadpool(
        board.neighbourhoods, ctx, actor=actor, key=key, period=every, start=when, fresh=False
    )
    others = await run_in_threadpool(
        board.breakdowns, ctx, actor=actor, key=key, period=every, start=when
    )
    return _page(
        render(
            request,
            "board_measure.html",
            trend=trend,
            month=chosen,
            start=when,
            start_name=board.period_name(every, when),
            areas=areas,
            policy_board=ctx.policy.board,
            breakdowns=others,
            xmr=charts.figure_json(charts.xmr_figure(trend, height=340, legend=True)),
            ranges=charts.figure_json(charts.moving_range_figure(trend)),
        )
    )


@router.get("/board/records", dependencies=[Depends(require(Action.DRILL_DOWN))])
async def records_page(
    request: Request,
    key: str = "",
    period: str = "",
    start: str = "",
    neighbourhood: str = "",
    missed: str = "",
) -> Response:
    """The records behind a measure's value, or only those that missed (each record's
    consultation is logged)."""
    ctx, actor = context_of(request), actor_of(request)
    every = _period(period)
    if not key:
        key = ctx.policy.board.headline_measures[0]
    when = _start(start) if start else board.default_month(ctx)
    found = await run_in_threadpool(
        board.records,
        ctx,
        actor=actor,
        key=key,
        period=every,
        start=when,
        neighbourhood=neighbourhood or None,
        fresh=False,
        only_missed=missed == "1",
    )
    names = {n.code: n.name for n in reference.neighbourhoods(ctx)}
    return _page(
        render(
            request,
            "board_records.html",
            found=found,
            # Names and headings people read: the neighbourhood's name, not its code;
            # "met the measure" and "counted", not the SQL's num and den.
            place=lambda code: board.neighbourhood_name(names, code),
            headings=RECORD_HEADINGS,
        )
    )


RECORD_HEADINGS = {
    "day": "Day",
    "cut_value": "Neighbourhood",
    "num": "Met the measure",
    "den": "Counted in the value",
    "x": "Value",
}


@router.post("/board/records/export", dependencies=[Depends(require(Action.DRILL_DOWN))])
async def records_export(request: Request) -> Response:
    """The records behind a value as CSV, each logged as a disclosure with the reason."""
    ctx, actor = context_of(request), actor_of(request)
    reader = FormReader(await request.form())
    text, name = await run_in_threadpool(
        board.export_records,
        ctx,
        actor=actor,
        key=reader.text("key"),
        period=_period(reader.text("period")),
        start=_start(reader.text("start")) if reader.text("start") else board.default_month(ctx),
        neighbourhood=reader.text("neighbourhood") or None,
        only_missed=reader.text("missed") == "1",
        justification=reader.text("justification"),
        recipient=reader.text("recipient"),
    )
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/board/export", dependencies=[Depends(require(Action.EXPORT_BOARD))])
async def board_export(request: Request, month: str = "", period: str = "") -> Response:
    """The board's headline measures as CSV (aggregates: no personal data)."""
    ctx, actor = context_of(request), actor_of(request)
    chosen, every = _month(request, month), _period(period)
    text, name = await run_in_threadpool(
        board.export_board, ctx, actor=actor, month=chosen, period=every
    )
    return _csv(text, name)


@router.get("/board/peel/export", dependencies=[Depends(require(Action.EXPORT_BOARD))])
async def peel_export(request: Request, month: str = "") -> Response:
    """The PEEL view's measures as CSV (aggregates: no personal data)."""
    ctx, actor = context_of(request), actor_of(request)
    chosen = _month(request, month)
    text, name = await run_in_threadpool(board.export_peel, ctx, actor=actor, month=chosen)
    return _csv(text, name)


@router.get("/board/peel", dependencies=[Depends(require(Action.VIEW_BOARD))])
async def peel_page(request: Request, month: str = "") -> Response:
    """The measures under the inspectorate's PEEL areas: which meet, approach or miss."""
    ctx, actor = context_of(request), actor_of(request)
    chosen = _month(request, month)
    areas = await run_in_threadpool(board.peel_view, ctx, actor=actor, month=chosen, fresh=False)
    return _page(render(request, "board_peel.html", areas=areas, month=chosen))


PLOTLY_CACHE = "private, max-age=31536000, immutable"  # the URL changes with plotly's version
TEMPLATES.env.globals["plotly_js_url"] = charts.plotly_js_url()


def plotly_response() -> Response:
    """plotly.js from the installed plotly package, for the browser to keep."""
    response = FileResponse(charts.plotly_js_path(), media_type="text/javascript")
    response.headers["Cache-Control"] = PLOTLY_CACHE
    return response


@router.get("/charts/plotly.min.js", dependencies=[Depends(require(Action.VIEW_HOME))])
async def shared_plotly_js() -> Response:
    """plotly.js for every page with charts (one URL, so the browser fetches and caches it
    once); no personal data, so anyone signed in."""
    return plotly_response()


@router.get("/board/plotly.min.js", dependencies=[Depends(require(Action.VIEW_BOARD))])
async def plotly_js() -> Response:
    """plotly.js at its earlier address (pages now use /charts/plotly.min.js)."""
    return plotly_response()
