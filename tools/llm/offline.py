"""The offline chat model: deterministic answers by rules and templates, with no network.

It stands in for ``ChatOpenAI`` when no API key is configured, so the whole system — tool
calling, structured output, token streaming, usage accounting — runs with no account at all.
Answers come from responders (see :mod:`tools.llm.responders`) or, when none is registered,
from a schema-driven generic filler and plain templates. Same conversation, same answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from tools.llm.config import OFFLINE_MODEL_NAME
from tools.llm.responders import (
    CHAT,
    OfflineRequest,
    Responder,
    ResponderRegistry,
    ResponderResult,
    default_registry,
)
from tools.llm.schema_filler import fill_schema
from tools.llm.tokenizer import encoding_for_model
from tools.llm.usage import count_completion_tokens, count_tokens

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

#: How an answer was produced, in ``response_metadata["offline_responder"]``.
Origin = Literal["registered", "generic", "template"]

logger = logging.getLogger(__name__)

_SNIPPET_CHARS = 280
#: Schema and tool names already logged as answered generically (logged once per process).
_ANNOUNCED_GENERIC: set[str] = set()
_NAME_WEIGHT = 2
_MIN_TOOL_SCORE = 2


@dataclass(slots=True)
class _Reply:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    origin: Origin = "template"
    answered: str = CHAT


class OfflineChatModel(BaseChatModel):
    """Deterministic, network-free chat model with tool calling and structured output."""

    model_name: str = Field(default=OFFLINE_MODEL_NAME, alias="model")
    responders: dict[str, Responder] = Field(default_factory=dict)
    """Per-instance responders; they take precedence over ``registry``."""
    registry: ResponderRegistry = Field(default_factory=lambda: default_registry, exclude=True)

    model_config = ConfigDict(populate_by_name=True)

    @property
    def _llm_type(self) -> str:
        return "royal-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="offline", ls_model_name=self.model_name, ls_model_type="chat"
        )
        if stop:
            params["ls_stop"] = stop
        return params

    # -- binding --------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: StructuredMethod = "json_schema",
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Like ``ChatOpenAI.with_structured_output``: same methods, same output types."""
        if kwargs:
            raise ValueError(f"unsupported arguments: {sorted(kwargs)}")
        is_model = isinstance(schema, type) and is_basemodel_subclass(schema)
        trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any]
        if method == "function_calling":
            name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=name,
                ls_structured_output_format=trace,
                offline_structured_output=True,
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)
                if is_model
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        elif method in {"json_schema", "json_mode"}:
            llm = self.bind(
                response_format=_response_format(schema, strict),
                ls_structured_output_format=trace,
            )
            parser = (
                PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
            )
        else:
            raise ValueError(
                f"unknown method {method!r}: use json_schema, function_calling or json_mode"
            )
        if not include_raw:
            return llm | parser
        parse = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parse.with_fallbacks(
            [no_parse], exception_key="parsing_error"
        )

    # -- generation -----------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._respond(messages, stop, kwargs)
        message = AIMessage(
            content=reply.content,
            tool_calls=reply.tool_calls,
            usage_metadata=self._usage(messages, reply, kwargs),
            response_metadata=self._metadata(reply),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop, None, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # BaseChatModel reports each chunk to the callbacks (on_llm_new_token) itself.
        yield from self._chunks(messages, stop, kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages, stop, kwargs):
            yield chunk

    def _chunks(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> Iterator[ChatGenerationChunk]:
        """The reply as a token stream: text pieces, one chunk per tool call, then usage."""
        reply = self._respond(messages, stop, kwargs)
        for piece in _token_pieces(reply.content, self.model_name):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        for index, call in enumerate(reply.tool_calls):
            chunk = tool_call_chunk(
                name=call["name"], args=_dumps(call["args"]), id=call["id"], index=index
            )
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[chunk]))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=self._usage(messages, reply, kwargs),
                response_metadata=self._metadata(reply),
                chunk_position="last",
            )
        )

    # -- rules ----------------------------------------------------------------------------

    def _respond(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> _Reply:
        response_format = kwargs.get("response_format")
        tools = [convert_to_openai_tool(t) for t in kwargs.get("tools") or []]
        tool_choice = kwargs.get("tool_choice")
        reply: _Reply | None = None
        if response_format is not None:
            reply = self._structured(messages, response_format)
        elif tools and tool_choice != "none":
            structured = bool(kwargs.get("offline_structured_output"))
            reply = self._tool_call(messages, tools, tool_choice, structured)
        if reply is None:
            reply = self._chat(messages)
        if stop and reply.content:
            cut = min((i for s in stop if (i := reply.content.find(s)) >= 0), default=-1)
            if cut >= 0:
                reply.content = reply.content[:cut]
        return reply

    def _responder(self, name: str) -> Responder | None:
        return self.responders.get(name) or self.registry.get(name)

    def _structured(self, messages: Sequence[BaseMessage], response_format: Any) -> _Reply:
        name, description, schema = _response_schema(response_format)
        request = OfflineRequest(
            kind="structured_output",
            name=name,
            messages=tuple(messages),
            schema=schema,
            description=description,
        )
        data, origin = self._data(request)
        return _Reply(content=_dumps(data), origin=origin, answered=name)

    def _tool_call(
        self,
        messages: Sequence[BaseMessage],
        tools: list[dict[str, Any]],
        tool_choice: Any,
        structured: bool = False,
    ) -> _Reply | None:
        # Provider built-in tools (web search, …) have no function schema to answer offline.
        functions = [tool["function"] for tool in tools if tool.get("type") == "function"]
        if not functions:
            return None
        names = tuple(str(f["name"]) for f in functions)
        by_name = dict(zip(names, functions, strict=True))

        def request(function: Mapping[str, Any]) -> OfflineRequest:
            return OfflineRequest(
                kind="structured_output" if structured else "tool_call",
                name=str(function["name"]),
                messages=tuple(messages),
                schema=function.get("parameters") or {"type": "object", "properties": {}},
                description=str(function.get("description") or ""),
                tool_names=names,
            )

        forced = _forced_tool(tool_choice)
        if forced is not None:
            if forced not in by_name:
                raise ValueError(
                    f"tool_choice names {forced!r}, not one of the bound tools {names}"
                )
            data, origin = self._data(request(by_name[forced]))
            return self._call_reply(messages, forced, data, origin)
        required = tool_choice in {"any", "required", True}
        if not required and messages and isinstance(messages[-1], ToolMessage):
            return None  # results are in: answer them instead of calling again
        declined: set[str] = set()
        for function in functions:
            responder = self._responder(str(function["name"]))
            if responder is None:
                continue
            result = responder(request(function))
            if result is None:
                declined.add(str(function["name"]))
                continue
            return self._call_reply(
                messages, str(function["name"]), _as_data(result, function["name"]), "registered"
            )
        open_tools = [f for f in functions if str(f["name"]) not in declined]
        chosen = _best_tool(open_tools, request(functions[0]).last_human_text)
        if chosen is None and required:
            chosen = open_tools[0] if open_tools else functions[0]
        if chosen is None:
            return None
        data, origin = self._data(request(chosen), consult_responder=False)
        return self._call_reply(messages, str(chosen["name"]), data, origin)

    def _call_reply(
        self, messages: Sequence[BaseMessage], name: str, args: dict[str, Any], origin: Origin
    ) -> _Reply:
        digest = hashlib.sha256(
            f"{_conversation_digest(messages)}\n{name}\n{_dumps(args)}".encode()
        ).hexdigest()
        call = ToolCall(name=name, args=args, id=f"call_{digest[:24]}", type="tool_call")
        return _Reply(tool_calls=[call], origin=origin, answered=name)

    def _data(
        self, request: OfflineRequest, *, consult_responder: bool = True
    ) -> tuple[dict[str, Any], Origin]:
        responder = self._responder(request.name) if consult_responder else None
        if responder is not None:
            result = responder(request)
            if result is not None:
                return _as_data(result, request.name), "registered"
        if request.name not in _ANNOUNCED_GENERIC:
            _ANNOUNCED_GENERIC.add(request.name)
            logger.info(
                "offline model: no responder for %r, answering with the generic schema filler",
                request.name,
            )
        filled = fill_schema(request.schema, context=request.last_human_text, name=request.name)
        if not isinstance(filled, dict):
            filled = {"value": filled}
        return filled, "generic"

    def _chat(self, messages: Sequence[BaseMessage]) -> _Reply:
        request = OfflineRequest(kind="chat", name=CHAT, messages=tuple(messages), schema={})
        responder = self._responder(CHAT)
        if responder is not None:
            result = responder(request)
            if result is not None:
                if not isinstance(result, str):
                    raise TypeError(f"the {CHAT} responder must return a str, got {type(result)}")
                return _Reply(content=result, origin="registered")
        results = request.tool_results
        if results:
            lines = [f"- {r.name or r.tool_call_id}: {_snippet(r.text)}" for r in results]
            content = "[offline] Tool results received:\n" + "\n".join(lines)
        else:
            said = _snippet(request.last_human_text) or "(no message)"
            content = (
                "[offline] This is the offline deterministic model (no OPENAI_API_KEY is set), "
                f"so this reply is a template. You wrote: “{said}”"
            )
        return _Reply(content=content)

    # -- accounting -----------------------------------------------------------------------

    def _usage(
        self, messages: Sequence[BaseMessage], reply: _Reply, kwargs: Mapping[str, Any]
    ) -> UsageMetadata:
        bound: list[Any] = list(kwargs.get("tools") or [])
        response_format = kwargs.get("response_format")
        if response_format is not None:
            bound.append(_response_format(response_format, None))
        input_tokens = count_tokens(list(messages), self.model_name, tools=bound)
        output_tokens = count_completion_tokens(
            AIMessage(content=reply.content, tool_calls=reply.tool_calls), self.model_name
        )
        return UsageMetadata(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        )

    def _metadata(self, reply: _Reply) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_provider": "offline",
            "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            "offline_responder": f"{reply.origin}:{reply.answered}",
        }


