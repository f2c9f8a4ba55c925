"""What every service emulator provides to the sandbox app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter

from tools.sandbox.faults import FaultInjector
from tools.sandbox.ledger import MutationLedger


@dataclass(frozen=True)
class SandboxContext:
    """Shared by all emulators of one sandbox: its seed, fault injector and mutation ledger."""

    seed: int
    faults: FaultInjector
    ledger: MutationLedger


class Emulator(Protocol):
    """One emulated service, mounted under ``/{name}``."""

    name: str

    @property
    def router(self) -> APIRouter:
        """The service's own endpoints, mounted at ``/{name}`` behind fault injection."""
        ...

    @property
    def admin_router(self) -> APIRouter | None:
        """Extra sandbox knobs (limits, bulk seeding), mounted at ``/_sandbox/{name}``."""
        ...

    def reset(self) -> None:
        """Return to the seeded demo state."""
        ...
