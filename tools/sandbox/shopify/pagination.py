"""Relay cursor pagination as Shopify does it: opaque cursors, at most 250 nodes per page.

A cursor is base64 JSON of the last node's sort value and id (the shape Shopify's own cursors
decode to), so paging stays correct while records are added or removed between pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tools.sandbox.shopify.errors import ShopifyError

T = TypeVar("T")
SortValue = str | int
SortKey = tuple[SortValue, int]

MAX_PAGE_SIZE = 250


@dataclass(frozen=True)
class Edge(Generic[T]):
    cursor: str
    node: T


@dataclass(frozen=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True)
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @property
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(key: SortKey) -> str:
    value, last_id = key
    raw = json.dumps({"last_id": last_id, "last_value": value}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value, last_id = data["last_value"], data["last_id"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ShopifyError("Invalid cursor for current pagination sort.", "BAD_REQUEST") from exc
    if not isinstance(last_id, int) or not isinstance(value, str | int):
        raise ShopifyError("Invalid cursor for current pagination sort.", "BAD_REQUEST")
    return value, last_id


def check_page_size(first: int | None, last: int | None) -> None:
    """Shopify's rules for ``first`` / ``last``: one is required, 0..250."""
    if first is None and last is None:
        raise ShopifyError("you must provide one of first or last", "BAD_REQUEST")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise ShopifyError(
                f"The value of `{name}` ({value}) must be between 0 and {MAX_PAGE_SIZE}.",
                "BAD_REQUEST",
                extra={"argumentName": name, "maximumPageSize": MAX_PAGE_SIZE},
            )


def _after(key: SortKey, cursor: SortKey, reverse: bool) -> bool:
    if type(key[0]) is not type(cursor[0]):
        raise ShopifyError("Invalid cursor for current pagination sort.", "BAD_REQUEST")
    return key < cursor if reverse else key > cursor


def paginate(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    args: dict[str, Any],
) -> Connection[T]:
    """One page of ``items`` ordered by ``key`` under the connection arguments ``args``."""
    first, last = args.get("first"), args.get("last")
    check_page_size(first, last)
    reverse = bool(args.get("reverse"))
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    if reverse:
        keyed.reverse()
    start, end = 0, len(keyed)
    if (after := args.get("after")) is not None:
        cursor = decode_cursor(after)
        start = next((i for i, (k, _) in enumerate(keyed) if _after(k, cursor, reverse)), end)
    if (before := args.get("before")) is not None:
        cursor = decode_cursor(before)
        end = next(
            (i for i, (k, _) in enumerate(keyed) if i >= start and not _after(cursor, k, reverse)),
            end,
        )
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    window = keyed[start:end]
    edges = [Edge(encode_cursor(k), item) for k, item in window]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=end < len(keyed),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
