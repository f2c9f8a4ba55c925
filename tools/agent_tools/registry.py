"""Every agent tool in one place: specs for the policy and console, LangChain tools for agents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool

from policies import Access, ActionKind
from tools.agent_tools.clients import SupplierStatusLookup, ToolClients, no_status
from tools.agent_tools.definition import ReadTool, WriteTool
from tools.agent_tools.github_tools import GITHUB_READS, GITHUB_WRITES
from tools.agent_tools.shopify_automatic_discounts import CREATE_AUTOMATIC_DISCOUNT
from tools.agent_tools.shopify_discounts import CREATE_DISCOUNT
from tools.agent_tools.shopify_inventory import SET_INVENTORY
from tools.agent_tools.shopify_orders import CREATE_FULFILLMENT, CREATE_REFUND
from tools.agent_tools.shopify_pricing import UPDATE_PRICES
from tools.agent_tools.shopify_products import PUBLISH_PRODUCT, SET_PRODUCT, UPDATE_PRODUCT
from tools.agent_tools.shopify_reads import SHOPIFY_READS
from tools.agent_tools.spec import METADATA_KEY, Service, ToolSpec
from tools.agent_tools.supplier_tools import SUPPLIER_READS, SUPPLIER_WRITES
from tools.agent_tools.writes import WriteGate, refuse_writes
from tools.github import GitHubClient
from tools.shopify import ShopifyClient
from tools.suppliers import Supplier

READ_TOOLS: tuple[ReadTool[Any], ...] = (*SHOPIFY_READS, *GITHUB_READS, *SUPPLIER_READS)
WRITE_TOOLS: tuple[WriteTool[Any, Any], ...] = (
    SET_PRODUCT,
    UPDATE_PRODUCT,
    PUBLISH_PRODUCT,
    UPDATE_PRICES,
    SET_INVENTORY,
    CREATE_FULFILLMENT,
    CREATE_REFUND,
    CREATE_DISCOUNT,
    CREATE_AUTOMATIC_DISCOUNT,
    *GITHUB_WRITES,
    *SUPPLIER_WRITES,
)


def tool_specs() -> list[ToolSpec]:
    """The spec of every agent tool, reads first."""
    return [tool.spec for tool in READ_TOOLS] + [tool.spec for tool in WRITE_TOOLS]


def write_tool(name: str) -> WriteTool[Any, Any]:
    """A write definition by tool name, for nodes that ``prepare`` writes without an LLM."""
    for tool in WRITE_TOOLS:
        if tool.spec.name == name:
            return tool
    raise KeyError(f"no write tool named {name!r}")


def build_agent_tools(
    *,
    shopify: ShopifyClient,
    github: GitHubClient,
    suppliers: Mapping[str, Supplier],
    gate: WriteGate = refuse_writes,
    cluster: str,
    agent: str,
    supplier_status: SupplierStatusLookup | None = None,
) -> list[BaseTool]:
    """Every tool bound to these clients; writes go through ``gate`` as ``cluster``/``agent``.

    With the default gate every write tool raises ``WriteNotGatedError``: pass the approval
    gate (``nodes.approval.tool_gate.gate_for_runtime``) to let writes happen.
    """
    clients = ToolClients(
        shopify=shopify,
        github=github,
        suppliers=suppliers,
        supplier_status=supplier_status or no_status,
    )
    reads = [tool.build(clients) for tool in READ_TOOLS]
    writes = [tool.build(clients, gate=gate, cluster=cluster, agent=agent) for tool in WRITE_TOOLS]
    return [*reads, *writes]


def spec_of(tool: BaseTool) -> ToolSpec:
    """The spec a tool built here carries in its metadata."""
    data = (tool.metadata or {}).get(METADATA_KEY)
    if data is None:
        raise ValueError(f"tool {tool.name!r} carries no Royal spec")
    return ToolSpec.model_validate(data)


def tools_for(
    tools: Iterable[BaseTool],
    *,
    services: Iterable[Service] | None = None,
    kinds: Iterable[ActionKind | str] | None = None,
    access: Access | None = None,
    names: Sequence[str] | None = None,
) -> list[BaseTool]:
    """The tools an agent may use.

    ``services`` keeps tools of those services; ``kinds`` keeps the writes proposing one of
    those action kinds (reads are unaffected: pass ``access=Access.WRITE`` to drop them);
    ``access`` keeps reads or writes only; ``names`` keeps tools by name.
    """
    wanted_services = set(services) if services is not None else None
    wanted_kinds = {ActionKind(kind) for kind in kinds} if kinds is not None else None
    chosen = []
    for tool in tools:
        spec = spec_of(tool)
        if wanted_services is not None and spec.service not in wanted_services:
            continue
        if access is not None and spec.access is not access:
            continue
        if names is not None and spec.name not in names:
            continue
        if (
            wanted_kinds is not None
            and spec.is_write
            and not wanted_kinds.intersection(spec.action_kinds)
        ):
            continue
        chosen.append(tool)
    return chosen
