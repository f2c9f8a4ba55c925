"""The Zendesk emulator: state, the API router and the sandbox knobs together."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tools.helpdesk.zendesk import SANDBOX_EMAIL, SANDBOX_TOKEN
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.zendesk.routes import build_router
from tools.sandbox.zendesk.seed import seed_store
from tools.sandbox.zendesk.store import ZendeskStore


class CustomerMessage(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(default="Customer", max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    subject: str = Field(default="", max_length=200)
    ticket_id: int | None = None


class ZendeskEmulator:
    """Mounted at ``/zendesk``: the API base URL is ``{sandbox}/zendesk/api/v2``."""

    name = "zendesk"

    def __init__(self, context: SandboxContext) -> None:
        self.seed = context.seed
        self.store = ZendeskStore(context.ledger)
        seed_store(self.store, self.seed)
        self._router = build_router(self.store, SANDBOX_EMAIL, SANDBOX_TOKEN)
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

    def message(self, message: CustomerMessage) -> dict[str, Any]:
        """A customer writes: the ticket, the comment and the webhook event Zendesk sends."""
        ticket, comment = self.store.customer_message(
            message.email,
            message.name,
            message.body,
            subject=message.subject,
            ticket_id=message.ticket_id,
        )
        return {
            "ticket_id": ticket.id,
            "comment_id": comment.id,
            "event": self.store.comment_added_event(ticket, comment),
        }

    def _build_admin_router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/messages")
        async def customer_message(message: CustomerMessage) -> dict[str, Any]:
            return self.message(message)

        return router
