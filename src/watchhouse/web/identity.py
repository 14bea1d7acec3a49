"""Who is the caller: the handler confirms the person on the line, and a supervisor records
that two contacts are (or are not) the same person."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from watchhouse.domain.records import contact_reference, person_reference
from watchhouse.domain.roles import Action
from watchhouse.services import identity, identity_views, people
from watchhouse.web import justify
from watchhouse.web.forms import read_identity_decision, read_person_choice
from watchhouse.web.ids import RecordId
from watchhouse.web.pages import contact_screen
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)


def _person_page(
    request: Request,
    person_id: int,
    problems: ValidationFailed | None = None,
    values: dict[str, object] | None = None,
    status: int | None = None,
) -> Response:
    """The person page; it first asks why (web/justify.py): a person is never the viewer's own
    queue work."""
    return justify.justified(
        request,
        f"person {person_reference(person_id)}",
        lambda reason: _person_shown(request, person_id, reason, problems, values, status),
    )


def _person_shown(
    request: Request,
    person_id: int,
    reason: str | None,
    problems: ValidationFailed | None,
    values: dict[str, object] | None,
    status: int | None = None,
) -> Response:
    ctx = context_of(request)
    found = people.get_person(
        ctx, actor=actor_of(request), person_id=person_id, justification=reason
    )
    decisions = identity_views.decisions_about(ctx, contact_ids=[c.id for c in found.contacts])
    return render(
        request,
        "person.html",
        status or (422 if problems else 200),
        person=found.person,
        history=found.contacts,
        decisions=decisions,
        decisions_seen=max((d.id for d in decisions), default=0),
        values=values or {},
        problems={p.field: p.reason for p in problems.problems} if problems else {},
    )


@router.get("/people/{person_id}", dependencies=[Depends(require(Action.VIEW_PERSON))])
async def person_page(request: Request, person_id: RecordId) -> Response:
    """A person and their contacts; a logged consultation."""
    return _person_page(request, person_id)


@router.post(
    "/contacts/{contact_id}/caller", dependencies=[Depends(require(Action.CONFIRM_CALLER))]
)
async def confirm_caller(request: Request, contact_id: RecordId) -> Response:
    """The handler confirms who the caller is: one of the people offered, or a new person."""
    form = await request.form()
    try:
        person_id = read_person_choice(form)
        identity.confirm_caller(
            context_of(request), actor=actor_of(request), contact_id=contact_id, person_id=person_id
        )
    except ValidationFailed as exc:
        return contact_screen(request, contact_id, exc)
    return RedirectResponse(justify.carry(request, f"/contacts/{contact_id}#who"), status_code=303)


@router.post(
    "/people/{person_id}/identity-decisions",
    dependencies=[Depends(require(Action.DECIDE_IDENTITY))],
)
async def decide(request: Request, person_id: RecordId) -> Response:
    """A supervisor records that two contacts are, or are not, the same person."""
    form = await request.form()
    values: dict[str, object] = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        typed = read_identity_decision(form)
        try:
            identity.decide(
                context_of(request),
                actor=actor_of(request),
                left_contact_id=typed.left_contact_id,
                right_contact_id=typed.right_contact_id,
                same_person=typed.same_person,
                reason=typed.reason,
                decisions_seen=typed.decisions_seen,
            )
        except Conflict as stale:
            # Shown on the person page with the decisions as they now stand (409).
            problem = ValidationFailed([FieldProblem("decisions", str(stale))])
            return _person_page(request, person_id, problem, values, status=409)
        except NotFound as missing:
            left = missing.key == typed.left_contact_id
            field = "left_contact_id" if left else "right_contact_id"
            reference = contact_reference(typed.left_contact_id if left else typed.right_contact_id)
            raise ValidationFailed(
                [FieldProblem(field, f"no contact {reference} is on record")]
            ) from missing
    except ValidationFailed as exc:
        return _person_page(request, person_id, exc, values)
    return RedirectResponse(
        justify.carry(request, f"/people/{person_id}#decisions"), status_code=303
    )
