"""Every write the effects ledger can record has a resolver for the sweeper, or is named here as
one no service lets us check (an operator resolves it by hand: ``royal effects started``).

The writes are found the way they are declared: the agent tools' ``WriteTool`` specs, and every
module-level ``*TOOL`` name in ``nodes`` (a new cluster tool follows that convention)."""

from __future__ import annotations

import importlib
from pathlib import Path

import nodes
from host.effect_resolvers import RESOLVERS
from tools.agent_tools.registry import WRITE_TOOLS

UNRESOLVABLE = {
    "reviews_request_review": "Judge.me documents no read of review requests",
}


def declared_write_tools() -> dict[str, str]:
    """Tool name -> where it is declared."""
    found = {tool.spec.name: "tools.agent_tools" for tool in WRITE_TOOLS}
    root = Path(nodes.__file__).parent
    for path in sorted(root.rglob("*.py")):  # cluster folders are namespace packages
        module_name = ".".join(("nodes", *path.relative_to(root).with_suffix("").parts))
        module = importlib.import_module(module_name.removesuffix(".__init__"))
        for name, value in vars(module).items():
            if name.endswith("TOOL") and isinstance(value, str):
                found.setdefault(value, f"{module.__name__}.{name}")
    return found


def test_every_declared_write_has_a_resolver_or_a_reason() -> None:
    declared = declared_write_tools()
    missing = {
        tool: where
        for tool, where in declared.items()
        if tool not in RESOLVERS and tool not in UNRESOLVABLE
    }
    assert not missing, f"writes the effects sweeper cannot resolve: {missing}"


def test_the_known_writes_are_found() -> None:
    """The discovery itself finds writes of every cluster (it cannot silently find none)."""
    declared = declared_write_tools()
    for tool in (
        "shopify_create_and_publish_product",
        "supplier_place_order",
        "helpdesk_reply",
        "klaviyo_event_create",
        "meta_launch_campaign",
        "shopify_bulk_seo",
        "shopify.themePublish",
        "notifications",
        "reviews_request_review",
    ):
        assert tool in declared, tool


def test_no_resolver_is_for_a_tool_nothing_declares() -> None:
    assert set(RESOLVERS) <= set(declared_write_tools())
