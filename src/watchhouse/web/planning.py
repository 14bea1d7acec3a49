"""The planning page for analysts: forecast, requirement and roster charts (Plotly, served from
the installed plotly package, never a CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import charts, staffing_plans
from watchhouse.services.context import AppContext
from watchhouse.services.planning_views import PlanningView, planning_view
from watchhouse.services.staffing_plans import WhatIfRequest
from watchhouse.web.forms import FormReader
from watchhouse.web.ids import MaybeRecordId, record_id_or_none
from watchhouse.web.rendering import TEMPLATES, render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
TEMPLATES.env.globals["plotly_js_url"] = charts.plotly_js_url()  # shared with the board

PLOTLY_JS = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
# plotly.js sets some element styles as attributes, which a style-src without 'unsafe-inline'
# blocks (tests/browser/test_planning_charts.py sees the refusals without it); only this page
# relaxes it, and scripts stay 'self' only.
PLANNING_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
)


def charts_json(ctx: AppContext, view: PlanningView) -> Markup:
    """The page's chart data as JSON safe inside HTML (a megabyte or more for a long forecast),
    written once per forecast run, plan, baseline and days compared, then kept per store."""
    key = (
        "planning charts json",
        None if view.run is None else view.run.id,
        None if view.plan is None else view.plan.id,
        None if view.baseline is None else view.baseline.id,
        tuple((c.channel, tuple(c.days)) for c in view.against_actual),
    )
    found = ctx.stored.get(key)
    if not isinstance(found, Markup):
        found = htmlsafe_json_dumps(view.charts, sort_keys=True)  # as tojson writes it
        ctx.stored.put(key, found)
    return found


@router.get("/planning", dependencies=[Depends(require(Action.VIEW_PLANNING))])
async def planning_page(
    request: Request,
    forecast: MaybeRecordId = None,
    plan: MaybeRecordId = None,
    baseline: MaybeRecordId = None,
) -> Response:
    """Demand forecast, staff required against rostered cover, and the roster, per channel;
    with `baseline`, the plan against that one (a what-if against the policy's plan)."""
    # the view reads and shapes whole forecast runs: in a worker thread, so other people's
    # pages are not held behind it on the event loop
    ctx = context_of(request)
    view = await run_in_threadpool(
        planning_view, ctx, forecast_run_id=forecast, plan_id=plan, baseline_id=baseline
    )
    data = await run_in_threadpool(charts_json, ctx, view)
    response = render(request, "planning.html", view=view, charts_json=data, problems={}, values={})
    response.headers["Content-Security-Policy"] = PLANNING_CSP
    return response


@router.get("/planning/plotly.min.js", dependencies=[Depends(require(Action.VIEW_PLANNING))])
async def plotly_js() -> Response:
    """plotly.js from the installed plotly package (no CDN), at its earlier address (the page
    now uses /charts/plotly.min.js, shared with the board)."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


def _percent(reader: FormReader, name: str) -> float | None:
    """An optional percentage field as a share (10 -> 0.10), its problem kept by name."""
    raw = reader.text(name).removesuffix("%").strip()
    if not raw:
        return None
    try:
        return float(raw) / 100
    except ValueError:
        reader.problems.append(FieldProblem(name, "must be a number (a percentage)"))
        return None


def _number(reader: FormReader, name: str) -> float | None:
    """An optional number field, its problem kept by name."""
    raw = reader.text(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        reader.problems.append(FieldProblem(name, "must be a number of seconds"))
        return None


@router.post("/planning/what-if", dependencies=[Depends(require(Action.MAKE_PLANNING))])
async def what_if(request: Request) -> Response:
    """Plan one channel under a what-if (target and / or demand) beside the policy's plan."""
    ctx, actor = context_of(request), actor_of(request)
    form = await request.form()
    reader = FormReader(form)
    run = reader.text("forecast")
    asked = WhatIfRequest(
        channel=reader.text("channel", required=True),
        target_seconds=_number(reader, "answer_seconds"),
        service_level=_percent(reader, "service_level"),
        max_abandonment=_percent(reader, "abandonment"),
        demand_change=_percent(reader, "demand_change"),
        forecast_run_id=record_id_or_none(run),
        roster=reader.text("roster") == "1",
    )
    try:
        if reader.problems:
            raise ValidationFailed(reader.problems)
        found = await run_in_threadpool(staffing_plans.what_if, ctx, actor=actor, request=asked)
    except ValidationFailed as exc:
        kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        view = await run_in_threadpool(
            planning_view, ctx, forecast_run_id=asked.forecast_run_id, plan_id=None
        )
        response = render(
            request,
            "planning.html",
            422,
            view=view,
            charts_json=charts_json(ctx, view),
            problems={p.field: p.reason for p in exc.problems},
            values=kept,
        )
        response.headers["Content-Security-Policy"] = PLANNING_CSP
        return response
    return RedirectResponse(
        f"/planning?plan={found.changed.plan_id}&baseline={found.baseline.plan_id}",
        status_code=303,
    )
