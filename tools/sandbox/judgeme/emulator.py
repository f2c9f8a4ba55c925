"""The Judge.me emulator: state, the API router and a knob for customers writing reviews."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tools.reviews.judgeme import SANDBOX_SHOP, SANDBOX_TOKEN
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.judgeme.routes import build_router
from tools.sandbox.judgeme.store import JudgeMeStore, seed_store


class NewReview(BaseModel):
    """What a customer writes (untrusted text, as the agent sees it)."""

    rating: int = Field(ge=1, le=5)
    title: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    product_external_id: int
    product_title: str = Field(min_length=1, max_length=200)
    product_handle: str = Field(default="", max_length=200)
    name: str = Field(default="Customer", max_length=200)
    email: str = Field(default="customer@example.com", max_length=254)


class JudgeMeEmulator:
    """Mounted at ``/judgeme``: the API base URL is ``{sandbox}/judgeme/api/v1``."""

    name = "judgeme"

    def __init__(self, context: SandboxContext) -> None:
        self.seed = context.seed
        self.store = JudgeMeStore(context.ledger)
        seed_store(self.store, self.seed)
        self._router = build_router(self.store, SANDBOX_TOKEN, SANDBOX_SHOP)
        self._admin_router = self._build_admin_router()

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def reset(self) -> None:
        self.store.clear()
        seed_store(self.store, self.seed)

    def write_review(self, review: NewReview) -> dict[str, Any]:
        return self.store.add_review(**review.model_dump()).json()

    def _build_admin_router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/reviews")
        async def write_review(review: NewReview) -> dict[str, Any]:
            return self.write_review(review)

        return router
