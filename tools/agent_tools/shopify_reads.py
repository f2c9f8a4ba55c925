"""Shopify read tools: the shop, products, publications and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import Field, model_validator

from policies import Access
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import ReadTool, ToolArgs
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.spec import ToolSpec
from tools.shopify import FinancialStatus, FulfillmentStatus, OrderFilter, OrderStatus
from tools.shopify.models import OrderSortKey, ProductSortKey
from tools.shopify.models.common import OrderId, ProductId

MONEY_NOTE = "Money is a decimal string in the shop's currency (EUR unless the shop says else)."


class NoArgs(ToolArgs):
    pass


async def _get_shop(_args: NoArgs, clients: ToolClients) -> Any:
    return await clients.shopify.get_shop()


GET_SHOP = ReadTool(
    spec=ToolSpec(
        name="shopify_get_shop",
        description="Read the Shopify shop: name, domain, currency, timezone and plan. Use it "
        "to learn the shop's currency before reasoning about prices.",
        service="shopify",
        access=Access.READ,
    ),
    args_model=NoArgs,
    run=_get_shop,
)


class ListProductsArgs(ToolArgs):
    query: str | None = Field(
        default=None,
        description="Shopify search syntax, e.g. 'status:active tag:fitness' or "
        "'title:*lamp*'. Omit to list everything.",
    )
    sort_key: ProductSortKey = Field(default=ProductSortKey.ID, description="Sort order.")
    reverse: bool = Field(default=False, description="Reverse the sort order.")
    limit: int = Field(default=50, ge=1, le=250, description="At most this many products.")


async def _list_products(args: ListProductsArgs, clients: ToolClients) -> Any:
    products = clients.shopify.iter_products(
        query=args.query, sort_key=args.sort_key, reverse=args.reverse, limit=args.limit
    )
    found = [product async for product in products]
    return {"count": len(found), "products": found}


LIST_PRODUCTS = ReadTool(
    spec=ToolSpec(
        name="shopify_list_products",
        description="List products of the Shopify store (id, title, handle, status, vendor, "
        "type, tags, total inventory), optionally filtered with Shopify search syntax. Use "
        "shopify_get_product for prices, variants and stock per location.",
        service="shopify",
        access=Access.READ,
    ),
    args_model=ListProductsArgs,
    run=_list_products,
)


class GetProductArgs(ToolArgs):
    product_id: ProductId | None = Field(
        default=None, description="Global id, e.g. gid://shopify/Product/1000001."
    )
    handle: str | None = Field(default=None, description="The product's URL handle.")

    @model_validator(mode="after")
    def _one_identifier(self) -> Self:
        if (self.product_id is None) == (self.handle is None):
            raise ValueError("give exactly one of product_id or handle")
        return self


async def _get_product(args: GetProductArgs, clients: ToolClients) -> Any:
    if args.product_id is not None:
        product = await clients.shopify.get_product(args.product_id)
    else:
        product = await clients.shopify.get_product_by_handle(args.handle or "")
    if product is None:
        raise ToolInputError(f"no product {args.product_id or args.handle!r} in the store")
    return product


GET_PRODUCT = ReadTool(
    spec=ToolSpec(
        name="shopify_get_product",
        description="Read one product by id or handle with every variant: price, compare-at "
        "price, SKU, inventory item id and available/on-hand quantity per location. " + MONEY_NOTE,
        service="shopify",
        access=Access.READ,
    ),
    args_model=GetProductArgs,
    run=_get_product,
)


async def _list_publications(_args: NoArgs, clients: ToolClients) -> Any:
    return await clients.shopify.list_publications()


LIST_PUBLICATIONS = ReadTool(
    spec=ToolSpec(
        name="shopify_list_publications",
        description="List the sales channels (publications) products can be published to, "
        "e.g. 'Online Store' and 'Point of Sale'.",
        service="shopify",
        access=Access.READ,
    ),
    args_model=NoArgs,
    run=_list_publications,
)


class ListOrdersArgs(ToolArgs):
    financial_status: FinancialStatus | None = Field(default=None, description="e.g. paid.")
    fulfillment_status: FulfillmentStatus | None = Field(
        default=None, description="e.g. unfulfilled."
    )
    status: OrderStatus | None = Field(default=None, description="open, closed or cancelled.")
    created_from: datetime | None = Field(
        default=None, description="Only orders created at or after this time (ISO 8601)."
    )
    created_until: datetime | None = Field(
        default=None, description="Only orders created before this time (ISO 8601)."
    )
    name: str | None = Field(default=None, description="Order name, e.g. '#1001'.")
    tag: str | None = None
    email: str | None = Field(default=None, description="Customer email.")
    sort_key: OrderSortKey = Field(default=OrderSortKey.PROCESSED_AT, description="Sort order.")
    reverse: bool = Field(default=True, description="Newest first by default.")
    limit: int = Field(default=50, ge=1, le=250, description="At most this many orders.")


async def _list_orders(args: ListOrdersArgs, clients: ToolClients) -> Any:
    try:
        search = OrderFilter(
            financial_status=args.financial_status,
            fulfillment_status=args.fulfillment_status,
            status=args.status,
            created_from=args.created_from,
            created_until=args.created_until,
            name=args.name,
            tag=args.tag,
            email=args.email,
        )
    except ValueError as exc:
        raise ToolInputError(f"shopify_list_orders: {exc}") from exc
    orders = clients.shopify.iter_orders(
        search, sort_key=args.sort_key, reverse=args.reverse, limit=args.limit
    )
    found = [order async for order in orders]
    return {"count": len(found), "orders": found}


LIST_ORDERS = ReadTool(
    spec=ToolSpec(
        name="shopify_list_orders",
        description="List orders (name, customer email, dates, financial and fulfillment "
        "status, total) filtered by status, date range, name, tag or email. Newest first. "
        + MONEY_NOTE,
        service="shopify",
        access=Access.READ,
    ),
    args_model=ListOrdersArgs,
    run=_list_orders,
)


class GetOrderArgs(ToolArgs):
    order_id: OrderId = Field(description="Global id, e.g. gid://shopify/Order/5000001.")


async def _get_order(args: GetOrderArgs, clients: ToolClients) -> Any:
    order = await clients.shopify.get_order(args.order_id)
    if order is None:
        raise ToolInputError(f"no order {args.order_id!r} in the store")
    return order


GET_ORDER = ReadTool(
    spec=ToolSpec(
        name="shopify_get_order",
        description="Read one order with its line items (ids, quantities, unit prices), "
        "fulfillment orders (what remains to ship), payment transactions, refunds so far and "
        "shipping address. Use before a fulfillment or a refund. " + MONEY_NOTE,
        service="shopify",
        access=Access.READ,
    ),
    args_model=GetOrderArgs,
    run=_get_order,
)

SHOPIFY_READS = (GET_SHOP, LIST_PRODUCTS, GET_PRODUCT, LIST_PUBLICATIONS, LIST_ORDERS, GET_ORDER)
