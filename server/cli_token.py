"""`royal token`: mint a bearer token for the HTTP API, signed with JWT_SECRET."""

from __future__ import annotations

from typing import Annotated

import typer

from server.cli_common import fail, load_settings


def token(
    subject: Annotated[str, typer.Option(help="Who the token identifies (recorded on decisions).")],
    role: Annotated[str, typer.Option(help="viewer, operator, approver or admin.")],
    ttl: Annotated[str, typer.Option(help="How long it is valid, e.g. 30m, 8h, 7d.")] = "8h",
) -> None:
    """Print a JWT for `Authorization: Bearer ...` (needs JWT_SECRET)."""
    from host.identity import reserved
    from policies import Role, parse_duration
    from server.api.auth import mint_token
    from settings.model import MIN_JWT_SECRET_BYTES

    settings = load_settings()
    try:
        parsed_role = Role(role.lower())
    except ValueError:
        raise fail(f"unknown role {role!r}: viewer, operator, approver or admin") from None
    try:
        lifetime = parse_duration(ttl)
    except ValueError as exc:
        raise fail(f"--ttl: {exc}") from None
    if lifetime.total_seconds() <= 0:
        raise fail("--ttl must be positive")
    if not subject.strip() or len(subject) > 255:
        raise fail("--subject must be 1 to 255 characters")
    if reserved(subject.strip()):
        raise fail(f"--subject {subject!r} is reserved for the server's own actors")
    secret = settings.jwt_secret
    if secret is None:
        raise fail("JWT_SECRET is not set: the server would not accept any token")
    if len(secret.get_secret_value().encode()) < MIN_JWT_SECRET_BYTES:
        raise fail(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes for HS256")
    typer.echo(  # plain stdout, so `TOKEN=$(royal token ...)` works
        mint_token(
            secret.get_secret_value(), subject=subject.strip(), role=parsed_role, ttl=lifetime
        )
    )
