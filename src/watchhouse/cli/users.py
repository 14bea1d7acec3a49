"""`watchhouse users deactivate|reactivate|unlock|reset-password|set-role|revoke-tokens`: the
administrator's account actions, done as a named administrator and logged like the screens'.

Registered on `users` by `watchhouse.cli`; everything heavy is imported when a command runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from watchhouse.domain.roles import Role

if TYPE_CHECKING:
    from watchhouse.domain.roles import Actor
    from watchhouse.services.context import AppContext

console = Console()
err = Console(stderr=True)

Username = Annotated[str, typer.Argument(help="the user whose account is changed")]
AsAdministrator = Annotated[
    str,
    typer.Option("--as-user", help="the administrator doing it (checked, and logged as them)"),
]


def _run(as_user: str, change: Callable[[AppContext, Actor], str]) -> None:
    """Check the named user may manage users, make the change, print what was done."""
    from watchhouse.cli.io import _actor, _context
    from watchhouse.domain.errors import ValidationFailed
    from watchhouse.domain.roles import Action

    ctx = _context()
    actor = _actor(ctx, as_user, Action.MANAGE_USERS, "manage user accounts")
    try:
        done = change(ctx, actor)
    except ValidationFailed as exc:
        err.print(f"[red]nothing done[/red]: {exc.problems[0].reason}")
        raise typer.Exit(1) from exc
    console.print(done)


def deactivate(username: Username, as_user: AsAdministrator) -> None:
    """Deactivate an account: it cannot sign in and its sessions and API tokens end at once."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        account_admin.deactivate(ctx, actor=actor, username=username)
        return f"deactivated {username}; their sessions and API tokens are ended"

    _run(as_user, change)


def reactivate(username: Username, as_user: AsAdministrator) -> None:
    """Reactivate a deactivated account (old sessions and tokens stay ended)."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        account_admin.reactivate(ctx, actor=actor, username=username)
        return f"reactivated {username}"

    _run(as_user, change)


def unlock(username: Username, as_user: AsAdministrator) -> None:
    """Lift a lock-out after too many wrong passwords."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        account_admin.unlock(ctx, actor=actor, username=username)
        return f"unlocked {username}"

    _run(as_user, change)


def reset_password(
    username: Username,
    as_user: AsAdministrator,
    password: Annotated[
        str,
        typer.Option(
            prompt="Temporary password",
            hide_input=True,
            confirmation_prompt=True,
            help="a temporary password meeting the password policy (prompted for)",
        ),
    ],
) -> None:
    """Set a temporary password (policy-checked), lift any lock and end the user's sessions."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        account_admin.reset_password(ctx, actor=actor, username=username, password=password)
        return f"password of {username} reset; their browser sessions are ended"

    _run(as_user, change)


def set_role(
    username: Username,
    role: Annotated[Role, typer.Option(help="the new role")],
    as_user: AsAdministrator,
) -> None:
    """Give a user another role (the last active administrator keeps theirs)."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        account_admin.set_role(ctx, actor=actor, username=username, role=role)
        return f"{username} is now {role.label}"

    _run(as_user, change)


def revoke_tokens(username: Username, as_user: AsAdministrator) -> None:
    """End every API token of a user at once."""
    from watchhouse.services import account_admin

    def change(ctx: AppContext, actor: Actor) -> str:
        ended = account_admin.revoke_tokens(ctx, actor=actor, username=username)
        return f"revoked {ended} API tokens of {username}"

    _run(as_user, change)


COMMANDS: dict[str, Callable[..., None]] = {
    "deactivate": deactivate,
    "reactivate": reactivate,
    "unlock": unlock,
    "reset-password": reset_password,
    "set-role": set_role,
    "revoke-tokens": revoke_tokens,
}


def register(users_app: typer.Typer) -> None:
    """Add the account actions to `watchhouse users`."""
    for name, command in COMMANDS.items():
        users_app.command(name)(command)
