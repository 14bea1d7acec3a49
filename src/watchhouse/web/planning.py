"""The planning page for analysts: forecast, requirement and roster charts (Plotly, served from
the installed plotly package, never a CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from watchhouse.domain.roles import Action
from watchhouse.services.planning_views import planning_view
from watchhouse.web.rendering import render
from watchhouse.web.security import context_of, require

router = APIRouter(default_response_class=HTMLResponse)

PLOTLY_JS = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
# plotly.js sets some element styles as attributes, which a style-src without 'unsafe-inline'
# blocks (tests/browser/test_planning_charts.py sees the refusals without it); only this page
# relaxes it, and scripts stay 'self' only.
PLANNING_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
)


@router.get("/planning", dependencies=[Depends(require(Action.VIEW_PLANNING))])
async def planning_page(
    request: Request, forecast: int | None = None, plan: int | None = None
) -> Response:
    """Demand forecast, staff required against rostered cover, and the roster, per channel."""
    view = planning_view(context_of(request), forecast_run_id=forecast, plan_id=plan)
    response = render(request, "planning.html", view=view)
    response.headers["Content-Security-Policy"] = PLANNING_CSP
    return response


@router.get("/planning/plotly.min.js", dependencies=[Depends(require(Action.VIEW_PLANNING))])
async def plotly_js() -> Response:
    """plotly.js from the installed plotly package (no CDN)."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "private, max-age=86400"},
    )
