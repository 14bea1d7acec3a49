"""Asking for a justification before showing personal data outside the person's own work.

Where policy requires one (`[access_log] require_justification`), a search, a person page, or
a contact or incident that is not the person's own work first shows a short form: a reason
chosen from policy's list (`[access_log] justification_reasons`) and free text. The form is
sent back to the same address (GET, `justification` and `justification_text`), and the
service logs exactly what was given (services/access.py).

The reason given is then carried (`carry`) into the page's forms and links to records, and
each form's answer sends the browser back with it, so the person is not asked again for each
action on the same record; every showing is still logged with the reason given.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from watchhouse.domain.errors import JustificationNeeded, ValidationFailed
from watchhouse.services import access
from watchhouse.web.security import context_of

JUSTIFICATION_HEADER = (
    "why you consult this record, when it is not your own work and policy requires a reason: "
    "one of policy's reason codes ([access_log] justification_reasons), optionally followed "
    "by ':' and free text, e.g. 'safeguarding: welfare check for incident I0000042'"
)

REASON_FIELD = "justification"
TEXT_FIELD = "justification_text"


def given(request: Request) -> str | None:
    """The justification sent with the request, as the log will hold it; None when none
    was sent. ValidationFailed (field `justification`) when the reason is not on the list."""
    params = request.query_params
    if REASON_FIELD not in params:
        return None
    return access.chosen_justification(
        context_of(request), params.get(REASON_FIELD, ""), params.get(TEXT_FIELD, "")[:2000]
    )


def carried(request: Request) -> str:
    """The query string that carries the given reason on to the records a page links to
    (search results), empty when none was given."""
    params = request.query_params
    if REASON_FIELD not in params:
        return ""
    return urlencode(
        {REASON_FIELD: params.get(REASON_FIELD, ""), TEXT_FIELD: params.get(TEXT_FIELD, "")}
    )


def carry(request: Request, url: str) -> str:
    """The URL with the reason given to this request added to its query (before any
    `#fragment`), so the page it leads to, or the form's answer, is shown for the same reason
    without asking again; the URL unchanged when no reason was given."""
    carried_query = carried(request)
    if not carried_query:
        return url
    path, hash_mark, fragment = url.partition("#")
    joined = f"{path}{'&' if '?' in path else '?'}{carried_query}"
    return f"{joined}{hash_mark}{fragment}"


def prompt(request: Request, what: str, problem: str | None = None) -> Response:
    """The form asking why (422 when a reason was sent but refused)."""
    from watchhouse.web.rendering import render  # rendering offers `carry` to templates

    params = request.query_params
    return render(
        request,
        "justify.html",
        422 if problem else 200,
        what=what,
        action=request.url.path,
        reasons=access.justification_reasons(context_of(request)),
        chosen=params.get(REASON_FIELD, ""),
        text=params.get(TEXT_FIELD, ""),
        problem=problem,
    )


def justified(request: Request, what: str, show: Callable[[str | None], Response]) -> Response:
    """`show(justification)`, or the form asking why when it needs a reason it was not given
    (or was given one not on the list)."""
    try:
        reason = given(request)
    except ValidationFailed as exc:
        return prompt(request, what, exc.problems[0].reason)
    try:
        return show(reason)
    except JustificationNeeded as exc:
        return prompt(request, exc.what)
