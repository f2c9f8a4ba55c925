"""The offline model: deterministic chat, tool calls, structured output, streaming and usage."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tools.llm import (
    CHAT,
    GENERIC_MARK,
    OFFLINE_MODEL_NAME,
    OfflineChatModel,
    OfflineRequest,
    ResponderRegistry,
    count_completion_tokens,
    count_tokens,
    offline_responder,
)

GOAL = "Find and publish 2 new products under 30 euro in the home category"


class Task(BaseModel):
    cluster: Literal["product", "marketing"]
    instructions: str
    max_price_eur: Decimal = Field(gt=0)
    count: int = Field(ge=1, le=10)


class Plan(BaseModel):
    """A plan of cluster tasks."""

    objective: str
    tasks: list[Task] = Field(min_length=1)
    clarifying_question: str = ""


class Verdict(TypedDict):
    """A yes/no verdict."""

    approved_by_model: bool
    reason: str


@tool
def search_catalog(query: str, max_price_eur: float) -> str:
    """Search the supplier catalogs for products."""
    return query


@tool
def get_order_status(order_id: str) -> str:
    """Look up the status of a customer order."""
    return order_id


@pytest.fixture
def registry() -> ResponderRegistry:
    """An empty registry, so tests never see responders registered elsewhere."""
    return ResponderRegistry()


@pytest.fixture
def model(registry: ResponderRegistry) -> OfflineChatModel:
    return OfflineChatModel(registry=registry)


def _messages() -> list[BaseMessage]:
    return [SystemMessage("You are the CEO."), HumanMessage(GOAL)]


def _join(messages: Sequence[BaseMessage]) -> AIMessageChunk:
    chunks = [m for m in messages if isinstance(m, AIMessageChunk)]
    assert len(chunks) == len(messages)  # streaming yields chunks only
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# --- plain chat --------------------------------------------------------------------------------


def test_plain_chat_is_a_labelled_template_and_deterministic(model: OfflineChatModel) -> None:
    first = model.invoke(_messages())
    second = OfflineChatModel(registry=ResponderRegistry()).invoke(_messages())
    assert isinstance(first, AIMessage)
    assert first.content == second.content
    assert first.text.startswith("[offline]")
    assert GOAL in first.text
    assert first.response_metadata["model_name"] == OFFLINE_MODEL_NAME
    assert first.response_metadata["offline_responder"] == f"template:{CHAT}"


def test_chat_responder_replaces_the_template(registry: ResponderRegistry) -> None:
    seen: list[OfflineRequest] = []

    def answer(request: OfflineRequest) -> str:
        seen.append(request)
        return f"Planned: {request.last_human_text.lower()}"

    model = OfflineChatModel(registry=registry, responders={CHAT: answer})
    reply = model.invoke(_messages())
    assert reply.content == f"Planned: {GOAL.lower()}"
    assert seen[0].kind == "chat"
    assert seen[0].system_text == "You are the CEO."


def test_stop_sequences_cut_the_reply(model: OfflineChatModel) -> None:
    reply = model.invoke(_messages(), stop=["You wrote"])
    assert reply.text.endswith("template. ")


# --- structured output -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_generic_instance_is_valid(
    model: OfflineChatModel, method: Literal["json_schema", "function_calling", "json_mode"]
) -> None:
    plan = model.with_structured_output(Plan, method=method).invoke(_messages())
    assert isinstance(plan, Plan)
    assert plan.objective.startswith(GENERIC_MARK)
    assert plan.tasks[0].cluster == "product"  # first enum member
    assert plan.tasks[0].max_price_eur == Decimal(2)  # first number in the message that fits
    assert plan.tasks[0].count == 2  # 30 does not fit 1..10; the next number that fits
    assert plan.clarifying_question == ""  # default kept
    again = model.with_structured_output(Plan, method=method).invoke(_messages())
    assert again == plan


def test_generic_numbers_follow_the_message_in_order(model: OfflineChatModel) -> None:
    plan = model.with_structured_output(Plan).invoke([HumanMessage("3 products under 25 euro")])
    assert isinstance(plan, Plan)
    # max_price_eur takes the first number (3); count the next one that fits 1..10 -> 3 again
    assert plan.tasks[0].max_price_eur == Decimal(3)
    assert plan.tasks[0].count == 3


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_registered_responder_answers_its_schema(
    registry: ResponderRegistry, method: Literal["json_schema", "function_calling"]
) -> None:
    @offline_responder("Plan", registry=registry)
    def plan(request: OfflineRequest) -> Plan:
        assert request.kind == "structured_output"
        assert request.schema["properties"]["tasks"]
        return Plan(
            objective=f"Rule-based: {request.last_human_text}",
            tasks=[
                Task(
                    cluster="product", instructions="scout", max_price_eur=Decimal("30.00"), count=2
                )
            ],
        )

    model = OfflineChatModel(registry=registry)
    result = model.with_structured_output(Plan, method=method, include_raw=True).invoke(_messages())
    assert isinstance(result, dict)
    parsed = result["parsed"]
    assert isinstance(parsed, Plan)
    assert parsed.objective == f"Rule-based: {GOAL}"
    assert parsed.tasks[0].max_price_eur == Decimal("30.00")
    assert result["parsing_error"] is None
    assert result["raw"].response_metadata["offline_responder"] == "registered:Plan"


def test_instance_responders_win_over_the_registry(registry: ResponderRegistry) -> None:
    registry.register("Verdict", lambda _: {"approved_by_model": True, "reason": "registry"})
    model = OfflineChatModel(
        registry=registry,
        responders={"Verdict": lambda _: {"approved_by_model": False, "reason": "instance"}},
    )
    verdict = model.with_structured_output(Verdict).invoke(_messages())
    assert verdict == {"approved_by_model": False, "reason": "instance"}


def test_declining_responder_falls_back_to_the_generic_filler(registry: ResponderRegistry) -> None:
    registry.register("Verdict", lambda _: None)
    raw = (
        OfflineChatModel(registry=registry)
        .with_structured_output(Verdict, include_raw=True)
        .invoke(_messages())
    )
    assert isinstance(raw, dict)
    assert raw["parsed"] == {"approved_by_model": False, "reason": f"{GENERIC_MARK} reason: {GOAL}"}
    assert raw["raw"].response_metadata["offline_responder"] == "generic:Verdict"


def test_registering_a_name_twice_needs_replace(registry: ResponderRegistry) -> None:
    registry.register("Plan", lambda _: None)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("Plan", lambda _: {})
    registry.register("Plan", lambda _: {}, replace=True)
    assert registry.names() == ["Plan"]


def test_json_schema_dict_schema_returns_a_dict(model: OfflineChatModel) -> None:
    schema = {
        "title": "Score",
        "description": "A score.",
        "type": "object",
        "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 100}},
        "required": ["score"],
    }
    assert model.with_structured_output(schema).invoke("rate it 87 out of 100") == {"score": 87}


# --- tools -------------------------------------------------------------------------------------


def test_bind_tools_picks_the_tool_the_message_is_about(model: OfflineChatModel) -> None:
    bound = model.bind_tools([get_order_status, search_catalog])
    reply = bound.invoke([HumanMessage("Search the catalog for lamps under 40")])
    assert isinstance(reply, AIMessage)
    assert reply.content == ""
    [call] = reply.tool_calls
    assert call["name"] == "search_catalog"
    assert call["args"]["max_price_eur"] == 40
    assert call["args"]["query"].startswith(GENERIC_MARK)
    assert call["id"] is not None
    assert call["id"].startswith("call_")
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    again = bound.invoke([HumanMessage("Search the catalog for lamps under 40")])
    assert again.tool_calls == reply.tool_calls


def test_unrelated_message_gets_a_chat_reply(model: OfflineChatModel) -> None:
    reply = model.bind_tools([get_order_status, search_catalog]).invoke("Good morning!")
    assert reply.tool_calls == []
    assert reply.text.startswith("[offline]")


def test_tool_choice_forces_a_tool(model: OfflineChatModel) -> None:
    reply = model.bind_tools(
        [get_order_status, search_catalog], tool_choice="get_order_status"
    ).invoke("Good morning!")
    assert [c["name"] for c in reply.tool_calls] == ["get_order_status"]
    reply = model.bind_tools([get_order_status, search_catalog], tool_choice="any").invoke(
        "Good morning!"
    )
    assert [c["name"] for c in reply.tool_calls] == ["get_order_status"]
    with pytest.raises(ValueError, match="not one of the bound tools"):
        model.bind_tools([get_order_status], tool_choice="refund").invoke("hi")


def test_tool_responder_decides_and_may_decline(registry: ResponderRegistry) -> None:
    def order_status(request: OfflineRequest) -> dict[str, Any] | None:
        assert request.tool_names == ("search_catalog", "get_order_status")
        words = request.last_human_text.split()
        ids = [w.strip("?") for w in words if w.startswith("#")]
        return {"order_id": ids[0]} if ids else None

    model = OfflineChatModel(registry=registry, responders={"get_order_status": order_status})
    bound = model.bind_tools([search_catalog, get_order_status])
    reply = bound.invoke("Where is order #1042?")
    assert reply.tool_calls[0]["name"] == "get_order_status"
    assert reply.tool_calls[0]["args"] == {"order_id": "#1042"}
    assert reply.response_metadata["offline_responder"] == "registered:get_order_status"
    declined = bound.invoke("Where is my order?")  # no order id: the responder declines
    assert declined.tool_calls == []
    assert declined.text.startswith("[offline]")


def test_after_tool_results_the_model_answers(model: OfflineChatModel) -> None:
    bound = model.bind_tools([search_catalog])
    first = bound.invoke([HumanMessage("Search the catalog for lamps")])
    call = first.tool_calls[0]
    result = ToolMessage("3 lamps found", tool_call_id=call["id"] or "", name=call["name"])
    final = bound.invoke([HumanMessage("Search the catalog for lamps"), first, result])
    assert final.tool_calls == []
    assert "search_catalog: 3 lamps found" in final.text


def test_same_call_in_a_later_turn_gets_a_new_id(model: OfflineChatModel) -> None:
    bound = model.bind_tools([search_catalog])
    turn = [HumanMessage("Search the catalog for lamps")]
    first = bound.invoke(turn)
    done = ToolMessage("none", tool_call_id=first.tool_calls[0]["id"] or "")
    second = bound.invoke([*turn, first, done, HumanMessage("Search the catalog for lamps")])
    assert first.tool_calls[0]["id"] != second.tool_calls[0]["id"]


# --- streaming and usage -----------------------------------------------------------------------


def test_stream_chunks_join_to_the_invoked_message(model: OfflineChatModel) -> None:
    chunks = list(model.stream(_messages()))
    assert len(chunks) > 10  # token by token, not one blob
    joined = _join(chunks)
    whole = model.invoke(_messages())
    assert joined.content == whole.content
    assert joined.usage_metadata == whole.usage_metadata
    assert joined.response_metadata["model_name"] == OFFLINE_MODEL_NAME


async def test_astream_tool_calls_and_structured_json(model: OfflineChatModel) -> None:
    bound = model.bind_tools([search_catalog])
    chunks = [c async for c in bound.astream("Search the catalog for lamps under 40")]
    joined = _join(chunks)
    whole = await bound.ainvoke("Search the catalog for lamps under 40")
    assert joined.tool_calls == whole.tool_calls
    structured = model.with_structured_output(Verdict)
    partials = [p async for p in structured.astream(_messages())]
    assert len(partials) > 1  # the JSON streams in pieces and parses incrementally
    assert partials[-1] == await structured.ainvoke(_messages())


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(
        self, token: str | list[str | dict[str, Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        assert isinstance(token, str)
        self.tokens.append(token)


async def test_callbacks_see_each_token_once(model: OfflineChatModel) -> None:
    sync, asynchronous = _Tokens(), _Tokens()
    whole = model.invoke(_messages())
    list(model.stream(_messages(), config={"callbacks": [sync]}))
    [c async for c in model.astream(_messages(), config={"callbacks": [asynchronous]})]
    assert "".join(sync.tokens) == whole.text
    assert "".join(asynchronous.tokens) == whole.text


def test_streaming_handles_multibyte_characters(model: OfflineChatModel) -> None:
    text = "Prijs €30 — 日本語 🎉 klaar"
    chunks = list(model.stream(text))
    assert "".join(str(c.content) for c in chunks).endswith(f"“{text}”")


def test_usage_metadata_uses_the_budget_counter(model: OfflineChatModel) -> None:
    reply = model.invoke(_messages())
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] == count_tokens(_messages(), OFFLINE_MODEL_NAME)
    assert reply.usage_metadata["output_tokens"] == count_completion_tokens(
        reply, OFFLINE_MODEL_NAME
    )
    bound = model.bind_tools([search_catalog])
    tool_reply = bound.invoke(_messages())
    assert tool_reply.usage_metadata is not None
    assert tool_reply.usage_metadata["input_tokens"] == count_tokens(
        _messages(), OFFLINE_MODEL_NAME, tools=[search_catalog]
    )
    assert tool_reply.usage_metadata["input_tokens"] > reply.usage_metadata["input_tokens"]
