"""Who is asking, and may they: sessions, bearer tokens, CSRF and the permission check."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from watchhouse.auth.permissions import can
from watchhouse.auth.tokens import tokens_match
from watchhouse.domain.roles import Action, Actor
from watchhouse.services.accounts import SessionInfo, remembered_session, session_for_token
from watchhouse.services.context import AppContext

SESSION_COOKIE = "wh_session"
LOGIN_CSRF_COOKIE = "wh_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedIn(Exception):
    """Raised when a route needs a signed-in user and there is none."""


class NotPermitted(Exception):
    """Raised when the signed-in role may not perform the route's action."""

    def __init__(self, action: Action) -> None:
        """Remember which action was refused."""
        self.action = action
        super().__init__(f"your role may not {action.value.replace('_', ' ')}")


class PasswordChangeRequired(Exception):
    """Raised when a browser session's user must change their password before anything else
    (an administrator created the account or reset its password)."""


# What a user who must change their password may still do: change it, or sign out.
_ALLOWED_BEFORE_CHANGE = frozenset({Action.SIGN_IN, Action.CHANGE_OWN_PASSWORD})
_SIGN_OUT_PATH = "/logout"


class CsrfFailed(Exception):
    """Raised when a cookie-authenticated write lacks the right CSRF token."""


@dataclass(frozen=True)
class RequestIdentity:
    """The actor behind a request (None when signed out) and how they proved it."""

    actor: Actor | None
    csrf_token: str | None
    via: str
    must_change_password: bool = False


def context_of(request: Request) -> AppContext:
    """The application context built at start-up."""
    ctx: AppContext = request.app.state.context
    return ctx


async def _session(ctx: AppContext, token: str) -> SessionInfo | None:
    """The token's session: remembered by this process (no thread, no database), or looked up."""
    return remembered_session(ctx, token=token) or await run_in_threadpool(
        session_for_token, ctx, token=token
    )


async def identify(request: Request) -> RequestIdentity:
    """Find the actor from a bearer token or the session cookie, once per request."""
    cached: RequestIdentity | None = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    ctx = context_of(request)
    identity = RequestIdentity(None, None, "none")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        info = await _session(ctx, header[7:].strip())
        if info is not None and info.kind == "api":
            identity = RequestIdentity(info.actor, None, "bearer")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        info = await _session(ctx, cookie)
        if info is not None and info.kind == "browser":
            identity = RequestIdentity(
                info.actor, info.csrf_token, "cookie", info.must_change_password
            )
    request.state.identity = identity
    return identity


async def _check_csrf(request: Request, identity: RequestIdentity) -> None:
    if request.method not in UNSAFE_METHODS or identity.via != "cookie":
        return
    assert identity.csrf_token is not None
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not tokens_match(identity.csrf_token, given):
        raise CsrfFailed()


class Permission:
    """A route dependency naming the one action the route performs."""

    def __init__(self, action: Action) -> None:
        """Name the action this route needs."""
        self.action = action

    async def __call__(self, request: Request) -> Actor | None:
        """Let the request through only if its actor may perform the action."""
        identity = await identify(request)
        if not can(identity.actor.role if identity.actor else None, self.action):
            if identity.actor is None:
                raise NotSignedIn()
            raise NotPermitted(self.action)
        await _check_csrf(request, identity)
        if (
            identity.must_change_password
            and self.action not in _ALLOWED_BEFORE_CHANGE
            and request.url.path != _SIGN_OUT_PATH
        ):
            raise PasswordChangeRequired()
        request.state.action = self.action
        return identity.actor


def require(action: Action) -> Permission:
    """The dependency a route declares: `dependencies=[Depends(require(Action.X))]`."""
    return Permission(action)


def actor_of(request: Request) -> Actor:
    """The signed-in actor of a request that passed a permission check."""
    identity: RequestIdentity | None = getattr(request.state, "identity", None)
    if identity is None or identity.actor is None:
        raise NotSignedIn()
    return identity.actor
