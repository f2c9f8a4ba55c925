"""Judge.me's REST API v1 over httpx: reviews, review requests and public replies.

Authentication is the private API token and the shop's ``myshopify.com`` domain as query
parameters (``api_token``, ``shop_domain``), as Judge.me documents. Lists page with ``page`` and
``per_page`` and answer ``{"current_page", "per_page", "reviews": [...]}``. A public reply is
``POST /api/v1/replies`` with ``{"review_id", "send_reply_email", "reply": {"content"}}``.
A review request is ``POST /api/v1/review_requests`` with the order and customer; that shape is
our reading of Judge.me's review-request resource and is the least certain part of this adapter.
"""

from __future__ import annotations

from typing import Any

import httpx

from settings import Settings
from tools.reviews.models import Review, ReviewRequest
from tools.reviews.protocol import AlreadyReplied, ReviewsError

SANDBOX_PATH = "/judgeme/api/v1"
SANDBOX_TOKEN = "judgeme_sandbox_private_token"
SANDBOX_SHOP = "royal-equips-sandbox.myshopify.com"
PER_PAGE = 50


class JudgeMeClient:
    name = "Judge.me"

    def __init__(
        self,
        base_url: str,
        token: str,
        shop_domain: str,
        *,
        mode: str = "real",
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.mode = mode
        self._own = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._auth = {"api_token": token, "shop_domain": shop_domain}

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = await self._http.request(
                method, url, params={**self._auth, **(params or {})}, **kwargs
            )
        except httpx.HTTPError as exc:
            raise ReviewsError(0, f"Judge.me unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise ReviewsError(response.status_code, _error_text(response))
        return response

    async def latest_reviews(self, limit: int = 50) -> list[Review]:
        found: list[Review] = []
        page = 1
        while len(found) < limit:
            response = await self._call(
                "GET", "reviews", params={"page": page, "per_page": min(PER_PAGE, limit)}
            )
            raw = _object(response).get("reviews") or []
            found.extend(Review.model_validate(r) for r in raw)
            if len(raw) < min(PER_PAGE, limit):
                break
            page += 1
        return found[:limit]

    async def review(self, review_id: int) -> Review | None:
        try:
            response = await self._call("GET", f"reviews/{review_id}")
        except ReviewsError as exc:
            if exc.status == 404:
                return None
            raise
        raw = _object(response).get("review")
        return Review.model_validate(raw) if raw else None

    async def request_review(
        self, *, order_external_id: int, email: str, name: str | None, idempotency_key: str
    ) -> ReviewRequest:
        response = await self._call(
            "POST",
            "review_requests",
            json={
                "order_external_id": order_external_id,
                "email": email,
                "name": name or "",
                "idempotency_key": idempotency_key,
            },
        )
        body = _object(response).get("review_request") or {}
        return ReviewRequest(
            id=int(body["id"]),
            order_external_id=int(body["order_external_id"]),
            email=str(body["email"]),
            created=response.status_code == 201,
        )

    async def reply(self, review_id: int, content: str) -> int:
        try:
            response = await self._call(
                "POST",
                "replies",
                json={
                    "review_id": review_id,
                    "send_reply_email": False,
                    "reply": {"content": content},
                },
            )
        except ReviewsError as exc:
            if exc.status == 422 and "already" in str(exc).lower():
                raise AlreadyReplied(exc.status, str(exc)) from exc
            raise
        return int((_object(response).get("reply") or {})["id"])


def _object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ReviewsError(response.status_code, "Judge.me answered with non-JSON") from exc
    if not isinstance(body, dict):
        raise ReviewsError(response.status_code, "Judge.me answered with a non-object body")
    return body


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)[:300]
    return str(body)[:300]


def build_reviews(settings: Settings, *, sandbox_url: str | None = None) -> JudgeMeClient:
    """The real Judge.me when its private token and shop domain are set, else the sandbox."""
    token = settings.judgeme_api_token
    if token is not None and settings.judgeme_shop_domain:
        return JudgeMeClient(
            settings.judgeme_base_url, token.get_secret_value(), settings.judgeme_shop_domain
        )
    base = (sandbox_url or settings.sandbox_url).rstrip("/") + SANDBOX_PATH
    return JudgeMeClient(base, SANDBOX_TOKEN, SANDBOX_SHOP, mode="sandbox")
