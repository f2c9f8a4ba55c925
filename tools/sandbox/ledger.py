"""Counts every state change an emulator applies, so tests can prove an effect happened once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel


class MutationRecord(BaseModel):
    service: str
    operation: str
    key: str | None
    at: datetime


class MutationLedger:
    """Thread-safe record of applied mutations (idempotent replays are not counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[MutationRecord] = []

    def record(self, service: str, operation: str, key: str | None = None) -> None:
        with self._lock:
            self._records.append(
                MutationRecord(service=service, operation=operation, key=key, at=datetime.now(UTC))
            )

    def records(self) -> list[MutationRecord]:
        with self._lock:
            return list(self._records)

    def counts(self) -> dict[str, int]:
        """Applied mutations by ``service.operation``."""
        with self._lock:
            return dict(Counter(f"{r.service}.{r.operation}" for r in self._records))

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
