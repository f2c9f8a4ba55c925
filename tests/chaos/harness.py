"""What every chaos test shares: publishing runs driven over real HTTP against a live API, their
outcomes counted (started, completed, errored, duplicated writes, stuck threads, recovery time)
and printed, and the checks that no fault may break.

Loads are bounded (a handful of runs, seconds of outage) so the whole suite fits CI; every
server is on loopback, and the faulted Redis and Postgres are private ones the test started.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from storage.enums import EffectStatus
from storage.runs import RunStore
from storage.schema import effects
from tools.sandbox import SandboxServer

GOAL = "Find and publish a white glossy mug"
PUBLISHED = "Published **White Glossy Mug**"
GOALS = (GOAL, "Find and publish a stainless steel water bottle")
"""Two products for tests whose runs may be re-executed mid-write (a restart, a kill): each
goal's runs are queued on one thread, so no other thread upserts that product between a write
and its re-execution. Otherwise the other thread's upsert replaces the product's effect tag,
and the re-executed write cannot tell it landed (it applies again, harmlessly: the upsert by
handle sets the same state, but the sandbox ledger counts a second write)."""
TERMINAL = {"success", "error", "timeout", "interrupted"}
FINISH_SECONDS = 240.0


def goal_input(goal: str = GOAL) -> dict[str, Any]:
    return {"messages": [{"role": "human", "content": goal}]}


def run_body(goal: str = GOAL) -> dict[str, Any]:
    return {"assistant_id": "ceo", "input": goal_input(goal), "if_not_exists": "create"}


def answer_of(values: Any) -> str:
    """The CEO's last message in a run's final values ("" when there is none)."""
    if not isinstance(values, dict) or not values.get("messages"):
        return ""
    content = values["messages"][-1].get("content", "")
    return content if isinstance(content, str) else json.dumps(content)


def sse_events(text: str) -> list[tuple[str, Any]]:
    """``(event, data)`` pairs of a server-sent event stream."""
    found: list[tuple[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if name:
            found.append((name, json.loads("\n".join(data)) if data else None))
    return found


@dataclass
class Figures:
    """One fault's outcome, printed for the closing note and asserted by the test."""

    fault: str
    started: int = 0
    completed: int = 0
    errored: int = 0
    duplicated: int = 0
    stuck: int = 0
    recovery_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    async def tally(
        self,
        statuses: dict[str, str],
        sandbox: SandboxServer,
        store: RunStore,
        *,
        followed: int = 0,
    ) -> None:
        """Count the runs' outcomes (``followed``: runs streamed or waited on, all completed,
        which the caller checked), the writes beyond one per run and the threads left busy;
        no effect may be left ``STARTED``."""
        self.started = len(statuses) + followed
        self.completed = sum(s == "success" for s in statuses.values()) + followed
        self.errored = sum(s == "error" for s in statuses.values())
        self.duplicated = duplicated_writes(sandbox, self.started)
        self.stuck = await stuck_threads(store)
        assert await started_effects(store) == 0

    def report(self) -> str:
        line = (
            f"CHAOS {self.fault}: runs started {self.started} / completed {self.completed} / "
            f"errored {self.errored} / duplicated writes {self.duplicated} / stuck threads "
            f"{self.stuck} / recovery {self.recovery_seconds:.1f} s"
        )
        print(line)  # noqa: T201 - the figures are the point of the suite
        return line


@dataclass
class Driver:
    """Starts runs on fresh threads and follows them to the end over HTTP."""

    url: str
    runs: list[tuple[str, str]] = field(default_factory=list)

    def client(self, timeout: float = 120.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=timeout)

    async def start(self, http: httpx.AsyncClient, thread_id: str, goal: str = GOAL) -> str:
        """A background run; retried while the API answers 503 (a database outage)."""
        deadline = time.monotonic() + 60
        while True:
            answer = await http.post(f"/threads/{thread_id}/runs", json=run_body(goal))
            if answer.status_code == 200:
                run_id: str = answer.json()["run_id"]
                self.runs.append((thread_id, run_id))
                return run_id
            if answer.status_code != 503 or time.monotonic() > deadline:
                raise AssertionError(f"run creation answered {answer.status_code}: {answer.text}")
            await asyncio.sleep(float(answer.headers.get("retry-after", "1")))

    async def finish(self, http: httpx.AsyncClient) -> dict[str, str]:
        """Each run's final status once every run is terminal (within ``FINISH_SECONDS``)."""
        timeout = FINISH_SECONDS
        deadline = time.monotonic() + timeout
        statuses: dict[str, str] = {}
        while time.monotonic() < deadline:
            for thread_id, run_id in self.runs:
                if statuses.get(run_id) in TERMINAL:
                    continue
                try:
                    answer = await http.get(f"/threads/{thread_id}/runs/{run_id}")
                except httpx.TransportError:
                    continue
                if answer.status_code == 200:
                    statuses[run_id] = answer.json()["status"]
            if len(statuses) == len(self.runs) and set(statuses.values()) <= TERMINAL:
                return statuses
            await asyncio.sleep(0.5)
        raise AssertionError(f"runs still not finished after {timeout}s: {statuses}")


async def stuck_threads(store: RunStore) -> int:
    """Threads still ``busy`` once every run has ended (none may be)."""
    rows, _ = await store.search_threads(status="busy", limit=1000, offset=0)
    return len(rows)


async def started_effects(store: RunStore) -> int:
    """Effects-ledger rows still ``STARTED`` (a write whose outcome nobody recorded)."""
    async with store.database.read() as connection:
        query = select(func.count()).where(effects.c.status == EffectStatus.STARTED.value)
        count: int = (await connection.execute(query)).scalar_one()
    return count


def shopify_writes(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts()
    return {k: v for k, v in counts.items() if k.startswith("shopify.")}


def duplicated_writes(sandbox: SandboxServer, runs: int) -> int:
    """Writes beyond one per run: every run upserts the mug exactly once (each run's listing
    carries its own effect tag, so a run that finds its own tag skips the write) and publishes
    it at most once (skipped when already published; concurrent runs may each publish)."""
    writes = shopify_writes(sandbox)
    return max(0, writes.get("shopify.productSet", 0) - runs) + max(
        0, writes.get("shopify.publishablePublish", 0) - runs
    )
