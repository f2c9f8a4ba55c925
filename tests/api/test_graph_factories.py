"""Graph factories in langgraph.json: every signature the reference server accepts, called per
run (and per state read, update and introspection) with the config and ``ServerRuntime`` it
passes, driven through the unchanged SDK over loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from host.graphs import GraphConfigError, load_graphs
from settings import Settings
from tests.api import factory_calls as factory_graphs
from tests.api.server_support import LiveServer, live_server

FACTORIES = Path(__file__).resolve().parent / "factory_graphs.py"
NAMES = ["no_arguments", "with_config", "with_config_and_runtime", "runtime_only", "sync_context"]


def write_config(directory: Path, graphs: dict[str, str]) -> Path:
    config = directory / "langgraph.json"
    config.write_text(json.dumps({"graphs": graphs}))
    return config


@pytest.fixture
def factory_api(tmp_path: Path) -> Iterator[LiveServer]:
    config = write_config(tmp_path, {name: f"{FACTORIES}:{name}" for name in NAMES})
    with live_server(Settings(royal_data_dir=tmp_path / "data"), config_path=config) as server:
        yield server
        assert server.runtime.unexpected_errors == 0


@pytest.fixture
async def client(factory_api: LiveServer) -> AsyncIterator[LangGraphClient]:
    client = get_client(url=factory_api.url)
    yield client
    await client.http.client.aclose()


@pytest.mark.parametrize("name", NAMES)
async def test_each_factory_shape_runs_per_run(client: LangGraphClient, name: str) -> None:
    before = sum(1 for called, _ in factory_graphs.CALLS if called == name)
    thread = await client.threads.create()
    for _ in range(2):
        result = await client.runs.wait(thread["thread_id"], name, input={"text": "hi"})
        assert isinstance(result, dict)
        assert result["text"] == "hi echoed"
        assert result["built_by"] == name
    calls = [args for called, args in factory_graphs.CALLS if called == name][before:]
    assert len(calls) >= 2  # built again for each run (and for state reads)


async def test_config_and_runtime_reach_the_factory(client: LangGraphClient) -> None:
    name = "with_config_and_runtime"
    thread = await client.threads.create()
    result = await client.runs.wait(
        thread["thread_id"], name, input={"text": "a"}, context={"tenant": "t1"}
    )
    assert isinstance(result, dict)
    assert result["access"] == "threads.create_run"
    assert result["thread_id"] == thread["thread_id"]
    executions = [a for n, a in factory_graphs.CALLS if n == name and a["context"]]
    assert executions[-1] == {
        "access": "threads.create_run",
        "store": executions[-1]["store"],
        "context": {"tenant": "t1"},
    }
    assert executions[-1]["store"].endswith("Store")

    mark = len(factory_graphs.CALLS)
    state = await client.threads.get_state(thread["thread_id"])
    values = state["values"]
    assert isinstance(values, dict)
    assert values["text"] == "a echoed"
    await client.threads.get_history(thread["thread_id"])
    await client.threads.update_state(thread["thread_id"], {"text": "b"}, as_node="echo")
    await client.assistants.get_graph(name)
    accesses = [a["access"] for n, a in factory_graphs.CALLS[mark:] if n == name]
    assert accesses == ["threads.read", "threads.read", "threads.update", "assistants.read"]


async def test_a_context_manager_factory_is_exited_after_the_run(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    mark = len(factory_graphs.CALLS)
    await client.runs.wait(thread["thread_id"], "runtime_only", input={"text": "x"})
    run_calls = [a for n, a in factory_graphs.CALLS[mark:] if n == "runtime_only"]
    assert run_calls[:2] == [
        {"access": "threads.create_run", "open": True},
        {"access": "threads.create_run", "open": False},
    ]


@pytest.mark.parametrize(
    ("attr", "message"),
    [("too_many", "a factory takes nothing"), ("not_a_graph", "is not a LangGraph graph")],
)
async def test_a_factory_that_cannot_work_is_refused_at_load(
    tmp_path: Path, attr: str, message: str
) -> None:
    config = write_config(tmp_path, {"bad": f"{FACTORIES}:{attr}"})
    with pytest.raises(GraphConfigError, match=message):
        await load_graphs(config, checkpointer=InMemorySaver(), store=InMemoryStore())
