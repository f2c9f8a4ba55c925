"""The catalog cluster on the sandbox: its graph with the project's services and serializer,
helpers to drive it as the webhooks and the sync API do, and the emulators' state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from graphs.catalog import build_catalog_graph
from nodes.clusters import ClusterReport, ClusterTask
from nodes.context import Context
from nodes.serde import checkpoint_serializer
from nodes.services import Services
from tests.integration.pipeline_support import point_at
from tools.catalog.codec import path_for
from tools.github import GitHubClient
from tools.sandbox import SandboxServer
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.shopify import ShopifyEmulator

REPO = "royal-equips/storefront"


@dataclass
class Catalog:
    services: Services
    graph: CompiledStateGraph[Any, Any, Any, Any]
    sandbox: SandboxServer

    @property
    def github(self) -> GitHubEmulator:
        emulator = self.sandbox.sandbox.emulators["github"]
        assert isinstance(emulator, GitHubEmulator)
        return emulator

    @property
    def shopify(self) -> ShopifyEmulator:
        emulator = self.sandbox.sandbox.emulators["shopify"]
        assert isinstance(emulator, ShopifyEmulator)
        return emulator

    @property
    def client(self) -> GitHubClient:
        return self.services.github

    async def run(self, thread: str, operation: str, **parameters: Any) -> dict[str, Any]:
        task = ClusterTask(
            cluster="catalog",
            title=f"Catalog {operation}",
            instructions=f"Run the catalog operation {operation}.",
            parameters={"operation": operation, **parameters},
        )
        return await self.graph.ainvoke(
            {"task": task, "goal": f"test {operation}"},
            {"configurable": {"thread_id": thread}},
            context=Context(services=self.services),
        )

    async def decide(self, thread: str, result: dict[str, Any], decision: str) -> dict[str, Any]:
        """Answer every pending approval of ``thread`` and run on."""
        resume = {
            pending.id: {"decision": decision, "decided_by": "ada@example.com"}
            for pending in result["__interrupt__"]
        }
        return await self.graph.ainvoke(
            Command(resume=resume),
            {"configurable": {"thread_id": thread}},
            context=Context(services=self.services),
        )

    def shopify_writes(self) -> dict[str, int]:
        counts = self.sandbox.sandbox.ledger.counts()
        return {k: v for k, v in counts.items() if k.startswith("shopify.")}

    def live(self, handle: str) -> Any:
        product = self.shopify.store.handle_owner(handle)
        assert product is not None, handle
        return product

    def main_file(self, handle: str) -> str | None:
        data = self.github.read_file(path_for(handle), ref="main")
        return None if data is None else data.decode()

    async def merge_export(self, result: dict[str, Any]) -> dict[str, Any]:
        """Merge the sync branch's pull request as a reviewer would, and tell the cluster."""
        number = pull_number(result)
        merged = await self.client.merge_pull_request(number)
        return await self.run(
            f"merged-{number}",
            "pull_request_merged",
            pull_request=number,
            merge_commit_sha=merged.sha,
            head_ref="catalog-sync/shopify",
            base_ref="main",
        )

    async def pull_request(self, branch: str, files: dict[str, str], title: str) -> int:
        """A person's branch with edited files, opened as a pull request."""
        self.github.write_files(branch, {p: t.encode() for p, t in files.items()}, title)
        pull = await self.client.create_pull_request(title=title, head=branch, base="main")
        return pull.number

    async def merge(self, thread: str, number: int, branch: str) -> dict[str, Any]:
        merged = await self.client.merge_pull_request(number)
        return await self.run(
            thread,
            "pull_request_merged",
            pull_request=number,
            merge_commit_sha=merged.sha,
            head_ref=branch,
            base_ref="main",
        )


def report(result: dict[str, Any]) -> ClusterReport:
    """The report of the run that produced ``result`` (a thread's reports accumulate)."""
    found = result["reports"][-1]
    assert isinstance(found, ClusterReport)
    return found


def pull_number(result: dict[str, Any]) -> int:
    text = report(result).summary
    marker = "pull request #"
    assert marker in text, text
    return int(text.split(marker, 1)[1].split(" ", 1)[0])


@pytest.fixture
async def catalog(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Catalog]:
    backend = getattr(request, "param", "sqlite")
    database = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    settings = point_at(monkeypatch, sandbox, database)
    async with Services.open(settings) as services:
        graph = build_catalog_graph().compile(
            checkpointer=InMemorySaver(serde=checkpoint_serializer())
        )
        yield Catalog(services=services, graph=graph, sandbox=sandbox)
