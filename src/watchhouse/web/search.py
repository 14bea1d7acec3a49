"""The search box: references, telephone numbers and names, for the roles allowed to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.domain.search import read_search
from watchhouse.services import access, search
from watchhouse.web import justify
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
MAX_ENTRY_CHARACTERS = 200


@router.get("/search", dependencies=[Depends(require(Action.SEARCH_RECORDS))])
async def search_page(request: Request) -> Response:
    """The search box with the reason for searching, and, when something was typed, what it
    found (a logged consultation, with the reason given)."""
    ctx = context_of(request)
    entry = request.query_params.get("q", "")[:MAX_ENTRY_CHARACTERS]
    page: dict[str, Any] = {
        "entry": entry,
        "reasons": access.justification_reasons(ctx),
        "chosen": request.query_params.get(justify.REASON_FIELD, ""),
        "reason_text": request.query_params.get(justify.TEXT_FIELD, ""),
        "needs_reason": ctx.policy.access_log.require_justification,
    }
    if not entry.strip():
        return render(request, "search.html", result=None, problem=None, **page)
    try:
        reason = justify.given(request)
        if reason is None and page["needs_reason"]:
            # From the home page's box: the entry is checked, and nothing is shown until a
            # reason is chosen here.
            read_search(entry, region=ctx.policy.identity.telephone_region)
            if justify.REASON_FIELD not in request.query_params:
                return render(
                    request, "search.html", result=None, problem=None, ask_reason=True, **page
                )
        result = await run_in_threadpool(
            search.search, ctx, actor=actor_of(request), text=entry, justification=reason
        )
    except ValidationFailed as exc:
        problem = exc.problems[0]
        return render(
            request,
            "search.html",
            422,
            result=None,
            problem=problem.reason,
            problem_field="justification" if problem.field == "justification" else "q",
            **page,
        )
    return render(request, "search.html", result=result, problem=None, **page)
