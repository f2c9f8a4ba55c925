"""Shared by the supplier tests: adapters pointed at the sandbox, and a fake clock.

The fake clock's ``sleep`` returns at once; it can also move the emulators' own clocks, so a
server-side rate window passes exactly when the client believes it waited.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import httpx

from tools.suppliers import (
    CJSupplier,
    PrintfulSupplier,
    Recipient,
    RetryPolicy,
)
from tools.suppliers.cj import SANDBOX_API_KEY
from tools.suppliers.printful import SANDBOX_STORE_ID, SANDBOX_TOKEN

RECIPIENT = Recipient(
    country_code="US",
    country_name="United States",
    state_code="TX",
    name="Ann Example",
    address1="1 Main St",
    city="Austin",
    zip="78701",
    phone="+1 512 555 0100",
    email="ann@example.com",
)


class FakeTime:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self, sandbox_url: str | None = None, services: Sequence[str] = ()) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []
        self._sandbox_url = sandbox_url
        self._services = tuple(services)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self._sandbox_url:
            async with httpx.AsyncClient(base_url=self._sandbox_url, verify=False) as admin:
                for service in self._services:
                    response = await admin.post(
                        f"/_sandbox/{service}/clock", json={"advance_seconds": seconds}
                    )
                    response.raise_for_status()


def cj(
    sandbox_url: str,
    *,
    api_key: str = SANDBOX_API_KEY,
    time: FakeTime | None = None,
    attempts: int = 6,
    **options: Any,
) -> CJSupplier:
    time = time or FakeTime()
    options.setdefault("requests_per_second", None)
    return CJSupplier(
        api_key,
        base_url=f"{sandbox_url}/cj/api2.0/v1",
        mode="sandbox",
        retry=RetryPolicy(max_attempts=attempts),
        clock=time.clock,
        sleep=time.sleep,
        rng=random.Random(3),
        **options,
    )


def printful(
    sandbox_url: str,
    *,
    token: str = SANDBOX_TOKEN,
    time: FakeTime | None = None,
    attempts: int = 6,
    **options: Any,
) -> PrintfulSupplier:
    time = time or FakeTime()
    options.setdefault("store_id", SANDBOX_STORE_ID)
    return PrintfulSupplier(
        token,
        base_url=f"{sandbox_url}/printful",
        mode="sandbox",
        retry=RetryPolicy(max_attempts=attempts),
        clock=time.clock,
        sleep=time.sleep,
        rng=random.Random(3),
        **options,
    )


async def admin(sandbox_url: str, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient(base_url=sandbox_url, verify=False) as client:
        response = await client.request(method, f"/_sandbox/{path}", json=body)
        response.raise_for_status()
        return response.json()
