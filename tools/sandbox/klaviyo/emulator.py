"""The Klaviyo emulator: state, the API router and the sandbox knobs together."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tools.email.klaviyo import SANDBOX_API_KEY
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.klaviyo.routes import build_router
from tools.sandbox.klaviyo.seed import seed_store
from tools.sandbox.klaviyo.store import KlaviyoStore


class Unsubscribe(BaseModel):
    email: str = Field(min_length=3, max_length=254)


class KlaviyoEmulator:
    """Mounted at ``/klaviyo``: the API base URL is ``{sandbox}/klaviyo/api``."""

    name = "klaviyo"

    def __init__(self, context: SandboxContext) -> None:
        self.seed = context.seed
        self.store = KlaviyoStore(context.ledger)
        seed_store(self.store, self.seed)
        self._router = build_router(self.store, SANDBOX_API_KEY)
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

    def _build_admin_router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/emails")
        async def emails() -> dict[str, Any]:
            """What the flows sent (and skipped, with Klaviyo's reason)."""
            return {"emails": [vars(e) for e in self.store.emails]}

        @router.post("/unsubscribe")
        async def unsubscribe(body: Unsubscribe) -> dict[str, Any]:
            """A customer clicks "unsubscribe" in an email."""
            return self.store.unsubscribe(body.email).json(subscriptions=True)

        return router
