"""``storage.lineage``: a write waits for its task's checkpoints, fails fast when a save in its
namespace fails while it waits, gives up after its patience, and has nothing to wait for
outside a task or with ``durability="exit"``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph._internal._constants import (
    CONFIG_KEY_CHECKPOINT_MAP,
    CONFIG_KEY_CHECKPOINTER,
    CONFIG_KEY_DURABILITY,
)
from langgraph.checkpoint.memory import InMemorySaver

from host.failures import is_attempt_failure, is_connection_loss
from storage.lineage import CheckpointNotSavedError, ReportsSaves, wait_for_lineage

THREAD = "t"


class ReportingMemorySaver(ReportsSaves, InMemorySaver):
    """An in-memory saver that reports its saves, as the project's savers do."""


def task_config(saver: Any, lineage: dict[str, str], **extra: Any) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": THREAD,
            CONFIG_KEY_CHECKPOINTER: saver,
            CONFIG_KEY_CHECKPOINT_MAP: lineage,
            **extra,
        }
    }


def save_config(namespace: str = "") -> RunnableConfig:
    return {"configurable": {"thread_id": THREAD, "checkpoint_ns": namespace}}


async def succeed() -> None:
    return None


async def fail_later(seconds: float) -> None:
    await asyncio.sleep(seconds)
    raise ConnectionError("the database went away")


async def test_outside_a_graph_task_there_is_nothing_to_wait_for() -> None:
    await wait_for_lineage()  # no LangGraph config in context


async def test_a_checkpoint_saved_in_this_process_needs_no_lookup() -> None:
    saver = ReportingMemorySaver()
    await saver.saves.record(save_config(), "c1", succeed())
    began = time.monotonic()
    await wait_for_lineage(task_config(saver, {"": "c1"}))
    assert time.monotonic() - began < 0.04  # before the first database lookup would happen


async def test_a_save_in_flight_is_waited_for() -> None:
    saver = ReportingMemorySaver()

    async def save_soon() -> None:
        await asyncio.sleep(0.2)
        await saver.saves.record(save_config("sub:1"), "s1", succeed())

    saving = asyncio.create_task(save_soon())
    await saver.saves.record(save_config(), "c1", succeed())
    began = time.monotonic()
    await wait_for_lineage(task_config(saver, {"": "c1", "sub:1": "s1"}))
    assert time.monotonic() - began >= 0.15
    await saving


async def test_a_save_failing_while_the_write_waits_fails_it_fast() -> None:
    saver = ReportingMemorySaver()
    failing = asyncio.create_task(saver.saves.record(save_config(), "c1", fail_later(0.2)))
    began = time.monotonic()
    with pytest.raises(CheckpointNotSavedError) as raised:
        await wait_for_lineage(task_config(saver, {"": "c2"}), patience=30)
    assert time.monotonic() - began < 5
    with pytest.raises(ConnectionError):
        await failing
    # retried without counting as a failed attempt of the run
    assert is_attempt_failure(raised.value)
    assert is_connection_loss(raised.value)


async def test_an_earlier_failure_in_the_namespace_does_not_condemn_a_later_run() -> None:
    """A save that failed before the wait began belongs to an earlier execution: the retry's
    own checkpoints are waited for, not refused."""
    saver = ReportingMemorySaver()
    with pytest.raises(ConnectionError):
        await saver.saves.record(save_config(), "c1", fail_later(0))
    await saver.saves.record(save_config(), "c2", succeed())
    await wait_for_lineage(task_config(saver, {"": "c2"}))
    with pytest.raises(CheckpointNotSavedError):  # but the failed checkpoint itself is refused
        await wait_for_lineage(task_config(saver, {"": "c1"}))


async def test_a_checkpoint_never_saved_is_given_up_on_after_the_patience() -> None:
    saver = ReportingMemorySaver()
    began = time.monotonic()
    with pytest.raises(CheckpointNotSavedError, match="within"):
        await wait_for_lineage(task_config(saver, {"": "never"}), patience=0.3)
    assert 0.3 <= time.monotonic() - began < 3


async def test_a_checkpoint_saved_by_another_process_is_found_in_the_saver() -> None:
    """A run resumed here from a checkpoint another process saved: one lookup finds it."""
    saver = InMemorySaver()
    config = saver.put(
        {"configurable": {"thread_id": THREAD, "checkpoint_ns": ""}},
        {
            "v": 4,
            "id": "1f000000-0000-6000-8000-000000000001",
            "ts": "2026-12-05T00:00:00+00:00",
            "channel_values": {},
            "channel_versions": {},
            "versions_seen": {},
            "updated_channels": None,
        },
        {},
        {},
    )
    saved_id = config["configurable"]["checkpoint_id"]
    await wait_for_lineage(task_config(saver, {"": saved_id}), patience=1)


async def test_durability_exit_saves_nothing_before_the_end_so_nothing_is_awaited() -> None:
    saver = ReportingMemorySaver()
    config = task_config(saver, {"": "unsaved"}, **{CONFIG_KEY_DURABILITY: "exit"})
    await wait_for_lineage(config, patience=0.1)


async def test_a_save_that_will_never_begin_is_given_up_on_within_seconds() -> None:
    """An earlier save of the chain failed before the write began waiting: the loop never
    attempts the later ones, and nothing of the namespace is under way."""
    saver = ReportingMemorySaver()
    with pytest.raises(ConnectionError):
        await saver.saves.record(save_config(), "c1", fail_later(0))
    began = time.monotonic()
    with pytest.raises(CheckpointNotSavedError, match="not saved; nothing"):
        await wait_for_lineage(task_config(saver, {"": "c2"}), patience=30)
    assert time.monotonic() - began < 5


async def test_a_save_queued_behind_a_slow_one_is_waited_for() -> None:
    """While a save of the namespace is under way, the next one has not begun and is not
    given up on: it begins when the one ahead ends."""
    saver = ReportingMemorySaver()

    async def slow_then_next() -> None:
        await saver.saves.record(save_config(), "c1", asyncio.sleep(1.5))
        await saver.saves.record(save_config(), "c2", succeed())

    chain = asyncio.create_task(slow_then_next())
    await asyncio.sleep(0.01)
    await wait_for_lineage(task_config(saver, {"": "c2"}), patience=30)
    await chain
