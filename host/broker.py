"""Per-run event buffers: what a worker emits, replayed to every stream and join of that run.

``EventBroker`` is the interface the API and the workers use; ``MemoryBroker`` keeps events in
this process (one API process with in-process workers); ``RedisBroker`` (broker_redis.py) fans
them out across processes and replays them for ``Last-Event-ID``. ``WorkerSignals`` carries
wake-ups and cancel requests between processes; in one process the workers need none.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

END_EVENT = "__end__"


@dataclass(frozen=True)
class RunEvent:
    id: int
    event: str
    data: Any


class EventBroker(Protocol):
    async def publish(self, run_id: str, event: str, data: Any) -> None: ...

    async def close(self, run_id: str) -> None:
        """No more events for this run; subscribers finish once they have read everything."""

    async def reopen(self, run_id: str) -> None:
        """Forget a finished run's events: it runs again (an operator retried a dead run)."""

    def subscribe(
        self, run_id: str, after: int | None = None, *, in_flight: bool = False
    ) -> AsyncIterator[RunEvent]:
        """Every event of the run from the start (or after event id ``after``), live.

        ``in_flight``: the caller just saw the run pending or running, so an empty stream
        means "not started yet", not "finished and forgotten"."""

    def known(self, run_id: str) -> bool:
        """Whether ``subscribe`` may have events of this finished run (else it is long gone)."""

    async def aclose(self) -> None:
        """Release what the broker holds (buffers, connections)."""


class WorkerSignals(Protocol):
    """Messages between processes: "a run is pending" and "cancel this run"."""

    def wake_all(self) -> None:
        """Tell every worker process to look for pending runs (fire and forget)."""

    async def cancel_run(self, run_id: str, action: str) -> None:
        """Tell the process executing ``run_id`` to cancel it."""

    async def listen(
        self, on_wake: Callable[[], None], on_cancel: Callable[[str, str], object]
    ) -> None:
        """Deliver messages to the callbacks until cancelled (reconnecting as needed)."""


@dataclass
class _Buffer:
    events: list[RunEvent] = field(default_factory=list)
    closed: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryBroker:
    """Events of recent runs in memory; a closed run's buffer is kept ``retention`` seconds."""

    def __init__(self, retention: float = 600.0) -> None:
        self.retention = retention
        self._buffers: dict[str, _Buffer] = {}
        self._expiry: set[asyncio.TimerHandle] = set()

    def _buffer(self, run_id: str) -> _Buffer:
        return self._buffers.setdefault(run_id, _Buffer())

    async def publish(self, run_id: str, event: str, data: Any) -> None:
        buffer = self._buffer(run_id)
        if buffer.closed:
            return
        buffer.events.append(RunEvent(len(buffer.events) + 1, event, data))
        buffer.changed.set()
        buffer.changed = asyncio.Event()

    async def close(self, run_id: str) -> None:
        buffer = self._buffer(run_id)
        buffer.closed = True
        buffer.changed.set()
        loop = asyncio.get_running_loop()
        handle = loop.call_later(self.retention, self._forget, run_id, buffer)
        self._expiry.add(handle)

    def _forget(self, run_id: str, buffer: _Buffer) -> None:
        if self._buffers.get(run_id) is buffer:  # not a reopened run's new buffer
            del self._buffers[run_id]

    async def reopen(self, run_id: str) -> None:
        self._buffers.pop(run_id, None)

    def known(self, run_id: str) -> bool:
        return run_id in self._buffers

    async def subscribe(
        self, run_id: str, after: int | None = None, *, in_flight: bool = False
    ) -> AsyncIterator[RunEvent]:
        buffer = self._buffer(run_id)
        position = max(after or 0, 0)
        while True:
            while position < len(buffer.events):
                position += 1
                yield buffer.events[position - 1]
            if buffer.closed:
                return
            await buffer.changed.wait()

    def shutdown(self) -> None:
        for handle in self._expiry:
            handle.cancel()
        self._expiry.clear()
        self._buffers.clear()

    async def aclose(self) -> None:
        self.shutdown()
