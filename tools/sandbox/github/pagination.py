"""``page``/``per_page`` slicing and the ``Link`` header, as GitHub paginates lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from starlette.datastructures import URL, QueryParams

T = TypeVar("T")

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _positive_int(raw: str | None, default: int) -> int:
    """GitHub ignores unparsable paging values rather than rejecting them."""
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if value >= 1 else default


def paginate(items: Sequence[T], url: URL) -> tuple[list[T], str | None]:
    """The requested page of ``items`` and its ``Link`` header (None when one page holds all)."""
    query = QueryParams(url.query)
    per_page = min(_positive_int(query.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)
    page = _positive_int(query.get("page"), 1)
    last = max(1, -(-len(items) // per_page))
    start = (page - 1) * per_page
    chunk = list(items[start : start + per_page])
    links: list[str] = []
    if page < last:
        links.append(f'<{url.include_query_params(page=page + 1)}>; rel="next"')
        links.append(f'<{url.include_query_params(page=last)}>; rel="last"')
    if page > 1:
        links.append(f'<{url.include_query_params(page=1)}>; rel="first"')
        links.append(f'<{url.include_query_params(page=min(page - 1, last))}>; rel="prev"')
    return chunk, ", ".join(links) or None
