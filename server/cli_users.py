"""`royal users`: the people who sign in to the web console, and their roles."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:
    from storage.users import UserRepository

app = typer.Typer(help="Console users: add, list, change roles, disable.", no_args_is_help=True)
T = TypeVar("T")

PASSWORD_ENV = "ROYAL_USER_PASSWORD"
ROLE_HELP = "viewer, operator, approver or admin."


def _run(work: Callable[[UserRepository], Awaitable[T]]) -> T:
    settings = load_settings()
    from storage import Database, NotFoundError
    from storage.users import UserExistsError, UserRepository

    async def go() -> T:
        async with Database.from_settings(settings) as database:
            await database.migrate()
            return await work(UserRepository(database))

    try:
        return asyncio.run(go())
    except (NotFoundError, UserExistsError) as exc:
        raise fail(str(exc), code=1) from None
    except ValueError as exc:
        raise fail(str(exc)) from None


def _password() -> str:
    """From ``ROYAL_USER_PASSWORD`` (scripts), else asked twice without echo."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "viewer",
) -> None:
    """Add a user (password from ROYAL_USER_PASSWORD, or asked for)."""
    from storage.users import check_role, check_username

    try:
        check_username(username)
        check_role(role)
    except ValueError as exc:
        raise fail(str(exc)) from None
    password = _password()
    user = _run(lambda users: users.add(username, role=role, password=password))
    console.print(f"Added {user.username} ({user.role}).")


@app.command("list")
def list_users() -> None:
    """Every user, with role and whether they may sign in."""
    found = _run(lambda users: users.list())
    table = Table(title="Console users", title_justify="left")
    for column in ("user", "role", "enabled", "created", "updated"):
        table.add_column(column)
    for user in found:
        table.add_row(
            user.username,
            user.role,
            "no" if user.disabled else "yes",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
            user.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Argument(help=ROLE_HELP)],
) -> None:
    """Change a user's role (effective on their next request)."""
    user = _run(lambda users: users.set_role(username, role))
    console.print(f"{user.username} is now {user.role}.")


@app.command("set-password")
def set_password(username: Annotated[str, typer.Argument()]) -> None:
    """Set a new password (from ROYAL_USER_PASSWORD, or asked for)."""
    password = _password()
    user = _run(lambda users: users.set_password(username, password))
    console.print(f"Password of {user.username} changed.")


@app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Stop a user signing in; their open sessions end on their next request."""
    user = _run(lambda users: users.disable(username))
    console.print(f"{user.username} is disabled.")


@app.command("enable")
def enable(username: Annotated[str, typer.Argument()]) -> None:
    """Let a disabled user sign in again."""
    user = _run(lambda users: users.enable(username))
    console.print(f"{user.username} is enabled.")
