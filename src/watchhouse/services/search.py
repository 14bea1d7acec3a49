"""The search box (references, telephone numbers, names) and a person's own recent work.

Showing what a search found is a consultation of personal data outside the person's own work:
where policy requires a justification, the searcher gives one (a reason from policy's list plus
free text) and each record shown is logged with exactly that, through services/access.py.
"""

from __future__ import annotations

from watchhouse.auth.permissions import can
from watchhouse.db.repositories import search as search_repo
from watchhouse.domain.access import Operation
from watchhouse.domain.roles import Action, Actor
from watchhouse.domain.search import SearchHit, SearchKind, SearchResult, read_search
from watchhouse.services.access import log_access, reason_for_view
from watchhouse.services.context import AppContext

# The action needed to open each kind of record found: a hit the searcher could not open is
# not shown (a crime reference typed by a call handler finds nothing, rather than a dead link).
_OPENED_WITH = {
    "contact": Action.VIEW_CONTACT,
    "person": Action.VIEW_PERSON,
    "incident": Action.VIEW_INCIDENT,
    "crime": Action.VIEW_CRIME,
    "problem_solving_plan": Action.VIEW_PLANS,
    "risk_assessment": Action.VIEW_INCIDENT,
}


def search(ctx: AppContext, *, actor: Actor, text: str, justification: str | None) -> SearchResult:
    """Read the entry, find at most the policy's limit of records, and log each one shown
    with the justification given (JustificationNeeded when policy requires one and none was
    given)."""
    query = read_search(text, region=ctx.policy.identity.telephone_region)
    reason = reason_for_view(
        ctx, actor=actor, given=justification, work=None, what="search results"
    )
    limit = ctx.policy.search.result_limit
    with ctx.db.transaction() as session:
        found: list[SearchHit] = []
        if query.kind is SearchKind.REFERENCE:
            hit = search_repo.by_reference(
                session=session, record_type=query.record_type, record_id=query.record_id
            )
            found = [hit] if hit is not None else []
        elif query.kind is SearchKind.TELEPHONE:
            found = search_repo.people_by_telephone(
                session=session, e164=query.telephone, limit=limit + 1
            ) + search_repo.contacts_by_telephone(
                session=session, e164=query.telephone, limit=limit + 1
            )
        else:
            found = search_repo.people_by_name(
                session=session,
                family=query.family_name,
                given=query.given_name,
                limit=limit + 1,
            ) + search_repo.contacts_by_caller_name(
                session=session,
                family=query.family_name,
                given=query.given_name,
                limit=limit + 1,
            )
        allowed = [hit for hit in found if can(actor.role, _OPENED_WITH[hit.record_type])]
        shown = allowed[:limit]
        for hit in shown:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type=hit.record_type,
                record_id=hit.record_id,
                justification=reason,
            )
    return SearchResult(query, tuple(shown), limit, more=len(allowed) > limit)


def my_recent_contacts(ctx: AppContext, *, actor: Actor) -> list[SearchHit]:
    """The handler's own latest contacts (policy `[search] recent_contacts`), newest first.

    The home page shows their references and times only, no personal data, so it is not
    logged; opening one is logged by the contact page.
    """
    with ctx.db.transaction() as session:
        return search_repo.recent_contacts_of(
            session=session, handler_id=actor.user_id, limit=ctx.policy.search.recent_contacts
        )


def my_incidents(ctx: AppContext, *, actor: Actor) -> list[SearchHit]:
    """Incidents the officer is recorded as attending (policy `[search] my_incidents`), open
    ones first. The home page shows reference, grade and status only, so it is not logged."""
    with ctx.db.transaction() as session:
        return search_repo.incidents_attended_by(
            session=session, officer_id=actor.user_id, limit=ctx.policy.search.my_incidents
        )
