"""The FastAPI app factory: one context, the routers, and errors that say what is wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchhouse import __version__
from watchhouse.config import Settings
from watchhouse.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from watchhouse.services.context import AppContext, build_context
from watchhouse.web import (
    account_admin,
    api,
    audits,
    audits_api,
    board,
    identity,
    investigations,
    investigations_api,
    own_account,
    pages,
    planning,
    plans,
    risk,
    search,
    teams,
    telephony_api,
)
from watchhouse.web.limits import MAX_REQUEST_BYTES, BodySizeLimit
from watchhouse.web.rendering import render
from watchhouse.web.security import (
    CsrfFailed,
    NotPermitted,
    NotSignedIn,
    PasswordChangeRequired,
)

STATIC_DIR = Path(__file__).with_name("static")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(
    request: Request, status: int, message: str, problems: list[FieldProblem] | None = None
) -> Response:
    if _wants_json(request):
        body = {
            "message": message,
            "problems": [{"field": p.field, "reason": p.reason} for p in problems or []],
        }
        return JSONResponse(body, status_code=status)
    return render(
        request, "error.html", status, status=status, message=message, problems=problems or []
    )


# Not framed by any site (clickjacking), forms post only here, no <base> redirecting links.
# default-src does not cover these three, so every policy, a page's own included, gets them.
CSP_LOCKDOWN = "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " + CSP_LOCKDOWN
)


def _with_security_headers(request: Request, response: Response) -> Response:
    """The headers every answer carries, error pages included (a page may set its own CSP)."""
    _add_security_headers(response.headers, request.url.path)
    return response


def _add_security_headers(headers: MutableHeaders, path: str) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "frame-ancestors" not in headers["Content-Security-Policy"]:
        headers["Content-Security-Policy"] += "; " + CSP_LOCKDOWN
    if path != "/dispatch/events" and not path.startswith("/static"):
        headers.setdefault("Cache-Control", "no-store")


class SecurityHeaders:
    """`_with_security_headers` on every answer, as plain ASGI middleware: Starlette's
    `BaseHTTPMiddleware` (`@app.middleware("http")`) runs each request in a task group with
    memory streams, a large share of a small request's CPU (issue 16, Load)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap the app."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the answer's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = Request(scope).url.path

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_security_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, with_headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own answers (unknown path 404, 405...) as our pages, headers kept.
        message = {404: "there is no such page", 405: "that method is not allowed here"}.get(
            exc.status_code, str(exc.detail)
        )
        response = _error(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Runs outside the middleware, so the security headers are added here.
        text = "something went wrong on the server; it has been logged"
        response: Response = JSONResponse({"message": text, "problems": []}, status_code=500)
        if not _wants_json(request):
            response = HTMLResponse(
                f"<!doctype html><title>Server error</title><p>{text.capitalize()}.</p>",
                status_code=500,
            )
        return _with_security_headers(request, response)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):
            return _error(request, 401, "sign in first (session cookie or bearer token)")
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(NotPermitted)
    async def not_permitted(request: Request, exc: NotPermitted) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _error(
            request, 403, "the form's security token is missing or wrong; reload the page"
        )

    @app.exception_handler(ValidationFailed)
    async def validation_failed(request: Request, exc: ValidationFailed) -> Response:
        return _error(request, 422, "some of what was sent cannot be accepted", exc.problems)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            FieldProblem(".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), e["msg"])
            for e in exc.errors()
        ]
        return _error(request, 422, "some of what was sent cannot be accepted", problems)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return _error(request, 409, str(exc))


@asynccontextmanager
async def _bounded_threads(app: FastAPI) -> AsyncIterator[None]:
    """Limit the event loop's thread pool to the settings' `request_threads` at once."""
    threads = app.state.context.settings.request_threads
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    yield


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    """Build the web app from settings (or a ready context, as tests do)."""
    ctx = context or build_context(settings or Settings())
    app = FastAPI(
        lifespan=_bounded_threads,
        title="watchhouse",
        version=__version__,
        description="Contact, THRIVE, grading and dispatch for a UK police force.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.context = ctx
    # The API first: Starlette tries the routes in order, and a contact write (the hot path,
    # issue 16) would otherwise be compared with every page's route first. No page lives
    # under /api, so the order changes no answer.
    for api_router in (
        audits_api.router,
        api.router,
        investigations_api.router,
        telephony_api.router,
    ):
        app.include_router(api_router)
    # The HTML pages are not part of the JSON API: only /api is described in OpenAPI.
    for page_router in (
        pages.router,
        identity.router,
        plans.router,
        risk.router,
        investigations.router,
        teams.router,
        account_admin.router,
        audits.router,
        board.router,
        planning.router,
        search.router,
        own_account.router,
    ):
        app.include_router(page_router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    # Added before the headers middleware, so it sits inside it: a 413 gets the headers too.
    app.add_middleware(BodySizeLimit, limit=MAX_REQUEST_BYTES)

    app.add_middleware(SecurityHeaders)

    return app


def create_worker_app() -> FastAPI:
    """The app for one of `watchhouse serve --workers N`'s processes: settings from the
    WATCHHOUSE_* variables the parent set, the schema already brought up to date by it."""
    return create_app(context=build_context(Settings(), migrate=False, create=False))
