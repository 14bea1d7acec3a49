"""Plotly figures of a measure's XmR chart, as JSON the board page and the pack both draw.

The figures are plotly.js figure specifications (`data` traces and a `layout`) written as
plain dictionaries: building them through plotly's Python graph objects validated every
property and cost about 25 ms a chart, a fifth of the board's own time.

Colours follow the NHS "Making Data Count" convention UK analysts know: blue for a
special-cause improvement, orange for a concern, purple for special cause in a measure that is
neither better up nor down, grey for common cause.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import plotly

from watchhouse.domain.spc import XmRChart, XmRPoint
from watchhouse.services.board import MeasureTrend

IMPROVEMENT, CONCERN, NEITHER, COMMON = "#1f5fad", "#d46a00", "#6a3d9a", "#5f6b7a"
TARGET = "#1b7a3a"

Figure = dict[str, Any]


def plotly_js_url() -> str:
    """Where every page loads plotly.js from: one URL for the board, the PEEL view and the
    planning page (parsed from the browser's cache after the first), fingerprinted with the
    installed plotly's version so it can be cached for a year and changes with an upgrade."""
    return f"/charts/plotly.min.js?v={plotly.__version__}"


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the installed plotly package (never a CDN)."""
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise RuntimeError(f"plotly.js is missing from the plotly package: {path}")
    return path


def _scale(unit: str) -> tuple[float, str]:
    if unit == "share":
        return 100.0, "%"
    if unit == "seconds":
        return 1.0, " s"
    if unit == "minutes":
        return 1.0, " min"
    if unit == "hours":
        return 1.0, " h"
    return 1.0, ""


def _number(value: float | None, scale: float) -> float | None:
    """A value to draw, or None for a gap (nothing, or not a finite number)."""
    return None if value is None or not math.isfinite(value) else value * scale


def _shown(chart: XmRChart) -> list[XmRPoint]:
    """The points from the first with a value (months before the data began are not drawn)."""
    points = list(chart.points)
    first = next((i for i, p in enumerate(points) if p.value is not None), 0)
    return points[first:]


def _colour(direction: int, higher_is_better: bool | None) -> str:
    if direction == 0:
        return COMMON
    if higher_is_better is None:
        return NEITHER
    good = direction > 0 if higher_is_better else direction < 0
    return IMPROVEMENT if good else CONCERN


def _scatter(**properties: Any) -> dict[str, Any]:
    return {"type": "scatter", **properties}


def _limit_line(
    name: str, value: float, count: int, scale: float, dash: str, colour: str
) -> dict[str, Any]:
    return _scatter(
        x=list(range(count)),
        y=[value * scale] * count,
        mode="lines",
        name=name,
        line={"dash": dash, "color": colour, "width": 1.5},
        hoverinfo="skip",
    )


def xmr_figure(
    trend: MeasureTrend, *, height: int = 230, width: int | None = None, legend: bool = False
) -> Figure:
    """The individuals chart of a measure: points, centre line, natural process limits,
    target, and special-cause points coloured by whether they are better or worse."""
    chart: XmRChart = trend.chart
    scale, suffix = _scale(str(trend.definition.unit))
    points = _shown(chart)
    labels = [p.label for p in points]
    xs = list(range(len(labels)))
    ys = [_number(p.value, scale) for p in points]
    colours = [_colour(p.direction, trend.definition.higher_is_better) for p in points]
    hover = [
        f"{p.label}: {'no data' if y is None else f'{y:,.1f}{suffix}'}"
        + ("" if not p.signals else "<br>special cause: " + ", ".join(s.label for s in p.signals))
        for p, y in zip(points, ys, strict=True)
    ]
    traces: list[dict[str, Any]] = [
        _scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            name=trend.definition.title,
            line={"color": COMMON, "width": 1.5},
            marker={"color": colours, "size": 8},
            text=hover,
            hoverinfo="text",
            connectgaps=False,
        )
    ]
    if chart.centre is not None and chart.upper is not None and chart.lower is not None:
        count = len(xs)
        traces.append(_limit_line("centre line", chart.centre, count, scale, "solid", "#222"))
        traces.append(_limit_line("upper limit", chart.upper, count, scale, "dash", "#888"))
        traces.append(_limit_line("lower limit", chart.lower, count, scale, "dash", "#888"))
    if trend.target is not None:
        traces.append(_limit_line("target", trend.target.value, len(xs), scale, "dot", TARGET))
    step = max(1, -(-len(labels) // 6))  # about six labels
    layout = dict(
        height=height,
        width=width,
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        showlegend=legend,
        legend={"orientation": "h", "y": -0.25},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        font={"family": "DejaVu Sans, sans-serif", "size": 12},
        xaxis={
            "tickmode": "array",
            "tickvals": xs[::step],
            "ticktext": labels[::step],
            "showgrid": False,
        },
        yaxis={"ticksuffix": suffix, "gridcolor": "#e5e5e5", "zeroline": False},
    )
    return {"data": traces, "layout": {k: v for k, v in layout.items() if v is not None}}


def moving_range_figure(trend: MeasureTrend, *, height: int = 180) -> Figure:
    """The moving range chart: each point's difference from the one before and its limit."""
    chart = trend.chart
    scale, suffix = _scale(str(trend.definition.unit))
    points = _shown(chart)
    labels = [p.label for p in points]
    xs = list(range(len(labels)))
    ys = [_number(p.moving_range, scale) for p in points]
    traces = [
        _scatter(x=xs, y=ys, mode="lines+markers", name="moving range", line={"color": COMMON})
    ]
    if chart.mean_moving_range is not None and chart.upper_range_limit is not None:
        traces.append(
            _limit_line(
                "mean moving range", chart.mean_moving_range, len(xs), scale, "solid", "#222"
            )
        )
        traces.append(
            _limit_line(
                "upper range limit", chart.upper_range_limit, len(xs), scale, "dash", "#888"
            )
        )
    step = max(1, -(-len(labels) // 6))  # about six labels
    layout = dict(
        height=height,
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        showlegend=False,
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        xaxis={"tickmode": "array", "tickvals": xs[::step], "ticktext": labels[::step]},
        yaxis={"ticksuffix": suffix, "gridcolor": "#e5e5e5", "rangemode": "tozero"},
    )
    return {"data": traces, "layout": layout}


def figure_json(figure: Figure) -> str:
    """A figure as JSON safe to place inside a <script type="application/json"> element."""
    return json.dumps(figure, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