# --- helpers ----------------------------------------------------------------------------------


def _response_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    """OpenAI's ``response_format`` for ``schema`` (a pydantic class, TypedDict or JSON schema)."""
    if isinstance(schema, Mapping) and schema.get("type") in {"json_schema", "json_object"}:
        return dict(schema)
    if isinstance(schema, Mapping) and "name" in schema and "schema" in schema:
        return {"type": "json_schema", "json_schema": dict(schema)}
    function = convert_to_openai_function(schema, strict=strict)
    spec: dict[str, Any] = {"name": function["name"], "schema": function.get("parameters", {})}
    if function.get("description"):
        spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def _response_schema(response_format: Any) -> tuple[str, str, dict[str, Any]]:
    """Name, description and JSON schema of a bound ``response_format``."""
    if isinstance(response_format, type) or not isinstance(response_format, Mapping):
        response_format = _response_format(response_format, None)
    if response_format.get("type") == "json_object":
        answer = {"type": "object", "properties": {"answer": {"type": "string"}}}
        return "json_object", "", {**answer, "required": ["answer"]}
    spec = response_format["json_schema"]
    return str(spec["name"]), str(spec.get("description") or ""), dict(spec.get("schema") or {})


def _forced_tool(tool_choice: Any) -> str | None:
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function") or {}
        name = function.get("name") or tool_choice.get("name")
        return str(name) if name else None
    if isinstance(tool_choice, str) and tool_choice not in {"auto", "none", "any", "required"}:
        return tool_choice
    return None


