"""Orders: list with filters, read (with fulfillments, refunds), fulfil, refund."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tools.shopify.documents import mutations, queries
from tools.shopify.filters import OrderFilter
from tools.shopify.models.common import PageInfo, ensure_gid
from tools.shopify.models.order_inputs import FulfillmentInput, RefundInput
from tools.shopify.models.orders import (
    Fulfillment,
    Order,
    OrderCosts,
    OrderFulfillment,
    OrderRefund,
    OrderSales,
    OrderSortKey,
    OrderSummary,
    Refund,
)
from tools.shopify.operations.base import OperationsBase, required, without_none
from tools.shopify.pagination import check_limit, check_page_size, connection, paginate


class OrderOperations(OperationsBase):
    def iter_orders(
        self,
        filter: OrderFilter | None = None,
        *,
        sort_key: OrderSortKey | str = OrderSortKey.PROCESSED_AT,
        reverse: bool = False,
        page_size: int = 100,
        limit: int | None = None,
    ) -> AsyncIterator[OrderSummary]:
        """Every order matching ``filter``, fetched ``page_size`` at a time.

        Without the ``read_all_orders`` scope Shopify only returns the last 60 days.
        """
        check_page_size(page_size)
        check_limit(limit)
        search = filter.to_query() if filter is not None else None
        sort = OrderSortKey(sort_key)

        async def fetch(cursor: str | None, first: int) -> tuple[list[OrderSummary], PageInfo]:
            variables = {"first": first, "after": cursor, "query": search}
            variables |= {"sortKey": sort.value, "reverse": reverse}
            data = await self.execute(queries.ORDERS, without_none(variables))
            nodes, page = connection(data, ["orders"])
            return [OrderSummary.model_validate(n) for n in nodes], page

        return paginate(fetch, page_size=page_size, limit=limit)

    def iter_order_costs(
        self, filter: OrderFilter | None = None, *, page_size: int = 10, limit: int | None = None
    ) -> AsyncIterator[OrderCosts]:
        """Orders with their revenue and each line's unit cost (profit figures). Up to 20 lines
        per order are read (an order with more has an unknown cost of goods); pages of 10
        orders keep each query under Shopify's single-query cost limit."""
        check_page_size(page_size)
        check_limit(limit)
        search = filter.to_query() if filter is not None else None

        async def fetch(cursor: str | None, first: int) -> tuple[list[OrderCosts], PageInfo]:
            variables = without_none({"first": first, "after": cursor, "query": search})
            data = await self.execute(queries.ORDER_COSTS, variables)
            nodes, page = connection(data, ["orders"])
            return [OrderCosts.model_validate(n) for n in nodes], page

        return paginate(fetch, page_size=page_size, limit=limit)

    def iter_order_sales(
        self, filter: OrderFilter | None = None, *, page_size: int = 10, limit: int | None = None
    ) -> AsyncIterator[OrderSales]:
        """Orders with each line's product, units and unit price (sales rankings). Up to 20
        lines per order are read (``more_line_items`` says when there were more); pages of 10
        orders keep each query under Shopify's single-query cost limit."""
        check_page_size(page_size)
        check_limit(limit)
        search = filter.to_query() if filter is not None else None

        async def fetch(cursor: str | None, first: int) -> tuple[list[OrderSales], PageInfo]:
            variables = without_none({"first": first, "after": cursor, "query": search})
            data = await self.execute(queries.ORDER_SALES, variables)
            nodes, page = connection(data, ["orders"])
            return [OrderSales.model_validate(n) for n in nodes], page

        return paginate(fetch, page_size=page_size, limit=limit)

    async def get_order(self, order_id: str) -> Order | None:
        """The order with all line items, its fulfillment orders and transactions."""
        data = await self.execute(queries.ORDER, {"id": ensure_gid(order_id, "Order")})
        raw = data.get("order")
        if not isinstance(raw, dict):
            return None
        items, page = connection(raw, ["lineItems"])
        items = list(items)
        while page.has_next_page and page.end_cursor:
            more_data = await self.execute(
                queries.ORDER_LINE_ITEMS, {"id": raw["id"], "after": page.end_cursor}
            )
            more, page = connection(more_data, ["order", "lineItems"])
            items.extend(more)
        return Order.model_validate({**raw, "lineItems": {"nodes": items}})

    async def order_fulfillments(self, order_id: str) -> list[OrderFulfillment] | None:
        """The order's first 10 fulfillments with tracking and line items; None: no order."""
        data = await self.execute(queries.ORDER_FULFILLMENTS, {"id": ensure_gid(order_id, "Order")})
        raw = data.get("order")
        if not isinstance(raw, dict):
            return None
        return [OrderFulfillment.model_validate(f) for f in raw.get("fulfillments") or []]

    async def order_refunds(self, order_id: str) -> list[OrderRefund] | None:
        """The order's first 10 refunds with line items and transactions; None: no order."""
        data = await self.execute(queries.ORDER_REFUNDS, {"id": ensure_gid(order_id, "Order")})
        raw = data.get("order")
        if not isinstance(raw, dict):
            return None
        return [OrderRefund.model_validate(r) for r in raw.get("refunds") or []]

    async def create_fulfillment(
        self, fulfillment: FulfillmentInput, *, message: str | None = None
    ) -> Fulfillment:
        """``fulfillmentCreate``: mark fulfillment-order items as shipped, with tracking."""
        variables: dict[str, Any] = {"fulfillment": fulfillment.to_variables()}
        if message is not None:
            variables["message"] = message
        payload = await self._mutate(mutations.FULFILLMENT_CREATE, "fulfillmentCreate", variables)
        return Fulfillment.model_validate(required(payload, "fulfillment", "fulfillmentCreate"))

    async def create_refund(
        self, refund: RefundInput, *, idempotency_key: str | None = None
    ) -> Refund:
        """``refundCreate``; with ``idempotency_key`` a retried refund is created only once."""
        payload = await self._mutate(
            mutations.REFUND_CREATE,
            "refundCreate",
            {"input": refund.to_variables()},
            idempotency_key=idempotency_key,
        )
        return Refund.model_validate(required(payload, "refund", "refundCreate"))
