"""A write waits until the checkpoints its task's identity derives from are saved.

LangGraph derives a task's id from the checkpoint its step was planned on (and, in a subgraph,
from its parents' through the namespace), and effect keys derive from task ids. With the
default ``durability="async"`` a step's checkpoint is saved while the next step already runs.
Should that save fail (the database went away), the retried run plans the step again on a
new checkpoint: new task ids, new effect keys — and a write made under the lost checkpoint
would be made a second time. So the effects ledger asks ``wait_for_lineage`` first: every
checkpoint in the task's lineage must be saved before anything is written. If a save failed,
``CheckpointNotSavedError`` ends the attempt with nothing written and the run is retried
from its last saved checkpoint, where the same step gets ids that will hold.

Savers opened by ``storage.langgraph`` report each save's outcome to a ``CheckpointSaves``
(the common case needs no query: the save finished in this process); a checkpoint this
process did not save (a run resumed elsewhere) is looked up once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph._internal._constants import (
    CONFIG_KEY_CHECKPOINT_MAP,
    CONFIG_KEY_CHECKPOINTER,
    CONFIG_KEY_DURABILITY,
)
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
)
from langgraph.config import get_config

WAIT_SECONDS = 35.0
"""How long a write waits for a checkpoint save in flight: longer than a save can wait for a
pooled connection (psycopg's 30 s), so a save that is merely slow is not given up on. Giving
up is safe (nothing is written, the run is retried); it is only slower."""

_STALLED = 1.0
"""A save that has not begun this long after the last save of its namespace ended never will."""

_FIRST_LOOKUP = 0.05
"""A save in flight in this process usually finishes within this; only then ask the database."""

logger = logging.getLogger(__name__)

_REMEMBERED = 8192
_Key = tuple[str, str, str]
"""(thread_id, checkpoint_ns, checkpoint_id)"""
_T = TypeVar("_T")


class CheckpointNotSavedError(ConnectionError):
    """A checkpoint a write's task derives from was not saved: nothing was written, and the
    run is retried from its last saved checkpoint (a database fault, not the run's)."""


class CheckpointSaves:
    """What this process knows of checkpoint saves: which finished, which failed, in order."""

    def __init__(self) -> None:
        self._saved: OrderedDict[_Key, None] = OrderedDict()
        self._failed: OrderedDict[_Key, int] = OrderedDict()
        self._started: OrderedDict[_Key, None] = OrderedDict()
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._sequence = itertools.count(1)
        self._last_failure: dict[tuple[str, str], int] = {}

    async def record(self, config: RunnableConfig, checkpoint_id: str, save: Awaitable[_T]) -> _T:
        """Await a saver's ``aput`` and remember how it ended."""
        key = (*_namespace(config), checkpoint_id)
        self._remember(self._started, key, None)
        try:
            result = await self.record_writes(config, save)
        except BaseException:
            self._remember(self._failed, key, self._last_failure[key[:2]])
            raise
        self.mark_saved(key)
        return result

    async def record_writes(self, config: RunnableConfig, save: Awaitable[_T]) -> _T:
        """Await a save of the namespace (``aput``, or ``aput_writes``: a checkpoint's save
        waits for its step's writes to some channels) while counting it under way."""
        namespace = _namespace(config)
        self._in_flight[namespace] += 1
        try:
            return await save
        except BaseException:
            self._last_failure[namespace] = next(self._sequence)
            raise
        finally:
            self._in_flight[namespace] -= 1
            if not self._in_flight[namespace]:
                del self._in_flight[namespace]

    def mark_saved(self, key: _Key) -> None:
        self._remember(self._saved, key, None)

    def saved(self, key: _Key) -> bool:
        return key in self._saved

    def failed_since(self, key: _Key, mark: int) -> bool:
        """Whether ``key``'s own save failed, or a save in its namespace failed after ``mark``.

        Saves of one namespace are chained (each waits for the one before): a failure while we
        wait for ``key`` means ``key`` comes after it and will never be attempted."""
        return key in self._failed or self._last_failure.get(key[:2], 0) > mark

    def stalled(self, key: _Key) -> bool:
        """Whether ``key``'s save has not begun while no save of its namespace is under way.

        A loop saves its checkpoints one after another, each as soon as the one before ends;
        one that has not begun with nothing ahead of it never will (an earlier save in its
        chain failed)."""
        return key not in self._started and not self._in_flight.get(key[:2])

    def mark(self) -> int:
        """The position in the failure sequence now (``failed_since`` counts from here)."""
        return max(self._last_failure.values(), default=0)

    @staticmethod
    def _remember(entries: OrderedDict[_Key, Any], key: _Key, value: Any) -> None:
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > _REMEMBERED:
            entries.popitem(last=False)


class ReportsSaves(BaseCheckpointSaver[str]):
    """Mixed in before a saver class: every checkpoint and write save it makes is reported to
    its ``saves``, which ``wait_for_lineage`` reads."""

    @cached_property
    def saves(self) -> CheckpointSaves:
        return CheckpointSaves()

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        save = super().aput(config, checkpoint, metadata, new_versions)
        return await self.saves.record(config, checkpoint["id"], save)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self.saves.record_writes(
            config, super().aput_writes(config, writes, task_id, task_path)
        )


def _namespace(config: RunnableConfig) -> tuple[str, str]:
    configurable = config.get("configurable", {})
    return str(configurable.get("thread_id")), str(configurable.get("checkpoint_ns", ""))


def saves_of(saver: BaseCheckpointSaver[Any]) -> CheckpointSaves | None:
    saves = getattr(saver, "saves", None)
    return saves if isinstance(saves, CheckpointSaves) else None


async def wait_for_lineage(
    config: RunnableConfig | None = None, *, patience: float = WAIT_SECONDS
) -> None:
    """Return once every checkpoint the current task derives from is saved.

    Outside a graph task, without a checkpointer, or with ``durability="exit"`` (nothing is
    saved before the run ends: a client that asks for it gives up this guarantee) there is
    nothing to wait for.
    """
    if config is None:
        try:
            config = get_config()
        except RuntimeError:
            return
    configurable = config.get("configurable", {})
    saver = configurable.get(CONFIG_KEY_CHECKPOINTER)
    lineage: Mapping[str, str] = configurable.get(CONFIG_KEY_CHECKPOINT_MAP) or {}
    thread_id = configurable.get("thread_id")
    if (
        not isinstance(saver, BaseCheckpointSaver)
        or thread_id is None
        or configurable.get(CONFIG_KEY_DURABILITY) == "exit"
    ):
        return
    saves = saves_of(saver) or CheckpointSaves()
    for namespace, checkpoint_id in lineage.items():
        await _wait_saved(saver, saves, (str(thread_id), namespace, checkpoint_id), patience)


async def _wait_saved(
    saver: BaseCheckpointSaver[Any], saves: CheckpointSaves, key: _Key, patience: float
) -> None:
    mark = saves.mark()
    began = time.monotonic()
    deadline = began + patience
    pause = 0.005
    reported = saves_of(saver) is saves  # this saver tells us its saves: ask the database rarely
    next_lookup = time.monotonic() + (_FIRST_LOOKUP if reported else 0.0)
    stalled_since: float | None = None
    while not saves.saved(key):
        now = time.monotonic()
        if reported and saves.stalled(key):
            stalled_since = now if stalled_since is None else stalled_since
        else:
            stalled_since = None
        broken = stalled_since is not None and now - stalled_since >= _STALLED
        if broken and await _stored(saver, key):  # saved by an earlier execution after all
            saves.mark_saved(key)
            return
        if broken or saves.failed_since(key, mark):
            logger.warning(
                "a write waited %.1f s for checkpoint %s of thread %s, whose save failed or "
                "will never begin: "
                "nothing written, the run is retried",
                time.monotonic() - began, key[2], key[0],
            )  # fmt: skip
            raise CheckpointNotSavedError(
                f"checkpoint {key[2]} of thread {key[0]} was not saved; nothing was written"
            )
        if now >= next_lookup:
            if await _stored(saver, key):
                saves.mark_saved(key)
                return
            next_lookup = now + (1.0 if reported else pause)
        if now >= deadline:
            logger.warning(
                "a write gave up waiting for checkpoint %s of thread %s after %.0f s: nothing "
                "written, the run is retried",
                key[2], key[0], patience,
            )  # fmt: skip
            raise CheckpointNotSavedError(
                f"checkpoint {key[2]} of thread {key[0]} was not saved within {patience:.0f} s; "
                "nothing was written"
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


async def _stored(saver: BaseCheckpointSaver[Any], key: _Key) -> bool:
    thread_id, namespace, checkpoint_id = key
    found = await saver.aget_tuple(
        {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": namespace,
                "checkpoint_id": checkpoint_id,
            }
        }
    )
    return found is not None
