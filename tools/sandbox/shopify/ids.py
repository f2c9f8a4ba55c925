"""Global ids: parsing the ``gid://shopify/<Type>/<n>`` form Shopify validates on every ID."""

from __future__ import annotations

import re

from tools.sandbox.shopify.errors import ShopifyError

_GID = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<number>\d+)(?:\?.*)?$")


def parse_gid(value: str) -> tuple[str, int]:
    """Split a global id into its type and number; malformed ids are rejected like Shopify does."""
    match = _GID.match(value)
    if match is None:
        raise ShopifyError(
            f"Invalid global id '{value}'",
            code="argumentLiteralsIncompatible",
            extra={"typeName": "CoercionError"},
        )
    return match["kind"], int(match["number"])


def number_of(value: str, kind: str) -> int | None:
    """The number of a global id of ``kind``; ``None`` when the id names another type."""
    found_kind, number = parse_gid(value)
    return number if found_kind == kind else None
