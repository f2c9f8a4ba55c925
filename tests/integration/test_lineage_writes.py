"""A checkpoint save the database drops while the next step already writes: the write waits for
the save, so the retried run writes once (``storage.lineage``).

LangGraph saves a step's checkpoint while the next step runs (``durability="async"``); the
product's publish task gets its id from the checkpoint taken after the CEO's decision. Here
that save fails half a second in, as when the database goes away. Without the wait, publish
would already have written under a task id the retry never sees again, and the retry would
write again under a new one (the second test shows that hazard is real).
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from host import runs
from storage import EffectStatus
from tests.integration.pipeline_support import Engine, engine, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

GOAL = "Find and publish a white glossy mug"


def drop_the_save_before_publish(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the save of the checkpoint that sends ``publish`` its approved candidates (the CEO
    decision's step) fail once, 0.5 s in (publish has started by then); returns the ids of
    the dropped checkpoints."""
    dropped: list[str] = []
    for saver in (AsyncSqliteSaver, AsyncPostgresSaver):
        save = saver.aput

        async def flaky(
            self: Any,
            config: RunnableConfig,
            checkpoint: Checkpoint,
            metadata: CheckpointMetadata,
            new_versions: ChannelVersions,
            _save: Any = save,
        ) -> RunnableConfig:
            if "approved" in new_versions and not dropped:
                dropped.append(checkpoint["id"])
                await asyncio.sleep(0.5)
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            saved: RunnableConfig = await _save(self, config, checkpoint, metadata, new_versions)
            return saved

        monkeypatch.setattr(saver, "aput", flaky)
    return dropped


async def publish_run(engine: Engine, thread_id: str) -> str:
    engine.runtime.workers.follow(thread_id)
    message = {"role": "human", "content": GOAL}
    run = await runs.start(engine.runtime, thread_id, "ceo", input={"messages": [message]})
    await runs.result(engine.runtime, run)
    finished = await runs.existing(engine.runtime, thread_id, run.run_id)
    return finished.status


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_dropped_save_delays_the_write_and_the_retry_writes_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = drop_the_save_before_publish(monkeypatch)
    status = await publish_run(engine, "dropped-save")
    assert dropped, "the fault was never injected: publish was not scheduled"
    assert status == "success"
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    effects = await engine.services.effects.list_for_thread("dropped-save")
    assert [e.status for e in effects] == [EffectStatus.APPLIED]
    assert effects[0].attempts == 1  # the first attempt never started the write


@pytest.mark.parametrize("engine", BACKENDS[:1], indirect=True)
async def test_without_the_wait_the_retry_writes_again(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hazard itself: the same fault with the wait switched off writes twice."""

    async def no_wait() -> None:
        return None

    monkeypatch.setattr("storage.effects.wait_for_lineage", no_wait)
    drop_the_save_before_publish(monkeypatch)
    assert await publish_run(engine, "no-wait") == "success"
    assert writes(sandbox)["shopify.productSet"] == 2
    assert len(await engine.services.effects.list_for_thread("no-wait")) == 2
