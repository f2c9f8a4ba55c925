"""Model calls from nodes: the role's model, the run's budget, and the prompt's version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel

from nodes.services import Services
from tools.llm import Role, aguarded_invoke

Schema = TypeVar("Schema", bound=BaseModel)


def run_id_of(runtime: Runtime[Any]) -> str | None:
    info = runtime.execution_info
    return info.run_id if info is not None else None


async def ask_structured(
    services: Services,
    runtime: Runtime[Any],
    role: Role,
    schema: type[Schema],
    messages: Sequence[BaseMessage],
) -> Schema:
    """One structured-output call under the run's budget (``BudgetExceededError`` if over)."""
    model = services.chat_model(role).with_structured_output(schema)
    result = await aguarded_invoke(model, list(messages), services.usage(run_id_of(runtime)))
    return schema.model_validate(result) if not isinstance(result, schema) else result


async def ask_text(
    services: Services, runtime: Runtime[Any], role: Role, messages: Sequence[BaseMessage]
) -> AIMessage:
    """One chat call under the run's budget; tokens stream to ``messages`` stream mode."""
    model = services.chat_model(role)
    result = await aguarded_invoke(model, list(messages), services.usage(run_id_of(runtime)))
    return result
