"""The Judge.me REST API v1 subset the client uses, with Judge.me's error bodies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from tools.sandbox.judgeme.store import JudgeMeError, JudgeMeStore

MAX_PER_PAGE = 100


def build_router(store: JudgeMeStore, token: str, shop: str) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    def authorize(request: Request) -> None:
        given = request.query_params.get("api_token") or request.headers.get("X-Api-Token")
        if request.query_params.get("shop_domain") != shop:
            raise JudgeMeError(404, "Shop not found")
        if given != token:
            raise JudgeMeError(401, "Invalid api_token")

    def error(exc: JudgeMeError) -> Response:
        return JSONResponse({"error": exc.error}, exc.status)

    @router.get("/reviews")
    async def list_reviews(request: Request) -> Response:
        try:
            authorize(request)
            page = max(int(request.query_params.get("page", "1")), 1)
            per_page = min(max(int(request.query_params.get("per_page", "10")), 1), MAX_PER_PAGE)
        except JudgeMeError as exc:
            return error(exc)
        except ValueError:
            return error(JudgeMeError(422, "page and per_page must be numbers"))
        reviews = [r.json() for r in store.page(page, per_page)]
        return JSONResponse({"current_page": page, "per_page": per_page, "reviews": reviews})

    @router.get("/reviews/{review_id}")
    async def get_review(review_id: int, request: Request) -> Response:
        try:
            authorize(request)
            found = store.reviews.get(review_id)
            if found is None:
                raise JudgeMeError(404, "Review not found")
        except JudgeMeError as exc:
            return error(exc)
        return JSONResponse({"review": found.json()})

    @router.post("/replies")
    async def reply(request: Request) -> Response:
        try:
            authorize(request)
            body = await request.json()
            content = ((body or {}).get("reply") or {}).get("content")
            review_id = (body or {}).get("review_id")
            if not isinstance(review_id, int) or not isinstance(content, str) or not content:
                raise JudgeMeError(422, "review_id and reply.content are required")
            return JSONResponse({"reply": store.reply(review_id, content)}, 200)
        except JudgeMeError as exc:
            return error(exc)
        except (ValueError, AttributeError):
            return error(JudgeMeError(422, "body must be a JSON object"))

    @router.post("/review_requests")
    async def review_request(request: Request) -> Response:
        try:
            authorize(request)
            body = await request.json()
            order = body.get("order_external_id")
            email = body.get("email")
            if not isinstance(order, int) or not isinstance(email, str) or "@" not in email:
                raise JudgeMeError(422, "order_external_id and email are required")
            made, created = store.request(
                order, email, str(body.get("name") or ""), str(body.get("idempotency_key") or "")
            )
            return JSONResponse({"review_request": made}, 201 if created else 200)
        except JudgeMeError as exc:
            return error(exc)
        except (ValueError, AttributeError):
            return error(JudgeMeError(422, "body must be a JSON object"))

    return router
