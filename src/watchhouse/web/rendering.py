"""Templates and the filters that show stored UTC times in the force's local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from watchhouse.auth.permissions import can
from watchhouse.domain.clock import format_local
from watchhouse.domain.investigation_records import label_of
from watchhouse.domain.roles import Action, Role
from watchhouse.domain.values import channel_label
from watchhouse.web.justify import carry
from watchhouse.web.security import RequestIdentity, context_of

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters["label"] = label_of  # "cctv_request" -> "CCTV request"
TEMPLATES.env.filters["channel"] = channel_label  # "live_chat" -> "Live chat"


def duration(value: timedelta | None) -> str:
    """A duration as 1h 02m 03s, with a minus sign when overdue."""
    if value is None:
        return "no target"
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 24:
        return f"{sign}{hours // 24}d {hours % 24:02d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m {secs:02d}s"
    return f"{sign}{minutes}m {secs:02d}s"


def percent(probability: float) -> str:
    """A probability as a percentage with one decimal, never rounded up to a certain 100% or
    down to an impossible 0%."""
    shown = f"{probability * 100:.1f}"
    if shown == "100.0" and probability < 1:
        return "over 99.9%"
    if shown == "0.0" and probability > 0:
        return "under 0.1%"
    return f"{shown}%"


def iso_utc(value: datetime | None) -> str:
    """ISO 8601 in UTC for scripts (data attributes)."""
    return "" if value is None else value.isoformat()


def form_page_url(request: Request, status_code: int) -> str | None:
    """After a refused form (a POST answered with an error page), the address of the page the
    form was on, so the address bar can show it rather than the POST's URL (a reload then
    does not post again); None otherwise. Only a same-site page is named."""
    if request.method != "POST" or status_code < 400:
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def queue_name(role: Role | None) -> str:
    """What the live queue is called for a role, the same in the nav, the home tile and the
    page: the dispatcher deploys from it, an officer attends from it, an analyst watches it."""
    if can(role, Action.DEPLOY):
        return "Dispatch queue"
    if can(role, Action.RECORD_ARRIVAL):
        return "Incidents to attend"
    return "Live demand"


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page with the signed-in user, CSRF token, policy and permission check at hand."""
    ctx = context_of(request)
    identity: RequestIdentity | None = getattr(request.state, "identity", None)
    actor = identity.actor if identity else None
    zone = ctx.policy.force.timezone

    def local(moment: datetime | None, fmt: str = "%d %b %Y %H:%M:%S %Z") -> str:
        return format_local(moment, zone, fmt)

    def allowed(action: str) -> bool:
        return can(actor.role if actor else None, Action(action))

    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "csrf_token": identity.csrf_token if identity else None,
            "policy": ctx.policy,
            "local": local,
            "duration": duration,
            "iso_utc": iso_utc,
            "percent": percent,
            "allowed": allowed,
            "queue_name": queue_name(actor.role if actor else None),
            "form_page_url": form_page_url(request, status_code),
            # A record's forms and links keep the reason given for showing it (web/justify.py)
            "carry": lambda url: carry(request, url),
            **values,
        },
        status_code=status_code,
    )
