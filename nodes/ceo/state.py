"""The CEO graph's state. Messages are a delta channel: each checkpoint stores only what a step
added, not the whole conversation again (a 30-turn thread stays small)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, cast

from langchain_core.messages import AnyMessage
from langgraph.channels import DeltaChannel
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from nodes.ceo.models import Plan
from nodes.clusters import ClusterReport, merge_reports


def add_message_batches(current: list[AnyMessage], writes: Sequence[Any]) -> list[AnyMessage]:
    """``add_messages`` folded over a batch of writes (batching-invariant for DeltaChannel)."""
    messages: Any = list(current or [])  # add_messages is loosely typed
    for write in writes:
        messages = add_messages(messages, write)
    return cast(list[AnyMessage], messages)


Messages = Annotated[list[AnyMessage], DeltaChannel(add_message_batches)]


class CEOInput(TypedDict):
    messages: Messages


class CEOOutput(TypedDict):
    messages: Messages
    run_info: dict[str, Any]


class CEOState(TypedDict, total=False):
    messages: Messages
    goal: str
    plan: Plan | None
    stopped: str | None
    reports: Annotated[list[ClusterReport], merge_reports]
    run_info: dict[str, Any]
