"""The effects sweeper after a real crash window: a write left STARTED is resolved against the
Shopify emulator (APPLIED with what the shop has, or FAILED "not applied"), audited, and never
written again by the sweeper; a tool without a resolver is reported and stays STARTED. SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from host import runs
from host.effects_sweep import SWEEPER, sweep_once
from nodes.product.shopify_listing import create_and_publish
from storage import EffectStatus
from storage.audit import AuditLog
from tests.integration.effects_support import NOW, SimulatedCrash
from tests.integration.pipeline_support import Engine, engine, graph_turn, shop, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

TARGET = "nodes.product.publish.create_and_publish"
GOAL = "Find and publish a white glossy mug"


async def _crash(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, thread_id: str, *, after_write: bool
) -> str:
    """Run the goal on ``thread_id`` until the process "dies" right after (or right before) the
    Shopify write; returns the key of the effect left STARTED."""

    async def die(*args: Any, **kwargs: Any) -> object:
        if after_write:
            await create_and_publish(*args, **kwargs)
        raise SimulatedCrash

    monkeypatch.setattr(TARGET, die)
    with pytest.raises(SimulatedCrash):
        await graph_turn(engine, thread_id, GOAL)
    monkeypatch.setattr(TARGET, create_and_publish)
    (effect,) = await engine.services.effects.list_for_thread(thread_id)
    assert effect.status is EffectStatus.STARTED
    return effect.idempotency_key


async def _swept_entries(engine: Engine, thread_id: str) -> list[dict[str, Any]]:
    log = AuditLog(engine.runtime.store.database)
    page = await log.list(thread_id=thread_id, event="effect.swept")
    assert all(entry.actor == SWEEPER for entry in page.items)
    return [entry.payload for entry in page.items]


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_write_that_landed_is_recorded_applied_with_what_the_shop_has(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await _crash(engine, monkeypatch, "landed", after_write=True)
    before = writes(sandbox)
    assert before == {"shopify.productSet": 1, "shopify.publishablePublish": 1}

    not_yet = await sweep_once(engine.runtime, grace=timedelta(hours=1))
    assert (not_yet.applied, not_yet.not_applied) == ([], [])  # younger than the grace period
    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.applied == [key]
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is EffectStatus.APPLIED
    assert isinstance(effect.result, dict)
    (product,) = [
        p for p in shop(sandbox).store.products.values() if p.handle == effect.result["handle"]
    ]
    assert effect.result["product_id"] == product.id
    assert writes(sandbox) == before  # the sweeper only reads
    (entry,) = await _swept_entries(engine, "landed")
    assert (entry["idempotency_key"], entry["applied"]) == (key, True)
    again = await sweep_once(engine.runtime, grace=NOW)
    assert again.applied == again.not_applied == again.unresolved == []


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_write_that_never_landed_is_failed_and_a_later_run_applies_it_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await _crash(engine, monkeypatch, "lost", after_write=False)
    assert writes(sandbox) == {}

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == [key]
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is EffectStatus.FAILED
    assert effect.error is not None
    assert effect.error.startswith("swept: not applied")
    (entry,) = await _swept_entries(engine, "lost")
    assert entry["applied"] is False
    # The thread's next run resumes the step: the write is applied, once.
    engine.runtime.workers.follow("lost")
    await runs.result(engine.runtime, await runs.start(engine.runtime, "lost", "ceo"))
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is EffectStatus.APPLIED
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_tool_without_a_resolver_is_reported_and_left_started(engine: Engine) -> None:
    async def die() -> None:
        raise SimulatedCrash

    ledger = engine.services.effects
    with pytest.raises(SimulatedCrash):
        await ledger.run_once(
            "key-unknown",
            thread_id="unknown",
            task_id="task",
            action_kind="ticket.reply",
            tool="a_tool_nobody_resolves",
            args={"n": 1},
            apply=die,
        )

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.unresolved == ["key-unknown"]
    effect = await ledger.get("key-unknown")
    assert effect is not None
    assert effect.status is EffectStatus.STARTED
    assert await ledger.started_by_tool() == {"a_tool_nobody_resolves": 1}
