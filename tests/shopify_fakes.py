"""Test doubles for the Shopify client: a fake clock whose sleep records and advances time."""

from __future__ import annotations


class FakeClock:
    """``clock()`` returns fake seconds; ``await clock.sleep(s)`` records ``s`` and moves on."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
