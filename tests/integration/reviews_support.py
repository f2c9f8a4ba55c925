"""Helpers for the review tests: the Judge.me emulator, reviews written over HTTP, decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from langgraph.types import Command

from tests.integration.pipeline_support import Engine, shop, thread_config
from tools.sandbox import SandboxServer
from tools.sandbox.judgeme import JudgeMeEmulator

DELIVERED_AFTER = timedelta(days=5)


def judgeme(sandbox: SandboxServer) -> JudgeMeEmulator:
    emulator = sandbox.sandbox.emulators["judgeme"]
    assert isinstance(emulator, JudgeMeEmulator)
    return emulator


def judgeme_writes(sandbox: SandboxServer) -> dict[str, int]:
    counts = sandbox.sandbox.ledger.counts().items()
    return {k: v for k, v in counts if k.startswith("judgeme.")}


def write_review(sandbox: SandboxServer, rating: int, body: str, product: int = 1000003) -> int:
    """A customer writes a review, over HTTP like any emulator knob."""
    title = {p.number: p.title for p in shop(sandbox).store.products.values()}[product]
    response = httpx.post(
        f"{sandbox.url}/_sandbox/judgeme/reviews",
        json={
            "rating": rating,
            "title": "My review",
            "body": body,
            "product_external_id": product,
            "product_title": title,
            "name": "Sam Buyer",
            "email": "sam@example.com",
        },
        timeout=10,
    )
    response.raise_for_status()
    review_id: int = response.json()["id"]
    return review_id


def delivered_orders(sandbox: SandboxServer) -> set[int]:
    """Order numbers fully shipped at least five days ago, paid, with an email."""
    now = datetime.now(UTC)
    found = set()
    for order in shop(sandbox).store.orders.values():
        shipped = [f.created_at for f in order.fulfillments]
        if (
            order.display_fulfillment_status == "FULFILLED"
            and order.email
            and order.financial_status not in {"REFUNDED", "VOIDED"}
            and shipped
            and min(shipped) <= now - DELIVERED_AFTER
        ):
            found.add(order.number)
    return found


async def decide_all(engine: Engine, thread: str, result: dict[str, Any], decision: str) -> str:
    """Decide every pending approval of the turn at once; the CEO's reply."""
    resume: dict[str, Any] = {}
    for pending in result["__interrupt__"]:
        record = await engine.pending_approval(pending.value["approval_id"])
        resume |= engine.decision_resume(record, {"decision": decision}, decided_by="ada@x.com")
    done = await engine.graph.ainvoke(
        Command(resume=resume), thread_config(thread), context=engine.context()
    )
    return str(done["messages"][-1].content)
