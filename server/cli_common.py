"""What every `royal` command shares: the consoles, one-line failures, settings loading."""

from __future__ import annotations

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
