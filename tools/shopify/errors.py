"""Typed failures of the Shopify client; messages are one line and never carry a token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict


class UserErrorDetail(BaseModel):
    """One entry of a mutation payload's ``userErrors`` (``code`` is absent on plain UserError)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    field: list[str] | None = None
    message: str
    code: str | None = None

    def __str__(self) -> str:
        where = ".".join(self.field) + ": " if self.field else ""
        code = f" ({self.code})" if self.code else ""
        return f"{where}{self.message}{code}"


class GraphQLErrorDetail(BaseModel):
    """One entry of the top-level ``errors`` list."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message: str
    code: str | None = None
    path: list[str | int] | None = None

    @classmethod
    def from_wire(cls, raw: Any) -> GraphQLErrorDetail:
        if not isinstance(raw, dict):
            return cls(message=str(raw))
        extensions = raw.get("extensions")
        code = extensions.get("code") if isinstance(extensions, dict) else None
        return cls(message=str(raw.get("message", raw)), code=code, path=raw.get("path"))


class ShopifyError(Exception):
    """Base of every error raised by :mod:`tools.shopify`."""


class ShopifyAuthenticationError(ShopifyError):
    """The access token (or the client credentials that mint it) was rejected."""


class ShopifyAccessDeniedError(ShopifyError):
    """HTTP 403 or ``ACCESS_DENIED``: the app lacks a scope for this operation."""


class ShopifyThrottledError(ShopifyError):
    """Still throttled (``THROTTLED`` or HTTP 429) after the configured number of attempts."""


class ShopifyServerError(ShopifyError):
    """Shopify kept failing (5xx or transport errors), or a retry would not have been safe."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ShopifyRequestError(ShopifyError):
    """A client-side HTTP failure other than auth (400, 402 frozen shop, 404, 423 locked shop)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class ShopifyGraphQLError(ShopifyError):
    """Top-level GraphQL ``errors`` (syntax, validation, ``MAX_COST_EXCEEDED``, …)."""

    def __init__(
        self, errors: Sequence[GraphQLErrorDetail], *, data: dict[str, Any] | None = None
    ) -> None:
        self.errors = list(errors)
        self.data = data
        first = self.errors[0] if self.errors else GraphQLErrorDetail(message="unknown error")
        more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        code = f" [{first.code}]" if first.code else ""
        super().__init__(f"Shopify GraphQL error{code}: {_one_line(first.message)}{more}")

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors if e.code]


class ShopifyUserError(ShopifyError):
    """A mutation answered with ``userErrors``: the input was refused, nothing was applied."""

    def __init__(self, mutation: str, errors: Sequence[UserErrorDetail]) -> None:
        self.mutation = mutation
        self.errors = list(errors)
        detail = "; ".join(_one_line(str(e)) for e in self.errors) or "no detail"
        super().__init__(f"{mutation} failed: {detail}")

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors if e.code]


def _one_line(text: str) -> str:
    return " ".join(text.split())
