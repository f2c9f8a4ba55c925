"""Read the facts a rendered prompt carries, for the offline model's responders.

Prompts render structured inputs as indented JSON under a heading, so a deterministic
responder can answer from the same facts a real model reads, with no side channel.
"""

from __future__ import annotations

import json
from typing import Any

_DECODER = json.JSONDecoder()


def json_after(text: str, heading: str) -> Any:
    """The first JSON value after ``heading`` in ``text`` (None if absent or malformed)."""
    start = text.find(heading)
    if start < 0:
        return None
    position = start + len(heading)
    while position < len(text) and text[position] not in "[{":
        if text[position] == "\n" and text[position + 1 : position + 2] == "-":
            return None  # the next bullet: this heading had no JSON value
        position += 1
    try:
        value, _ = _DECODER.raw_decode(text, position)
    except ValueError:
        return None
    return value
