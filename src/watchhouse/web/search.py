"""The search box: references, telephone numbers and names, for the roles allowed to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import search
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
MAX_ENTRY_CHARACTERS = 200


@router.get("/search", dependencies=[Depends(require(Action.SEARCH_RECORDS))])
async def search_page(request: Request) -> Response:
    """The search box and, when something was typed, what it found (a logged consultation)."""
    entry = request.query_params.get("q", "")[:MAX_ENTRY_CHARACTERS]
    if not entry.strip():
        return render(request, "search.html", entry="", result=None, problem=None)
    try:
        result = await run_in_threadpool(
            search.search, context_of(request), actor=actor_of(request), text=entry
        )
    except ValidationFailed as exc:
        return render(
            request, "search.html", 422, entry=entry, result=None, problem=exc.problems[0].reason
        )
    return render(request, "search.html", entry=entry, result=result, problem=None)
