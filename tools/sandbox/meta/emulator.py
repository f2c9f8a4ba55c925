"""The Meta Marketing API emulator: state, Graph API routes and the delivery knob together."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from tools.ads.meta import SANDBOX_TOKEN
from tools.sandbox.clock import EmulatorClock
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.meta.routes import build_router
from tools.sandbox.meta.store import GraphError, MetaStore


class DeliveryInput(BaseModel):
    """Simulated results for one ad (added to what it already had)."""

    model_config = ConfigDict(extra="forbid")

    ad_id: str
    spend: Decimal = Field(ge=0, decimal_places=2)
    purchases: int = Field(default=0, ge=0)
    purchase_value: Decimal = Field(default=Decimal(0), ge=0, decimal_places=2)


class MetaEmulator:
    """Mounted at ``/meta``: the Graph API base URL is ``{sandbox}/meta``."""

    name = "meta"

    def __init__(self, context: SandboxContext) -> None:
        self.clock = EmulatorClock()
        self.store = MetaStore(context.ledger, self.clock)
        self._router = build_router(self.store, frozenset({SANDBOX_TOKEN}))
        self._admin_router = self._build_admin()

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def reset(self) -> None:
        self.clock.reset()
        self.store.reset()

    def _build_admin(self) -> APIRouter:
        router = APIRouter()

        @router.post("/deliver")
        async def deliver(body: DeliveryInput) -> dict[str, object]:
            try:
                done = self.store.deliver(
                    body.ad_id, body.spend, body.purchases, body.purchase_value
                )
            except GraphError as exc:
                raise HTTPException(404, detail=exc.message) from exc
            return {
                "ad_id": body.ad_id,
                "spend_minor": done.spend_minor,
                "purchases": done.purchases,
                "value_minor": done.value_minor,
            }

        @router.get("/spend")
        async def spend() -> dict[str, object]:
            return {"total_spend_minor": self.store.total_spend_minor()}

        return router
