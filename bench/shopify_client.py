"""Shopify client throughput and per-call overhead against an in-process sandbox.

    uv run python -m bench.shopify_client [--seconds 2] [--redis-url redis://127.0.0.1:6379/15]

For each scenario it prints calls per second, mean latency, and the client's mean overhead per
call: the time ``execute()`` took minus the time raw httpx spent posting that same request
(timed inside the client's own ``httpx.AsyncClient.post``) minus any bucket or retry wait. That
is the cost of the client's own machinery (documents, bucket, retry loop, parsing), free of the
sandbox's latency noise. "Throttling off" gives the sandbox a huge bucket; "throttling on" a small
one (10 points, 10 per second), where throughput is bounded by restoreRate / query cost and the
client's bucket should make Shopify's THROTTLED answers rare. Runs in under 30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from tools.sandbox import Sandbox, SandboxServer
from tools.shopify import SANDBOX_ACCESS_TOKEN, RedisCostBucket, ShopifyClient, ShopifyConfig

QUERY = "query ShopName { shop { id name } }"  # requested cost 1
SMALL_BUCKET = {"maximumAvailable": 10.0, "restoreRate": 10.0}
HUGE_BUCKET = {"maximumAvailable": 1e9, "restoreRate": 1e9}


#: Seconds the current call spent in raw httpx posts and in sleeps (one list per worker task).
_posted: ContextVar[list[float]] = ContextVar("posted")
_slept: ContextVar[list[float]] = ContextVar("slept")


class TimedHTTP(httpx.AsyncClient):
    """An httpx client that records how long each raw ``post`` took, per calling task."""

    async def post(self, *args: Any, **kwargs: Any) -> httpx.Response:
        start = time.perf_counter()
        try:
            return await super().post(*args, **kwargs)
        finally:
            _posted.get().append(time.perf_counter() - start)


async def timed_sleep(seconds: float) -> None:
    """The client's sleep, measured as actually slept (timers overshoot a little)."""
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    _slept.get().append(time.perf_counter() - start)


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)
    throttled: int = 0
    waited: float = 0.0

    def row(self) -> str:
        calls = len(self.latencies)
        return (
            f"{self.name:<36}{calls / self.seconds:9.1f}"
            f"{statistics.fmean(self.latencies) * 1e3:11.2f} ms"
            f"{statistics.fmean(self.overheads) * 1e6:9.0f} µs"
            f"{self.throttled:11d}{self.waited:9.2f} s"
        )


async def measured_call(client: ShopifyClient, result: Result) -> None:
    """One ``execute``; its overhead excludes the raw posts it made and the waits it took."""
    posted = _posted.set([])
    slept = _slept.set([])
    start = time.perf_counter()
    await client.execute(QUERY)
    latency = time.perf_counter() - start
    result.latencies.append(latency)
    result.overheads.append(latency - sum(_posted.get()) - sum(_slept.get()))
    _posted.reset(posted)
    _slept.reset(slept)


async def scenario(name: str, clients: list[ShopifyClient], seconds: float, workers: int) -> Result:
    """``workers`` loops per client, each calling until the time is up."""
    result = Result(name)
    deadline = time.perf_counter() + seconds

    async def worker(client: ShopifyClient) -> None:
        while time.perf_counter() < deadline:
            await measured_call(client, result)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients for _ in range(workers)))
    result.seconds = time.perf_counter() - start
    result.throttled = sum(c.stats.throttled for c in clients)
    result.waited = sum(c.stats.waited_seconds for c in clients)
    return result


async def run(server: SandboxServer, seconds: float, redis_url: str | None) -> list[Result]:
    config = ShopifyConfig(
        shop_url=f"{server.url}/shopify", access_token=SecretStr(SANDBOX_ACCESS_TOKEN)
    )
    plan: list[tuple[str, dict[str, float], int, int, bool]] = [
        # name, sandbox limits, clients, workers per client, shared Redis bucket
        ("throttling off, sequential", HUGE_BUCKET, 1, 1, False),
        ("throttling off, 8 concurrent", HUGE_BUCKET, 1, 8, False),
        ("throttling on, sequential", SMALL_BUCKET, 1, 1, False),
        ("throttling on, 8 concurrent", SMALL_BUCKET, 1, 8, False),
    ]  # fmt: skip
    if redis_url:
        plan.append(("throttling on, 2 clients x 4, Redis", SMALL_BUCKET, 2, 4, True))
    results: list[Result] = []
    async with httpx.AsyncClient(base_url=server.url) as admin:
        for name, limits, n_clients, workers, shared in plan:
            response = await admin.put("/_sandbox/shopify/limits", json=limits)
            response.raise_for_status()
            http = TimedHTTP(timeout=30)
            buckets = [
                RedisCostBucket.from_url(redis_url, f"bench-{server.port}")
                for _ in range(n_clients)
                if shared and redis_url
            ]
            clients = [
                ShopifyClient(
                    config, http=http, bucket=buckets[i] if buckets else None, sleep=timed_sleep
                )
                for i in range(n_clients)
            ]
            for client in clients:  # connection and cost estimate warmed up, bucket learnt
                _posted.set([])
                _slept.set([])
                await client.execute(QUERY)
                client.stats.reset()
            results.append(await scenario(name, clients, seconds, workers))
            for client in clients:
                await client.aclose()
            for bucket in buckets:
                await bucket.aclose()
            await http.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each scenario")
    parser.add_argument("--redis-url", default=None, help="also run with a shared Redis bucket")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # retries are counted in the table, not logged
    with SandboxServer(Sandbox()) as server:
        results = asyncio.run(run(server, args.seconds, args.redis_url))
    print(f"Shopify client against the in-process sandbox ({QUERY!r}, cost 1)")
    print(
        f"{'scenario':<36}{'calls/s':>9}{'mean latency':>14}{'overhead':>12}"
        f"{'THROTTLED':>11}{'waited':>11}"
    )
    for result in results:
        print(result.row())
    print(
        "overhead: mean per call of execute() time - raw httpx post time of the same request"
        " - bucket/retry waits; waited: total seconds all workers spent waiting"
    )


if __name__ == "__main__":
    main()
