"""`royal serve` as a process: serves another project's langgraph.json (as `langgraph dev`
does) to the official SDK, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from langgraph_sdk import get_client

FOREIGN_GRAPH = """
from typing_extensions import TypedDict
from langgraph.graph import StateGraph, START, END
from langgraph.types import interrupt


class State(TypedDict, total=False):
    text: str
    answer: str


def shout(state: State) -> State:
    return {"text": state["text"].upper()}


def ask(state: State) -> State:
    return {"answer": interrupt({"question": "ok?"})}


builder = StateGraph(State)
builder.add_node("shout", shout)
builder.add_node("ask", ask)
builder.add_edge(START, "shout")
builder.add_edge("shout", "ask")
builder.add_edge("ask", END)
graph = builder.compile()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"royal serve exited: {process.communicate()[0]}")
        try:
            if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("royal serve did not answer /ok")


async def test_serve_a_foreign_langgraph_json(tmp_path: Path) -> None:
    project = tmp_path / "other"
    (project / "agent").mkdir(parents=True)
    (project / "agent" / "shouter.py").write_text(FOREIGN_GRAPH)
    (project / "langgraph.json").write_text('{"graphs": {"shouter": "./agent/shouter.py:graph"}}')
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: ASYNC220 - a server for the whole test
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port),
         "--config", str(project / "langgraph.json")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "ROYAL_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"},
    )  # fmt: skip
    try:
        _wait_until_up(url, process)
        client = get_client(url=url)
        assert [a["assistant_id"] for a in await client.assistants.search()] == ["shouter"]
        thread = await client.threads.create()
        parts = [
            part
            async for part in client.runs.stream(
                thread["thread_id"], "shouter", input={"text": "hi"}, stream_mode="updates"
            )
        ]
        # The interrupt comes as an update and, as the reference does, as a values event.
        assert [p.event for p in parts] == ["metadata", "updates", "values", "updates", "end"]
        assert parts[1].data == {"shout": {"text": "HI"}}
        assert parts[2].data["__interrupt__"][0]["value"] == {"question": "ok?"}
        assert parts[3].data == parts[2].data
        done = await client.runs.wait(thread["thread_id"], "shouter", command={"resume": "yes"})
        assert done == {"text": "HI", "answer": "yes"}
        await client.http.client.aclose()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output  # a graceful stop, not death by the signal
    assert "Serving shouter" in output
    assert "Traceback" not in output


def test_serve_reports_a_bad_config_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--config", str(tmp_path / "missing.json")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_what_cannot_work_without_redis(tmp_path: Path) -> None:
    """Several API processes, or an API without workers, need Redis to stream each other's runs."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    for extra in (["--processes", "2"], ["--no-workers"]):
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "serve", *extra],
            capture_output=True, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert "needs REDIS_URL" in result.stderr
        assert "Traceback" not in result.stderr
