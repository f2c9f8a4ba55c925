"""The Klaviyo API subset the client uses (revision 2024-10-15), with JSON:API error bodies.

``GET /api/profiles`` (``filter=equals(email,"…")`` or ``any(email,["…",…])``,
``additional-fields[profile]=subscriptions``, ``page[size]``, ``page[cursor]``) and
``GET /api/events`` (``filter=equals(profile_id,"…")``, ``page[size]``, ``page[cursor]``) and
``POST /api/events`` (202, empty body). Every call needs ``Authorization: Klaviyo-API-Key …``
and a ``revision`` header.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tools.sandbox.klaviyo.store import KlaviyoError, KlaviyoStore

JSON_API = "application/vnd.api+json"
_EQUALS = re.compile(r'^equals\(email,"([^"]+)"\)$')
_PROFILE = re.compile(r'^equals\(profile_id,"([^"]+)"\)$')
_ANY = re.compile(r"^any\(email,(\[.*\])\)$")


def _error(exc: KlaviyoError) -> Response:
    item: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "status": exc.status,
        "code": exc.code,
        "title": exc.title,
        "detail": exc.detail,
        "source": {"pointer": exc.pointer or "/data/"},
    }
    return JSONResponse({"errors": [item]}, exc.status, media_type=JSON_API)


def _emails(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    if found := _EQUALS.match(raw):
        return [found.group(1).lower()]
    if found := _ANY.match(raw):
        try:
            values = json.loads(found.group(1))
        except ValueError:
            values = None
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return [v.lower() for v in values]
    raise KlaviyoError(400, "invalid", "Invalid filter provided.", f"bad filter {raw!r}")


def _string(value: Any, pointer: str) -> str:
    if not isinstance(value, str) or not value:
        raise KlaviyoError(400, "invalid", "Invalid input.", f"{pointer} is required", pointer)
    return value


def build_router(store: KlaviyoStore, api_key: str) -> APIRouter:
    router = APIRouter(prefix="/api")

    def authorize(request: Request) -> None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Klaviyo-API-Key" or not key:
            raise KlaviyoError(
                401,
                "not_authenticated",
                "Authentication credentials were not provided.",
                "Missing or invalid authorization scheme. Please use Klaviyo-API-Key.",
            )
        if key.strip() != api_key:
            raise KlaviyoError(
                401, "authentication_failed", "Incorrect authentication credentials.", ""
            )
        if not request.headers.get("revision"):
            raise KlaviyoError(
                400, "invalid", "Invalid input.", "The revision header is required.", "/revision"
            )

    @router.get("/profiles")
    @router.get("/profiles/")
    async def list_profiles(request: Request) -> Response:
        params = request.query_params
        try:
            authorize(request)
            emails = _emails(params.get("filter"))
            size = int(params.get("page[size]", "20"))
            start = int(params.get("page[cursor]", "0") or 0)
            if not 1 <= size <= 100:
                raise KlaviyoError(400, "invalid", "Invalid input.", "page[size] is 1 to 100")
        except ValueError:
            return _error(KlaviyoError(400, "invalid", "Invalid input.", "bad page parameter"))
        except KlaviyoError as exc:
            return _error(exc)
        extra = params.get("additional-fields[profile]", "")
        profiles = [p for p in store.sorted_profiles() if emails is None or p.email in set(emails)]
        page = profiles[start : start + size]
        base = str(request.url.remove_query_params("page[cursor]"))
        more = start + size < len(profiles)
        sep = "&" if "?" in base else "?"
        return JSONResponse(
            {
                "data": [p.json(subscriptions="subscriptions" in extra) for p in page],
                "links": {
                    "self": str(request.url),
                    "next": f"{base}{sep}page%5Bcursor%5D={start + size}" if more else None,
                    "prev": None,
                },
            },
            media_type=JSON_API,
        )

    @router.get("/events")
    @router.get("/events/")
    async def list_events(request: Request) -> Response:
        params = request.query_params
        try:
            authorize(request)
            found = _PROFILE.match(params.get("filter") or "")
            if found is None:
                raise KlaviyoError(
                    400, "invalid", "Invalid filter provided.", "filter on profile_id"
                )
            size = int(params.get("page[size]", "200"))
            start = int(params.get("page[cursor]", "0") or 0)
            if not 1 <= size <= 1000:
                raise KlaviyoError(400, "invalid", "Invalid input.", "page[size] is 1 to 1000")
        except ValueError:
            return _error(KlaviyoError(400, "invalid", "Invalid input.", "bad page parameter"))
        except KlaviyoError as exc:
            return _error(exc)
        events = store.events_of(found.group(1))
        page = events[start : start + size]
        base = str(request.url.remove_query_params("page[cursor]"))
        sep = "&" if "?" in base else "?"
        more = start + size < len(events)
        return JSONResponse(
            {
                "data": [store.event_json(key, event) for key, event in page],
                "links": {
                    "self": str(request.url),
                    "next": f"{base}{sep}page%5Bcursor%5D={start + size}" if more else None,
                    "prev": None,
                },
            },
            media_type=JSON_API,
        )

    @router.post("/events")
    @router.post("/events/")
    async def create_event(request: Request) -> Response:
        try:
            authorize(request)
            body = await request.json()
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict) or data.get("type") != "event":
                raise KlaviyoError(
                    400, "invalid", "Invalid input.", "data.type must be 'event'", "/data/type"
                )
            attributes = data.get("attributes") or {}
            metric = ((attributes.get("metric") or {}).get("data") or {}).get("attributes") or {}
            profile = ((attributes.get("profile") or {}).get("data") or {}).get("attributes")
            name = _string(metric.get("name"), "/data/attributes/metric/data/attributes/name")
            email = _string(
                (profile or {}).get("email"), "/data/attributes/profile/data/attributes/email"
            )
            properties = attributes.get("properties")
            if not isinstance(properties, dict):
                raise KlaviyoError(
                    400,
                    "invalid",
                    "Invalid input.",
                    "properties must be an object",
                    "/data/attributes/properties",
                )
            unique_id = attributes.get("unique_id")
            store.create_event(
                name, email, properties, str(unique_id) if unique_id is not None else None
            )
        except ValueError:
            return _error(KlaviyoError(400, "invalid", "Invalid input.", "body is not JSON"))
        except KlaviyoError as exc:
            return _error(exc)
        return Response(status_code=202)

    return router
