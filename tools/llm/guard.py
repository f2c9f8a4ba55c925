"""Budget-guarded model calls: estimate, refuse or reserve, call, record.

``guarded_invoke(model, messages, tracker)`` works with a bare chat model, a model with tools
bound, or ``model.with_structured_output(...)``: the estimate counts the prompt, the bound tool
or response schemas and the expected completion. Usage is recorded by a
:class:`~tools.llm.callbacks.UsageCallbackHandler` added to the call's callbacks — next to, not
instead of, the callbacks inherited from an enclosing LangGraph run, so token streaming and
tracing keep working.
"""

from __future__ import annotations

from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.runnables import (
    Runnable,
    RunnableBinding,
    RunnableConfig,
    RunnableParallel,
    RunnableSequence,
    RunnableWithFallbacks,
    ensure_config,
)

from tools.llm.callbacks import UsageCallbackHandler
from tools.llm.usage import CallEstimate, UsageTracker

T = TypeVar("T")


def estimate_call(
    runnable: Runnable[LanguageModelInput, Any], messages: LanguageModelInput, tracker: UsageTracker
) -> CallEstimate:
    """What calling ``runnable`` (a chat model, possibly bound or structured) will cost."""
    model, kwargs = _unwrap(runnable)
    if model is None:
        raise TypeError(
            "guarded calls need a chat model, optionally with bind_tools or "
            f"with_structured_output; got {type(runnable).__name__}"
        )
    name = model._get_ls_params(**kwargs).get("ls_model_name") or "unknown"
    tools: list[Any] = list(kwargs.get("tools") or [])
    response_format = kwargs.get("response_format")
    if response_format is not None and (
        isinstance(response_format, type) or response_format.get("type") == "json_schema"
    ):
        tools.append(response_format)
    max_tokens = (
        kwargs.get("max_tokens")
        or kwargs.get("max_completion_tokens")
        or getattr(model, "max_tokens", None)
    )
    return tracker.estimate(
        name,
        messages,
        tools=tools,
        max_output_tokens=max_tokens if isinstance(max_tokens, int) else None,
    )


def with_usage_callback(config: RunnableConfig | None, tracker: UsageTracker) -> RunnableConfig:
    """``config`` (merged with the enclosing run's) plus a usage handler feeding ``tracker``."""
    merged = ensure_config(config)
    handler = UsageCallbackHandler(tracker)
    callbacks = merged.get("callbacks")
    if callbacks is None:
        merged["callbacks"] = [handler]
    elif isinstance(callbacks, list):
        merged["callbacks"] = [*callbacks, handler]
    else:
        manager = callbacks.copy()
        manager.add_handler(handler, inherit=True)
        merged["callbacks"] = manager
    return merged


def guarded_invoke(
    runnable: Runnable[LanguageModelInput, T],
    messages: LanguageModelInput,
    tracker: UsageTracker,
    *,
    config: RunnableConfig | None = None,
) -> T:
    """Invoke unless the run's budget cannot cover the estimate (then raise, before any call).

    Raises:
        BudgetExceededError: the estimate does not fit what is left of the run's budget.
    """
    estimate = estimate_call(runnable, messages, tracker)
    with tracker.reserve(estimate):
        return runnable.invoke(messages, config=with_usage_callback(config, tracker))


async def aguarded_invoke(
    runnable: Runnable[LanguageModelInput, T],
    messages: LanguageModelInput,
    tracker: UsageTracker,
    *,
    config: RunnableConfig | None = None,
) -> T:
    """Async :func:`guarded_invoke`."""
    estimate = estimate_call(runnable, messages, tracker)
    with tracker.reserve(estimate):
        return await runnable.ainvoke(messages, config=with_usage_callback(config, tracker))


def _unwrap(runnable: Runnable[Any, Any]) -> tuple[BaseChatModel | None, dict[str, Any]]:
    """The chat model inside ``runnable`` and the kwargs bound to it."""
    kwargs: dict[str, Any] = {}
    node: Runnable[Any, Any] = runnable
    for _ in range(32):
        if isinstance(node, BaseChatModel):
            return node, kwargs
        if isinstance(node, RunnableBinding):
            kwargs = {**node.kwargs, **kwargs}
            node = node.bound
        elif isinstance(node, RunnableSequence):
            node = node.first
        elif isinstance(node, RunnableParallel):
            steps = list(node.steps__.values())
            if not steps:
                break
            node = steps[0]
        elif isinstance(node, RunnableWithFallbacks):
            node = node.runnable
        else:
            break
    return None, kwargs
