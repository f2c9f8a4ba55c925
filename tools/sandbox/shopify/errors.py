"""Top-level GraphQL errors in Shopify's shape: message, locations, path and extensions.

Business failures are ``userErrors`` inside payloads and never pass through here; this module is
for request-level problems (bad ids, page sizes, idempotency misuse, validation) and for turning
anything unexpected into an ``INTERNAL_SERVER_ERROR`` instead of an HTTP 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal error. Looks like something went wrong on our end."


class ShopifyError(Exception):
    """A deliberate top-level error, raised from resolvers with Shopify's extension code."""

    def __init__(self, message: str, code: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


def error_entry(
    message: str,
    code: str,
    *,
    locations: Sequence[dict[str, int]] | None = None,
    path: Sequence[str | int] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of the response's ``errors`` list."""
    entry: dict[str, Any] = {"message": message}
    if locations:
        entry["locations"] = list(locations)
    if path:
        entry["path"] = list(path)
    entry["extensions"] = {"code": code, **(extra or {})}
    return entry


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def format_execution_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """Render an error raised while executing; unexpected exceptions are logged and hidden."""
    original = error.original_error
    locations = _locations(error)
    path = list(error.path) if error.path else None
    if isinstance(original, ShopifyError):
        return error_entry(
            original.message, original.code, locations=locations, path=path, extra=original.extra
        )
    if original is not None and not isinstance(original, GraphQLError):
        logger.error(
            "shopify sandbox resolver failed (request %s)",
            request_id,
            exc_info=(type(original), original, original.__traceback__),
        )
        return error_entry(
            f"{INTERNAL_ERROR_MESSAGE}\nRequest ID: {request_id}",
            "INTERNAL_SERVER_ERROR",
            locations=locations,
            path=path,
            extra={"requestId": request_id},
        )
    # Argument and variable coercion failures raised by graphql-core itself.
    return error_entry(
        error.message, "argumentLiteralsIncompatible", locations=locations, path=path
    )


def format_graphql_error(error: GraphQLError, code: str) -> dict[str, Any]:
    """Render a parse, validation or variable error with the given code."""
    return error_entry(error.message, code, locations=_locations(error))
