"""The ``Link`` header GitHub uses for pagination (``<url>; rel="next"``)."""

from __future__ import annotations

import re

_LINK = re.compile(r"<(?P<url>[^>]*)>\s*;\s*(?P<params>[^,<]*)")
_REL = re.compile(r'rel\s*=\s*"?(?P<rel>[^";]+)"?')


def parse_link_header(header: str | None) -> dict[str, str]:
    """Map each ``rel`` (next, prev, first, last) to its URL."""
    links: dict[str, str] = {}
    if not header:
        return links
    for match in _LINK.finditer(header):
        rel = _REL.search(match.group("params"))
        if rel is not None:
            for name in rel.group("rel").split():
                links[name] = match.group("url")
    return links
