"""Cursor pagination over GraphQL connections as async iterators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from tools.shopify.errors import GraphQLErrorDetail, ShopifyGraphQLError
from tools.shopify.models.common import PageInfo

T = TypeVar("T")

MAX_PAGE_SIZE = 250

#: Fetches one page: (cursor or None, page size) -> (items, page info).
FetchPage = Callable[[str | None, int], Awaitable[tuple[list[T], PageInfo]]]


def check_page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def check_limit(limit: int | None) -> int | None:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    return limit


async def paginate(
    fetch: FetchPage[T], *, page_size: int, limit: int | None = None
) -> AsyncIterator[T]:
    """Yield items page by page (``after: endCursor`` while ``hasNextPage``), up to ``limit``."""
    cursor: str | None = None
    remaining = limit
    while remaining is None or remaining > 0:
        first = page_size if remaining is None else min(page_size, remaining)
        items, page = await fetch(cursor, first)
        for item in items[:first]:
            yield item
        if remaining is not None:
            remaining -= min(len(items), first)
        if not page.has_next_page or not page.end_cursor or not items:
            return
        cursor = page.end_cursor


def connection(data: dict[str, Any], path: Sequence[str]) -> tuple[list[Any], PageInfo]:
    """The ``nodes`` and ``pageInfo`` of the connection at ``path`` in ``data``."""
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get("nodes"), list):
        where = ".".join(path)
        raise ShopifyGraphQLError([GraphQLErrorDetail(message=f"no connection at {where}")])
    return node["nodes"], PageInfo.model_validate(node.get("pageInfo") or {"hasNextPage": False})
