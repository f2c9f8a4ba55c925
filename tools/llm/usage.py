"""Token counting, cost, and the per-run usage tracker that enforces the budget.

Two numbers exist for every call. Before it, an *estimate* (tiktoken over the prompt and the
bound tools, plus the expected completion) decides whether the call may start at all. After it,
the *actual* usage the provider reports in ``AIMessage.usage_metadata`` is recorded. A call is
refused — before any request is sent — when what the run has spent, plus what is in flight,
plus the estimate would cross a limit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.prompt_values import PromptValue
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from tools.llm.config import ModelConfig, PriceTable, RunBudget
from tools.llm.tokenizer import encoding_for_model

#: Per-message framing OpenAI's chat format adds (role markers), and the reply's priming.
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3
#: What one image costs at low detail; high detail is dearer but unknown before the call.
_TOKENS_PER_IMAGE = 85


def count_text_tokens(text: str, model: str) -> int:
    """Tokens in ``text`` as ``model``'s tokenizer splits it (special tokens as plain text)."""
    return len(encoding_for_model(model).encode_ordinary(text)) if text else 0


def count_tokens(
    messages: LanguageModelInput,
    model: str,
    *,
    tools: Sequence[Any] = (),
) -> int:
    """Prompt tokens of a chat call: messages, their framing, and the bound tool schemas.

    Follows OpenAI's counting for chat models; tool definitions are counted as their JSON,
    which slightly over-counts (a safe error for a budget).
    """
    total = _REPLY_PRIMING
    for message in _as_messages(messages):
        total += _TOKENS_PER_MESSAGE + count_text_tokens(message.type, model)
        total += _content_tokens(message.content, model)
        if message.name:
            total += _TOKENS_PER_NAME + count_text_tokens(message.name, model)
        if isinstance(message, AIMessage):
            total += _tool_calls_tokens(message, model)
    for tool in tools:
        total += count_text_tokens(_json(_tool_schema(tool)), model)
    return total


def count_completion_tokens(message: BaseMessage, model: str) -> int:
    """Completion tokens of a reply: its text and the JSON of its tool calls."""
    total = _content_tokens(message.content, model)
    if isinstance(message, AIMessage):
        total += _tool_calls_tokens(message, model)
    return total


def _as_messages(messages: LanguageModelInput) -> list[BaseMessage]:
    if isinstance(messages, PromptValue):
        return messages.to_messages()
    if isinstance(messages, str):
        return convert_to_messages([("human", messages)])
    return convert_to_messages(messages)


def _content_tokens(content: str | list[str | dict[str, Any]], model: str) -> int:
    if isinstance(content, str):
        return count_text_tokens(content, model)
    total = 0
    for block in content:
        if isinstance(block, str):
            total += count_text_tokens(block, model)
        elif block.get("type") == "text":
            total += count_text_tokens(str(block.get("text", "")), model)
        elif block.get("type") in {"image", "image_url"}:
            total += _TOKENS_PER_IMAGE
        else:
            total += count_text_tokens(_json(block), model)
    return total


def _tool_calls_tokens(message: AIMessage, model: str) -> int:
    return sum(
        count_text_tokens(call["name"], model) + count_text_tokens(_json(call["args"]), model)
        for call in message.tool_calls
    )


def _tool_schema(tool: Any) -> Mapping[str, Any]:
    if isinstance(tool, Mapping) and tool.get("type") == "json_schema":
        return tool  # a response_format
    return convert_to_openai_tool(tool)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# --- money formatting -------------------------------------------------------------------------


def format_eur(amount: Decimal) -> str:
    """``€0.48``; amounts under a cent keep four decimals so they do not read as zero."""
    if amount != 0 and abs(amount) < Decimal("0.01"):
        return f"€{amount.quantize(Decimal('0.0001'))}"
    return f"€{amount.quantize(Decimal('0.01'))}"


# --- tracker ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallEstimate:
    """What a call is expected to consume, computed before it is made."""

    model: str
    input_tokens: int
    output_tokens: int
    cost_eur: Decimal

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class BudgetExceededError(RuntimeError):
    """A model call was refused because it would take the run over its budget."""

    def __init__(
        self,
        *,
        limit: Literal["cost", "tokens"],
        budget: Decimal | int,
        spent: Decimal | int,
        in_flight: Decimal | int,
        estimate: CallEstimate,
    ) -> None:
        self.limit = limit
        self.budget = budget
        self.spent = spent
        self.in_flight = in_flight
        self.estimate = estimate
        super().__init__(self._explain())

    def _explain(self) -> str:
        if self.limit == "cost":
            fmt, head = _format_cost, f"run budget of {_format_cost(self.budget)} exhausted"
            next_call = fmt(self.estimate.cost_eur)
        else:
            fmt, head = (
                _format_tokens,
                f"run token budget of {_format_tokens(self.budget)} exhausted",
            )
            next_call = fmt(self.estimate.total_tokens)
        flight = f" (+{fmt(self.in_flight)} in calls still running)" if self.in_flight else ""
        return (
            f"{head}: spent {fmt(self.spent)}{flight}, next call estimated {next_call} "
            f"({self.estimate.model}, {self.estimate.input_tokens:,} prompt + "
            f"~{self.estimate.output_tokens:,} completion tokens)"
        )


def _format_cost(value: Decimal | int) -> str:
    return format_eur(Decimal(value))


def _format_tokens(value: Decimal | int) -> str:
    return f"{int(value):,} tokens"


