"""Support tickets answered per second by the customer-service cluster, on SQLite and Postgres.

Each round adds ``--tickets`` new customer messages to the sandbox's Zendesk (where is my order,
with real order numbers, and FAQ questions), then runs the cluster's ``answer_tickets`` task
through the runtime's run path: list, triage, Shopify lookup, worded and checked reply, gated
``customer.reply`` with the effects ledger, one Zendesk comment each. Offline model, sandbox in
process over loopback HTTP.

    uv run python -m bench.customer_service [--tickets 20] [--rounds 3] [--postgres-url …]
"""

from __future__ import annotations

import time
from typing import Any

from bench.support import bench_parser, on_sqlite_then_postgres
from host import runs
from host.runtime import Runtime
from nodes.clusters import ClusterTask
from settings import Settings, reset_settings_cache
from tools.sandbox import SandboxServer
from tools.sandbox.zendesk import ZendeskEmulator
from tools.sandbox.zendesk.emulator import CustomerMessage

QUESTIONS = (
    ("julia.smit@example.com", "Where is my order #1002?"),
    ("liam.peeters@example.com", "Can you send me the tracking number for order #1003?"),
    ("emma.bakker@example.com", "What is your return policy?"),
    ("lea.dubois@example.com", "How long does shipping to Belgium take?"),
)


def _queue(zendesk: ZendeskEmulator, count: int) -> None:
    zendesk.store.clear()
    for number in range(count):
        email, body = QUESTIONS[number % len(QUESTIONS)]
        zendesk.message(CustomerMessage(email=email, name=email.split("@")[0], body=body))


async def _round(runtime: Runtime, thread: str) -> dict[str, Any]:
    task = ClusterTask(
        cluster="customer_service",
        title="Answer the open support tickets",
        instructions="bench",
        parameters={"operation": "answer_tickets"},
    )
    run = await runs.start(
        runtime,
        thread,
        "customer_service",
        input={"task": task.model_dump(mode="json"), "goal": task.title},
    )
    values = await runs.result(runtime, run)
    return values if isinstance(values, dict) else {}


async def measure(label: str, zendesk: ZendeskEmulator, tickets: int, rounds: int) -> None:
    reset_settings_cache()
    async with Runtime.open(Settings(), workers=1) as runtime:
        _queue(zendesk, 2)
        await _round(runtime, "warm-up")  # imports, tokenizer, connection pools
        answered = 0
        elapsed = 0.0
        for number in range(rounds):
            _queue(zendesk, tickets)
            started = time.perf_counter()
            values = await _round(runtime, f"bench-{number}")
            elapsed += time.perf_counter() - started
            (raw,) = values.get("reports") or [{}]
            report = raw.model_dump(mode="json") if hasattr(raw, "model_dump") else dict(raw)
            done = [i for i in report.get("items", []) if i.get("status") == "answered"]
            if len(done) != tickets:
                raise RuntimeError(f"round {number} answered {len(done)} of {tickets}: {report}")
            answered += len(done)
    print(
        f"{label:<9} tickets={answered:<5} {answered / elapsed:6.1f} tickets/s  "
        f"{1000 * elapsed / answered:7.1f} ms/ticket (agent time, one worker)"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()

    async def measured(label: str, sandbox: SandboxServer) -> None:
        zendesk = sandbox.sandbox.emulators["zendesk"]
        assert isinstance(zendesk, ZendeskEmulator)
        await measure(label, zendesk, args.tickets, args.rounds)

    on_sqlite_then_postgres(args.postgres_url, measured, postgres=not args.sqlite_only)


if __name__ == "__main__":
    main()
