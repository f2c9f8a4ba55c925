"""What every `royal` command shares: the consoles, one-line failures, settings loading."""

from __future__ import annotations

import socket

import typer
from pydantic import ValidationError
from rich.console import Console

from settings import MissingSecretsError, Settings, get_settings

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line to stderr and return the exit to raise."""
    errors.print(f"royal: {message}", highlight=False, markup=False, soft_wrap=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    """Settings, or a one-line explanation and a non-zero exit."""
    try:
        return get_settings()
    except MissingSecretsError as exc:
        raise fail(str(exc)) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise fail(f"invalid configuration: {problems}") from None


#: How long a command waits for the sandbox to accept a connection before saying it is down.
SANDBOX_PROBE_SECONDS = 2.0


def require_sandbox(settings: Settings) -> None:
    """Fail at once, with what to do, when a service is the sandbox and nothing listens there
    (rather than minutes of retries against a port that refuses connections)."""
    if not settings.uses_sandbox:
        return
    address = (settings.royal_sandbox_host, settings.royal_sandbox_port)
    try:
        with socket.create_connection(address, timeout=SANDBOX_PROBE_SECONDS):
            return
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    raise fail(
        f"the sandbox (the local Shopify, GitHub and supplier emulators) is not running at "
        f"{settings.sandbox_url} ({reason}): start `royal up` in another shell, or "
        "`royal sandbox serve`, then try again",
        code=3,
    )
