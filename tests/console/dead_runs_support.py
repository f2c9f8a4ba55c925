"""Helpers of the Dead runs tests: start a run of the crash graph, wait until it is dead."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx


def start(url: str, thread_id: str, where: Path, crash: str = "reset") -> str:
    answer = httpx.post(
        f"{url}/threads/{thread_id}/runs",
        json={
            "assistant_id": "crashy",
            "input": {"dir": str(where), "crash": crash},
            "if_not_exists": "create",
            "durability": "sync",
        },
        timeout=30,
    )
    answer.raise_for_status()
    run_id: str = answer.json()["run_id"]
    return run_id


def wait_dead(url: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed: list[dict[str, Any]] = httpx.get(f"{url}/api/v1/runs/dead", timeout=10).json()
        for run in listed:
            if run["run_id"] == run_id:
                return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} is not dead after a minute")


def joined(url: str, thread_id: str, run_id: str) -> Any:
    answer = httpx.get(f"{url}/threads/{thread_id}/runs/{run_id}/join", timeout=60)
    answer.raise_for_status()
    return answer.json()
