"""Thread streaming (v3) scaled out: two `royal serve --no-workers` API processes and a
`royal worker` on Postgres and Redis. A client streaming a thread from one API process that is
killed mid-run reconnects to the other with ``since`` and gets every missing event exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_scale_out import STARTUP, cluster
from tests.api.test_thread_stream import GRAPH
from tools.sandbox import SandboxServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

EVERYTHING = ["values", "updates", "messages", "tools", "lifecycle", "input", "custom"]


async def _read(
    base: str, thread_id: str, since: int | None, into: list[dict[str, Any]], stop: Any
) -> None:
    """Append the SSE events of the thread (after ``since``) to ``into`` until ``stop``."""
    body: dict[str, Any] = {"channels": EVERYTHING}
    if since is not None:
        body["since"] = since
    async with (
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        http.stream("POST", f"/threads/{thread_id}/stream/events", json=body) as response,
    ):
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                into.append(json.loads(line[5:]))
                if stop(into[-1]):
                    return


def _root(status: str) -> Any:
    return lambda e: (
        e["method"] == "lifecycle"
        and not e["params"]["namespace"]
        and e["params"]["data"]["event"] == status
    )


@pytest.mark.timeout(STARTUP + 240)
async def test_reconnect_with_since_to_another_api_process_after_a_kill(
    tmp_path: Path, sandbox: SandboxServer, postgres_url: str, redis_url: str
) -> None:
    with cluster(tmp_path, sandbox, postgres_url, redis_url) as deployment:
        deployment.config.write_text(json.dumps({"graphs": {"v3": f"{GRAPH}:graph"}}))
        first, second = deployment.api("api-a"), deployment.api("api-b")
        deployment.worker("worker")
        deployment.wait_until_up([first, second])
        thread_id = "7e0f3c1a-93d4-4b6e-8a55-1c2d3e4f5a6b"
        async with httpx.AsyncClient(base_url=first, timeout=30) as http:
            started = await http.post(
                f"/threads/{thread_id}/commands",
                json={
                    "id": 1,
                    "method": "run.start",
                    "params": {"assistant_id": "v3", "input": {"items": [], "slow": 40}},
                },
            )
        assert started.json()["type"] == "success", started.text

        seen: list[dict[str, Any]] = []
        slow = lambda e: e["method"] == "custom" and e["params"]["data"]["step"] == "slow-5"  # noqa: E731
        await asyncio.wait_for(_read(first, thread_id, None, seen, slow), 60)
        deployment.process("api-a").kill()  # mid-run: the worker keeps emitting
        with contextlib.suppress(httpx.HTTPError):  # the dead process answers nothing more
            await asyncio.wait_for(_read(first, thread_id, seen[-1]["seq"], seen, slow), 5)

        rest: list[dict[str, Any]] = []
        await asyncio.wait_for(
            _read(second, thread_id, seen[-1]["seq"], rest, _root("interrupted")), 60
        )
        interrupt = next(e for e in rest if e["method"] == "input.requested")
        async with httpx.AsyncClient(base_url=second, timeout=30) as http:
            answered = await http.post(
                f"/threads/{thread_id}/commands",
                json={
                    "id": 2,
                    "method": "input.respond",
                    "params": {
                        "interrupt_id": interrupt["params"]["data"]["interrupt_id"],
                        "response": "yes",
                    },
                },
            )
        assert answered.json()["type"] == "success", answered.text
        await asyncio.wait_for(
            _read(second, thread_id, rest[-1]["seq"], rest, _root("completed")), 60
        )

    events = seen + rest
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))  # each exactly once
    steps = [e["params"]["data"]["step"] for e in events if e["method"] == "custom"]
    assert steps[:41] == [f"slow-{n}" for n in range(40)] + ["talk"]
    assert steps[41:] == ["ask", "ask", "inner"]
