"""Reading JSON request bodies the way GitHub validates them.

GitHub checks bodies against a JSON schema and answers 400 for unparsable JSON and 422
``Invalid request.`` for a missing or mistyped property; these helpers reproduce that, so the
emulator never lets a bad body reach its state (or turn into a 500).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from tools.sandbox.github.errors import DOCS, ApiError, invalid_request

Body = dict[str, Any]


async def read_body(request: Request, documentation_url: str = DOCS) -> Body:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Problems parsing JSON", documentation_url=documentation_url) from exc
    if not isinstance(data, dict):
        raise ApiError(400, "Problems parsing JSON", documentation_url=documentation_url)
    return data


def required_str(body: Body, name: str, documentation_url: str = DOCS) -> str:
    if name not in body or body[name] is None:
        raise invalid_request(f'"{name}" wasn\'t supplied.', documentation_url)
    return _string(body, name, documentation_url)


def optional_str(body: Body, name: str, documentation_url: str = DOCS) -> str | None:
    if body.get(name) is None:
        return None
    return _string(body, name, documentation_url)


def optional_bool(body: Body, name: str, documentation_url: str = DOCS) -> bool | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid_request(
            f"For 'properties/{name}', {json.dumps(value)} is not a boolean.", documentation_url
        )
    return value


def optional_actor(body: Body, name: str, documentation_url: str = DOCS) -> tuple[str, str] | None:
    """A ``{name, email}`` object such as ``committer``."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_request(
            f"For 'properties/{name}', {json.dumps(value)} is not an object.", documentation_url
        )
    for key in ("name", "email"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise invalid_request(f'"{key}" wasn\'t supplied.', documentation_url)
    return value["name"], value["email"]


def _string(body: Body, name: str, documentation_url: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise invalid_request(
            f"For 'properties/{name}', {json.dumps(value)} is not a string.", documentation_url
        )
    return value
