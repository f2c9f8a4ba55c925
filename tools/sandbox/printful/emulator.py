"""The Printful emulator: state, the API router and the sandbox knobs together."""

from __future__ import annotations

from fastapi import APIRouter

from tools.sandbox.clock import EmulatorClock
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.printful.admin import build_admin_router
from tools.sandbox.printful.limits import LeakyBucket
from tools.sandbox.printful.routes import build_router
from tools.sandbox.printful.store import PrintfulStore
from tools.suppliers.printful import SANDBOX_TOKEN


class PrintfulEmulator:
    """Mounted at ``/printful``: the API base URL is ``{sandbox}/printful``."""

    name = "printful"

    def __init__(self, context: SandboxContext) -> None:
        self.clock = EmulatorClock()
        self.bucket = LeakyBucket(self.clock)
        self.store = PrintfulStore(context.seed, context.ledger, self.clock)
        self._router = build_router(self.store, self.bucket, frozenset({SANDBOX_TOKEN}))
        self._admin_router = build_admin_router(self.bucket, self.clock)

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def reset(self) -> None:
        self.clock.reset()
        self.bucket.reset()
        self.store.reset()
