"""The Zendesk Support API v2 subset the client uses, with Zendesk's error bodies."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tools.sandbox.zendesk.store import BOT_ID, ZendeskError, ZendeskStore


def build_router(store: ZendeskStore, email: str, token: str) -> APIRouter:
    router = APIRouter(prefix="/api/v2")
    expected = f"{email}/token:{token}"

    def authorize(request: Request) -> None:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            given = base64.b64decode(encoded.strip()).decode() if scheme == "Basic" else ""
        except (binascii.Error, UnicodeDecodeError):
            given = ""
        if given != expected:
            raise ZendeskError(401, "Couldn't authenticate you", "Couldn't authenticate you")

    def error(exc: ZendeskError) -> Response:
        return JSONResponse({"error": exc.error, "description": exc.description}, exc.status)

    def page_params(request: Request) -> tuple[int, int]:
        try:
            size = min(int(request.query_params.get("page[size]", "100")), 100)
            after = int(request.query_params.get("page[after]", "0") or 0)
        except ValueError:
            raise ZendeskError(400, "InvalidPaginationParameter", "bad page parameter") from None
        return max(size, 1), after

    @router.get("/tickets.json")
    async def list_tickets(request: Request) -> Response:
        try:
            authorize(request)
            size, after = page_params(request)
        except ZendeskError as exc:
            return error(exc)
        page, more = store.page_of_tickets(size, after)
        meta: dict[str, Any] = {
            "has_more": more,
            "after_cursor": str(page[-1].id) if page else None,
        }
        return JSONResponse({"tickets": [t.json() for t in page], "meta": meta})

    @router.get("/tickets/{ticket_id}.json")
    async def show_ticket(ticket_id: int, request: Request) -> Response:
        try:
            authorize(request)
            return JSONResponse({"ticket": store.get(ticket_id).json()})
        except ZendeskError as exc:
            return error(exc)

    @router.get("/tickets/{ticket_id}/comments.json")
    async def list_comments(ticket_id: int, request: Request) -> Response:
        try:
            authorize(request)
            size, after = page_params(request)
            comments = [c for c in store.get(ticket_id).comments if c.id > after]
        except ZendeskError as exc:
            return error(exc)
        page = comments[:size]
        meta = {
            "has_more": len(comments) > size,
            "after_cursor": str(page[-1].id) if page else None,
        }
        return JSONResponse({"comments": [c.json() for c in page], "meta": meta})

    @router.put("/tickets/{ticket_id}.json")
    async def update_ticket(ticket_id: int, request: Request) -> Response:
        try:
            authorize(request)
            body = await request.json()
            change = body.get("ticket") if isinstance(body, dict) else None
            if not isinstance(change, dict):
                raise ZendeskError(400, "InvalidEndpoint", "body must be {'ticket': {...}}")
            return JSONResponse(store.update(ticket_id, change, BOT_ID))
        except ValueError:
            return error(ZendeskError(400, "InvalidValue", "body is not JSON"))
        except ZendeskError as exc:
            return error(exc)

    @router.get("/users/me.json")
    async def me(request: Request) -> Response:
        try:
            authorize(request)
        except ZendeskError as exc:
            return error(exc)
        return JSONResponse({"user": store.users[BOT_ID].json()})

    @router.get("/users/{user_id}.json")
    async def show_user(user_id: int, request: Request) -> Response:
        try:
            authorize(request)
        except ZendeskError as exc:
            return error(exc)
        user = store.users.get(user_id)
        if user is None:
            return error(ZendeskError(404, "RecordNotFound", "Not found"))
        return JSONResponse({"user": user.json()})

    return router
