"""Milliseconds per product-pipeline run and checkpoint bytes per run, on SQLite and Postgres.

Each run is one CEO chat turn on a new thread ("Find and publish a white glossy mug"): plan,
scout, vet, price, decide, publish (MEDIUM: executes), answer — offline model, sandbox in
process over loopback HTTP.

    uv run python -m bench.pipeline [--runs 20] [--postgres-url postgresql://…/postgres]
"""

from __future__ import annotations

import statistics
import time

from bench.support import bench_parser, on_sqlite_then_postgres
from host import runs
from host.runtime import Runtime
from settings import Settings, reset_settings_cache
from storage.langgraph import thread_checkpoint_bytes

GOAL = "Find and publish a white glossy mug"


async def _turn(runtime: Runtime, thread: str) -> str:
    """One CEO turn through the runtime's run path (a run row, executed by a worker)."""
    message = {"role": "human", "content": GOAL}
    run = await runs.start(runtime, thread, "ceo", input={"messages": [message]})
    values = await runs.result(runtime, run)
    messages = values.get("messages") if isinstance(values, dict) else None
    return str(messages[-1].get("content")) if messages else repr(values)


async def measure(label: str, count: int) -> None:
    reset_settings_cache()
    async with Runtime.open(Settings(), workers=1) as runtime:
        assert runtime.persistence is not None
        await _turn(runtime, "warm-up")  # imports, tokenizer, connection pools
        times: list[float] = []
        sizes: list[int] = []
        for number in range(count):
            thread = f"bench-{number}"
            started = time.perf_counter()
            answer = await _turn(runtime, thread)
            times.append((time.perf_counter() - started) * 1000)
            if "Published" not in answer:
                raise RuntimeError(f"run {number} did not publish: {answer}")
            sizes.append(await thread_checkpoint_bytes(runtime.persistence, thread))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label:<9} runs={count:<4} mean={statistics.mean(times):7.1f} ms  "
        f"p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  "
        f"checkpoint bytes/run={statistics.mean(sizes):,.0f}"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    on_sqlite_then_postgres(args.postgres_url, lambda label, _: measure(label, args.runs))


if __name__ == "__main__":
    main()
