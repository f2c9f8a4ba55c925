"""The sandbox ASGI app: every emulator under its prefix, fault injection, and an admin API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response

from tools.sandbox.emulator import Emulator, SandboxContext
from tools.sandbox.faults import FaultInjector, FaultSettings
from tools.sandbox.ledger import MutationLedger
from tools.sandbox.registry import DEFAULT_EMULATORS

ADMIN_PREFIX = "/_sandbox"


class Sandbox:
    """A set of emulators sharing one context; resettable as a whole."""

    def __init__(
        self, seed: int = 7, emulators: Sequence[Callable[[SandboxContext], Emulator]] | None = None
    ) -> None:
        self.context = SandboxContext(
            seed=seed, faults=FaultInjector(seed), ledger=MutationLedger()
        )
        factories = DEFAULT_EMULATORS if emulators is None else emulators
        self.emulators: dict[str, Emulator] = {}
        for factory in factories:
            emulator = factory(self.context)
            self.emulators[emulator.name] = emulator

    @property
    def faults(self) -> FaultInjector:
        return self.context.faults

    @property
    def ledger(self) -> MutationLedger:
        return self.context.ledger

    def reset(self) -> None:
        for emulator in self.emulators.values():
            emulator.reset()
        self.context.faults.reset()
        self.context.ledger.reset()


def create_sandbox_app(sandbox: Sandbox | None = None) -> FastAPI:
    """Build the ASGI app serving ``sandbox`` (a fresh seeded one by default)."""
    sandbox = sandbox or Sandbox()
    app = FastAPI(title="Royal Orchestrator sandbox", docs_url=f"{ADMIN_PREFIX}/docs")
    app.state.sandbox = sandbox
    for name, emulator in sandbox.emulators.items():
        app.include_router(emulator.router, prefix=f"/{name}")
        if emulator.admin_router is not None:
            app.include_router(emulator.admin_router, prefix=f"{ADMIN_PREFIX}/{name}")

    @app.middleware("http")
    async def inject_faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        service = request.url.path.strip("/").split("/", 1)[0]
        if service in sandbox.emulators:
            failure = await sandbox.faults.intercept(service)
            if failure is not None:
                return failure
            writes = len(sandbox.ledger.records())
            answer = await call_next(request)
            if len(sandbox.ledger.records()) > writes:  # this request applied a write
                await sandbox.faults.delay_answer(service)
            return answer
        return await call_next(request)

    @app.get(f"{ADMIN_PREFIX}/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "services": sorted(sandbox.emulators)}

    @app.post(f"{ADMIN_PREFIX}/reset")
    async def reset() -> dict[str, str]:
        sandbox.reset()
        return {"status": "reset"}

    @app.get(f"{ADMIN_PREFIX}/faults")
    async def get_faults() -> dict[str, FaultSettings]:
        return {name: sandbox.faults.get(name) for name in sandbox.emulators}

    @app.put(f"{ADMIN_PREFIX}/faults/{{service}}")
    async def put_faults(service: str, faults: FaultSettings) -> FaultSettings:
        if service not in sandbox.emulators:
            raise HTTPException(404, detail=f"unknown service {service!r}")
        sandbox.faults.set(service, faults)
        return faults

    @app.get(f"{ADMIN_PREFIX}/mutations")
    async def mutations() -> dict[str, Any]:
        return {
            "counts": sandbox.ledger.counts(),
            "records": [r.model_dump(mode="json") for r in sandbox.ledger.records()],
        }

    return app