def _words(text: str) -> set[str]:
    cleaned = "".join(c.lower() if c.isalnum() else " " for c in text)
    return {word for word in cleaned.split() if len(word) >= 3}


def _best_tool(functions: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The tool whose name (and, less, description) shares most words with the request."""
    said = _words(text)
    best: dict[str, Any] | None = None
    best_score = _MIN_TOOL_SCORE - 1
    for function in functions:
        score = _NAME_WEIGHT * len(said & _words(str(function["name"])))
        score += len(said & _words(str(function.get("description") or "")))
        if score > best_score:
            best, best_score = function, score
    return best


def _as_data(result: ResponderResult, name: str) -> dict[str, Any]:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, Mapping):
        data = to_jsonable_python(dict(result))
        assert isinstance(data, dict)
        return data
    raise TypeError(f"the offline responder for {name!r} must return a mapping or a pydantic model")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET_CHARS else flat[: _SNIPPET_CHARS - 1].rstrip() + "…"


def _conversation_digest(messages: Sequence[BaseMessage]) -> str:
    digest = hashlib.sha256()
    for message in messages:
        digest.update(message.type.encode())
        digest.update(b"\0")
        digest.update(message.text.encode())
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                digest.update(_dumps([call["name"], call["args"]]).encode())
        digest.update(b"\1")
    return digest.hexdigest()


def _token_pieces(text: str, model: str) -> Iterator[str]:
    """``text`` cut at token boundaries (joined where a token splits a UTF-8 character)."""
    if not text:
        return
    encoding = encoding_for_model(model)
    pending = b""
    for token in encoding.encode_ordinary(text):
        pending += encoding.decode_single_token_bytes(token)
        try:
            piece = pending.decode("utf-8")
        except UnicodeDecodeError:
            continue
        pending = b""
        yield piece
    if pending:
        yield pending.decode("utf-8", errors="replace")
