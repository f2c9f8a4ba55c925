"""Milliseconds per product-pipeline run and checkpoint bytes per run, on SQLite and Postgres.

Each run is one CEO chat turn on a new thread ("Find and publish a white glossy mug"): plan,
scout, vet, price, decide, publish (MEDIUM: executes), answer — offline model, sandbox in
process over loopback HTTP.

    uv run python -m bench.pipeline [--runs 20] [--postgres-url postgresql://…/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time

from langchain_core.messages import HumanMessage

from bench.support import temporary_postgres
from server.engine import open_engine, thread_config
from settings import Settings, reset_settings_cache
from storage.langgraph import thread_checkpoint_bytes
from tools.sandbox import SandboxServer

GOAL = "Find and publish a white glossy mug"


async def measure(label: str, runs: int) -> None:
    reset_settings_cache()
    async with open_engine(Settings()) as engine:
        await engine.graph.ainvoke(  # warm-up: imports, tokenizer, connection pools
            {"messages": [HumanMessage(GOAL)]}, thread_config("warm-up"), context=engine.context()
        )
        times: list[float] = []
        sizes: list[int] = []
        for number in range(runs):
            thread = f"bench-{number}"
            started = time.perf_counter()
            result = await engine.graph.ainvoke(
                {"messages": [HumanMessage(GOAL)]}, thread_config(thread), context=engine.context()
            )
            times.append((time.perf_counter() - started) * 1000)
            if "Published" not in str(result["messages"][-1].content):
                raise RuntimeError(f"run {number} did not publish: {result['messages'][-1]}")
            sizes.append(await thread_checkpoint_bytes(engine.persistence, thread))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label:<9} runs={runs:<4} mean={statistics.mean(times):7.1f} ms  "
        f"p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  "
        f"checkpoint bytes/run={statistics.mean(sizes):,.0f}"
    )


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the offline-model notice is printed once below
    print("model: offline deterministic model (no OPENAI_API_KEY); sandbox over loopback")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database to CREATE/DROP a temporary benchmark database from",
    )
    args = parser.parse_args()
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as data:
        os.environ.update(
            ROYAL_SANDBOX_HOST=sandbox.host,
            ROYAL_SANDBOX_PORT=str(sandbox.port),
            ROYAL_DATA_DIR=data,
        )
        os.environ.pop("DATABASE_URL", None)
        asyncio.run(measure("sqlite", args.runs))
        with temporary_postgres(args.postgres_url) as url:
            os.environ["DATABASE_URL"] = url
            asyncio.run(measure("postgres", args.runs))


if __name__ == "__main__":
    main()
