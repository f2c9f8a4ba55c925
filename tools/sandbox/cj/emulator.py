"""The CJdropshipping emulator: state, the API router and the sandbox knobs together."""

from __future__ import annotations

from fastapi import APIRouter

from tools.sandbox.cj.admin import build_admin_router
from tools.sandbox.cj.gate import CJGate
from tools.sandbox.cj.routes import build_router
from tools.sandbox.cj.store import CJStore
from tools.sandbox.clock import EmulatorClock
from tools.sandbox.emulator import SandboxContext
from tools.suppliers.cj import SANDBOX_API_KEY


class CJEmulator:
    """Mounted at ``/cj``: the API base URL is ``{sandbox}/cj/api2.0/v1``."""

    name = "cj"

    def __init__(self, context: SandboxContext) -> None:
        self.clock = EmulatorClock()
        self.gate = CJGate(self.clock, frozenset({SANDBOX_API_KEY}))
        self.store = CJStore(context.seed, context.ledger, self.clock)
        self._router = build_router(self.store, self.gate)
        self._admin_router = build_admin_router(self.gate, self.clock)

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def reset(self) -> None:
        self.clock.reset()
        self.gate.reset()
        self.store.reset()
