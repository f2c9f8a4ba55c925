"""Chat with the CEO: threads, new conversations, and a turn as a streamed background run."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from host import runs
from host.errors import UnavailableError
from host.identity import acting_as
from host.progress import message_text
from host.runtime import Runtime
from server.console.security import ConsoleUser, OperatorWrite, RuntimeDep, Viewer
from server.console.views import render
from storage.runs import ThreadRow

router = APIRouter()

CEO = "ceo"
Message = Annotated[str, Form(min_length=1, max_length=4000, pattern=r"\S")]


def _messages(values: Any) -> list[dict[str, str]]:
    """The conversation as (who, text) for the page: people and the CEO, not tool chatter."""
    raw = values.get("messages") if isinstance(values, dict) else None
    shown = []
    for message in raw if isinstance(raw, list) else []:
        if not isinstance(message, dict) or message.get("type") not in ("human", "ai"):
            continue
        text = message_text(message.get("content"))
        if text:
            shown.append({"who": "you" if message["type"] == "human" else "CEO", "text": text})
    return shown


def label(values: Any, thread_id: str) -> str:
    """What a conversation is about: its goal, else its first message, else its id."""
    goal = values.get("goal") if isinstance(values, dict) else None
    if isinstance(goal, str) and goal:
        return goal[:80]
    first = next((m["text"] for m in _messages(values) if m["who"] == "you"), None)
    return (first or thread_id)[:80]


@router.get("/chat", response_class=HTMLResponse)
async def chat_home(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    return await _chat_page(request, runtime, user, None, None)


@router.get("/chat/{thread_id}", response_class=HTMLResponse)
async def chat_thread(
    request: Request,
    thread_id: str,
    runtime: RuntimeDep,
    user: Viewer,
    run: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    thread = await runtime.thread(thread_id)
    if run is None:
        inflight = await runtime.store.inflight_runs(thread_id=thread_id)
        run = inflight[-1].run_id if inflight else None
    return await _chat_page(request, runtime, user, thread, run)


async def _chat_page(
    request: Request,
    runtime: Runtime,
    user: ConsoleUser,
    thread: ThreadRow | None,
    run_id: str | None,
) -> HTMLResponse:
    """The CEO's conversations beside one of them (or none: a new one)."""
    threads, total = await runtime.store.search_threads(metadata={"graph_id": CEO}, limit=50)
    return render(
        request,
        "chat.html",
        user,
        threads=threads,
        total=total,
        thread=thread,
        messages=[] if thread is None else _messages(thread.values),
        run_id=run_id,
        label=label,
    )


async def _turn(runtime: Any, user: ConsoleUser, thread_id: str, text: str) -> Any:
    if CEO not in runtime.graphs:
        raise UnavailableError("the ceo graph is not served here")
    with acting_as(user.principal):
        return await runs.start(
            runtime,
            thread_id,
            CEO,
            input={"messages": [{"role": "human", "content": text}]},
            context={"operator": user.username},
            metadata={"goal_set_by": user.username, "source": "console"},
        )


def _started(request: Request, thread_id: str, run_id: str) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"thread_id": thread_id, "run_id": run_id, "stream": f"/console/runs/{run_id}/stream"},
            status_code=202,
        )
    return RedirectResponse(f"/console/chat/{thread_id}?run={run_id}", status_code=303)


@router.post("/chat")
async def new_chat(
    request: Request, text: Message, runtime: RuntimeDep, user: OperatorWrite
) -> Response:
    """A new conversation: the CEO plans the goal and the clusters work on it."""
    thread_id = str(uuid.uuid4())
    run = await _turn(runtime, user, thread_id, text.strip())
    return _started(request, thread_id, run.run_id)


@router.post("/chat/{thread_id}")
async def continue_chat(
    request: Request, thread_id: str, text: Message, runtime: RuntimeDep, user: OperatorWrite
) -> Response:
    await runtime.thread(thread_id)
    run = await _turn(runtime, user, thread_id, text.strip())
    return _started(request, thread_id, run.run_id)
