"""What a resolver answers: whether one write left STARTED reached its service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.services import Services
from storage.effects import EffectRecord


class Resolution(BaseModel):
    """What the service shows of one write."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    result: JsonValue = None
    note: str = Field(min_length=1)


Resolver = Callable[[EffectRecord, Services], Awaitable[Resolution]]
"""Asks the write's service, by the write's key or arguments, whether it landed; raises when
the service cannot be asked (the row stays STARTED and is asked again at the next sweep)."""