class Usage(BaseModel):
    """Totals for one slice of a run (all of it, one role, or one model)."""

    model_config = ConfigDict(extra="forbid")

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_eur: Decimal = Decimal(0)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, input_tokens: int, output_tokens: int, cached: int, cost: Decimal) -> None:
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cached_tokens += cached
        self.cost_eur += cost


class UsageSummary(BaseModel):
    """A run's model usage, for run metadata, metrics and the console."""

    model_config = ConfigDict(extra="forbid")

    total: Usage
    by_role: dict[str, Usage] = Field(default_factory=dict)
    by_model: dict[str, Usage] = Field(default_factory=dict)
    budget: RunBudget
    estimated_calls: int = Field(
        default=0, description="Calls whose provider reported no usage; counted with tiktoken."
    )
    fallback_priced_models: list[str] = Field(
        default_factory=list, description="Models missing from the price table (fallback price)."
    )


class UsageTracker:
    """One run's model usage and budget. Thread-safe: parallel branches share one tracker."""

    def __init__(self, budget: RunBudget | None = None, prices: PriceTable | None = None) -> None:
        self.budget = budget or RunBudget()
        self.prices = prices or PriceTable()
        self._lock = threading.Lock()
        self._total = Usage()
        self._by_role: dict[str, Usage] = {}
        self._by_model: dict[str, Usage] = {}
        self._seen_calls: set[str] = set()
        self._estimated_calls = 0
        self._fallback_priced: set[str] = set()
        self._reserved_cost = Decimal(0)
        self._reserved_tokens = 0

    @classmethod
    def from_config(cls, config: ModelConfig) -> UsageTracker:
        return cls(budget=config.budget, prices=config.prices)

    # -- reading --------------------------------------------------------------------------

    @property
    def cost_eur(self) -> Decimal:
        with self._lock:
            return self._total.cost_eur

    @property
    def total_tokens(self) -> int:
        with self._lock:
            return self._total.total_tokens

    def summary(self) -> UsageSummary:
        with self._lock:
            return UsageSummary(
                total=self._total.model_copy(),
                by_role={k: v.model_copy() for k, v in sorted(self._by_role.items())},
                by_model={k: v.model_copy() for k, v in sorted(self._by_model.items())},
                budget=self.budget,
                estimated_calls=self._estimated_calls,
                fallback_priced_models=sorted(self._fallback_priced),
            )

    # -- before a call --------------------------------------------------------------------

    def estimate(
        self,
        model: str,
        messages: LanguageModelInput,
        *,
        tools: Sequence[Any] = (),
        max_output_tokens: int | None = None,
    ) -> CallEstimate:
        """The expected cost of calling ``model`` with ``messages`` (and ``tools`` bound)."""
        input_tokens = count_tokens(messages, model, tools=tools)
        output_tokens = max_output_tokens or self.budget.expected_output_tokens
        cost = self.prices.cost(model, input_tokens, output_tokens)
        return CallEstimate(model, input_tokens, output_tokens, cost)

    def check(self, estimate: CallEstimate) -> None:
        """Raise :class:`BudgetExceededError` if ``estimate`` does not fit what is left."""
        with self._lock:
            self._check_locked(estimate)

    @contextmanager
    def reserve(self, estimate: CallEstimate) -> Iterator[None]:
        """Check and hold ``estimate`` while the call runs, so parallel calls cannot overshoot."""
        with self._lock:
            self._check_locked(estimate)
            self._reserved_cost += estimate.cost_eur
            self._reserved_tokens += estimate.total_tokens
        try:
            yield
        finally:
            with self._lock:
                self._reserved_cost -= estimate.cost_eur
                self._reserved_tokens -= estimate.total_tokens

    def _check_locked(self, estimate: CallEstimate) -> None:
        budget = self.budget
        spent_cost = self._total.cost_eur
        if (
            budget.max_cost_eur is not None
            and spent_cost + self._reserved_cost + estimate.cost_eur > budget.max_cost_eur
        ):
            raise BudgetExceededError(
                limit="cost",
                budget=budget.max_cost_eur,
                spent=spent_cost,
                in_flight=self._reserved_cost,
                estimate=estimate,
            )
        spent_tokens = self._total.total_tokens
        if (
            budget.max_tokens is not None
            and spent_tokens + self._reserved_tokens + estimate.total_tokens > budget.max_tokens
        ):
            raise BudgetExceededError(
                limit="tokens",
                budget=budget.max_tokens,
                spent=spent_tokens,
                in_flight=self._reserved_tokens,
                estimate=estimate,
            )

    # -- after a call ---------------------------------------------------------------------

    def record(
        self,
        *,
        model: str,
        usage: UsageMetadata,
        role: str | None = None,
        call_id: str | None = None,
        estimated: bool = False,
    ) -> bool:
        """Add one call's usage; a ``call_id`` already recorded is ignored (returns False)."""
        input_tokens = int(usage.get("input_tokens", 0))
        output_tokens = int(usage.get("output_tokens", 0))
        cached = int(usage.get("input_token_details", {}).get("cache_read", 0) or 0)
        price, is_fallback = self.prices.lookup(model)
        cost = price.cost(input_tokens, output_tokens, cached)
        with self._lock:
            if call_id is not None:
                if call_id in self._seen_calls:
                    return False
                self._seen_calls.add(call_id)
            self._total.add(input_tokens, output_tokens, cached, cost)
            self._by_model.setdefault(model, Usage()).add(input_tokens, output_tokens, cached, cost)
            self._by_role.setdefault(role or "unknown", Usage()).add(
                input_tokens, output_tokens, cached, cost
            )
            if estimated:
                self._estimated_calls += 1
            if is_fallback:
                self._fallback_priced.add(model)
        return True
