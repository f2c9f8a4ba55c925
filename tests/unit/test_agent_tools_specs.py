"""Every agent tool has an argument schema and a policy spec; filters select by them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ValidationError

from policies import Access, ActionKind
from tests.agent_tools_support import in_process
from tools.agent_tools import (
    READ_TOOLS,
    WRITE_TOOLS,
    ToolSpec,
    WriteArgs,
    build_agent_tools,
    spec_of,
    tool_specs,
    tools_for,
    write_tool,
)

EXPECTED = {
    "shopify_get_shop": None,
    "shopify_list_products": None,
    "shopify_get_product": None,
    "shopify_list_publications": None,
    "shopify_list_orders": None,
    "shopify_get_order": None,
    "github_get_file": None,
    "github_get_branch": None,
    "github_list_pull_requests": None,
    "supplier_search": None,
    "supplier_get_product": None,
    "supplier_stock": None,
    "supplier_shipping_quote": None,
    "supplier_order_status": None,
    "shopify_set_product": {ActionKind.PRODUCT_CREATE, ActionKind.PRODUCT_UPDATE},
    "shopify_update_product": {ActionKind.PRODUCT_UPDATE},
    "shopify_publish_product": {ActionKind.PRODUCT_PUBLISH},
    "shopify_update_prices": {ActionKind.PRICE_CHANGE},
    "shopify_set_inventory": {ActionKind.INVENTORY_SET},
    "shopify_create_fulfillment": {ActionKind.FULFILLMENT_CREATE},
    "shopify_create_refund": {ActionKind.REFUND_CREATE},
    "shopify_create_discount": {ActionKind.DISCOUNT_CREATE},
    "shopify_create_automatic_discount": {ActionKind.DISCOUNT_CREATE},
    "github_create_branch": {ActionKind.GITHUB_WRITE},
    "github_put_file": {ActionKind.GITHUB_WRITE},
    "github_create_pull_request": {ActionKind.GITHUB_WRITE},
    "github_update_pull_request": {ActionKind.GITHUB_WRITE},
    "github_comment": {ActionKind.GITHUB_WRITE},
    "supplier_place_order": {ActionKind.SUPPLIER_ORDER},
}


@pytest.fixture
async def tools() -> AsyncIterator[list[BaseTool]]:
    async with in_process() as harness:
        clients = harness.clients
        yield build_agent_tools(
            shopify=clients.shopify,
            github=clients.github,
            suppliers=clients.suppliers,
            cluster="product",
            agent="scout",
        )


def test_registry_lists_every_tool_once_with_its_kinds() -> None:
    specs = tool_specs()
    assert [s.name for s in specs] == [t.spec.name for t in READ_TOOLS] + [
        t.spec.name for t in WRITE_TOOLS
    ]
    assert len({s.name for s in specs}) == len(specs)
    assert {s.name: (set(s.action_kinds) or None) for s in specs} == EXPECTED
    for spec in specs:
        assert spec.access is (Access.WRITE if EXPECTED[spec.name] else Access.READ)
        assert spec.name.startswith(spec.service)


def test_money_and_key_metadata() -> None:
    specs = {s.name: s for s in tool_specs()}
    assert specs["shopify_create_refund"].money_fields == ("amount",)
    assert "variants[].price" in specs["shopify_update_prices"].money_fields
    assert "variants[].cost" in specs["shopify_set_product"].money_fields
    keyed = {name for name, spec in specs.items() if spec.idempotent_key_support}
    assert keyed == {"shopify_create_refund", "shopify_set_inventory", "supplier_place_order"}


def test_every_built_tool_has_a_schema_and_carries_its_spec(tools: list[BaseTool]) -> None:
    assert [t.name for t in tools] == [s.name for s in tool_specs()]
    for tool in tools:
        assert isinstance(tool, StructuredTool)
        spec = spec_of(tool)
        assert tool.metadata == {"royal": spec.model_dump(mode="json")}
        assert tool.description == spec.description
        schema = tool.tool_call_schema
        assert isinstance(schema, type)
        assert issubclass(schema, BaseModel)
        properties = schema.model_json_schema()["properties"]
        function = convert_to_openai_tool(tool)["function"]
        assert function["name"] == tool.name
        assert function["description"]
        if spec.is_write:
            assert tool.args_schema is write_tool(tool.name).args_model
            assert isinstance(tool.args_schema, type)
            assert issubclass(tool.args_schema, WriteArgs)
            assert "reasoning" in properties


def test_money_fields_name_real_arguments() -> None:
    for tool in WRITE_TOOLS:
        schema = tool.args_model.model_json_schema()
        for path in tool.spec.money_fields:
            head = path.split("[]")[0].split(".")[0]
            assert head in schema["properties"], (tool.spec.name, path)


def test_tools_for_filters_by_service_kind_access_and_name(tools: list[BaseTool]) -> None:
    github = tools_for(tools, services=["github"])
    assert {spec_of(t).service for t in github} == {"github"}
    assert len(github) == 8

    pricing = tools_for(tools, services=["shopify"], kinds=[ActionKind.PRICE_CHANGE])
    writes = [t.name for t in pricing if spec_of(t).is_write]
    assert writes == ["shopify_update_prices"]
    assert "shopify_get_product" in [t.name for t in pricing]

    creators = tools_for(tools, kinds=["product.create"], access=Access.WRITE)
    assert [t.name for t in creators] == ["shopify_set_product"]

    reads = tools_for(tools, access=Access.READ)
    assert all(not spec_of(t).is_write for t in reads)
    assert len(reads) == len(READ_TOOLS)

    assert [t.name for t in tools_for(tools, names=["github_comment"])] == ["github_comment"]


def test_spec_of_a_foreign_tool_is_an_error() -> None:
    async def echo(text: str) -> str:
        return text

    foreign = StructuredTool.from_function(coroutine=echo, name="echo", description="Echo.")
    with pytest.raises(ValueError, match="no Royal spec"):
        spec_of(foreign)


def test_spec_rules() -> None:
    with pytest.raises(ValidationError, match="needs at least one action kind"):
        ToolSpec(name="x_write", description="d", service="shopify", access=Access.WRITE)
    with pytest.raises(ValidationError, match="proposes no actions"):
        ToolSpec(
            name="x_read",
            description="d",
            service="shopify",
            access=Access.READ,
            action_kinds=(ActionKind.PRODUCT_UPDATE,),
        )
    with pytest.raises(KeyError):
        write_tool("shopify_get_shop")
