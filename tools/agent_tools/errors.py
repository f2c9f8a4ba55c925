"""Failures an agent can act on become short tool errors; wiring mistakes stay exceptions.

LangChain turns a ``ToolException`` into the tool's answer (``handle_tool_error``), so a model
sees "productVariantsBulkUpdate failed: price: must be >= 0" and can correct itself. Anything
else (a missing gate, a bug, LangGraph's interrupt) propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core.tools import ToolException
from pydantic import ValidationError

from tools.github import GitHubError
from tools.shopify import ShopifyError
from tools.suppliers import SupplierError

#: Errors of the typed clients: the service refused or failed; the agent may try otherwise.
CLIENT_ERRORS: tuple[type[Exception], ...] = (ShopifyError, GitHubError, SupplierError)


class ToolInputError(ToolException):
    """The arguments do not fit what the lookups found (unknown variant, no payment, …)."""


@contextmanager
def client_errors(tool: str) -> Iterator[None]:
    """Re-raise client failures as a one-line ``ToolException`` naming the tool."""
    try:
        yield
    except CLIENT_ERRORS as exc:
        raise ToolException(f"{tool}: {one_line(str(exc))}") from exc


def validation_message(error: ValidationError) -> str:
    """Pydantic's errors as ``path: message`` pairs on one line."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        parts.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return "invalid arguments: " + "; ".join(parts)


def one_line(text: str) -> str:
    return " ".join(text.split())
