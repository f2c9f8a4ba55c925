"""Order writes: ship items (``fulfillmentCreate``) and give money back (``refundCreate``)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, ToolArgs, WriteArgs, WriteTool
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.money import PositiveMoney
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import (
    FulfillmentInput,
    FulfillmentOrderLineItemInput,
    FulfillmentOrderLineItems,
    FulfillmentTrackingInput,
    Order,
    OrderTransaction,
    RefundInput,
    RefundLineItemInput,
    RefundTransactionInput,
)
from tools.shopify.models.common import LineItemId, OrderId

#: Fulfillment-order states in which items can still be shipped.
FULFILLABLE = frozenset({"OPEN", "IN_PROGRESS"})
PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})


async def fetch_order(order_id: str, clients: ToolClients) -> Order:
    order = await clients.shopify.get_order(order_id)
    if order is None:
        raise ToolInputError(f"no order {order_id!r} in the store")
    return order


def _same_order(args_order: str, order: Order) -> None:
    if args_order != order.id:
        raise ToolInputError("the order cannot be changed when editing this write")


class ItemQuantity(ToolArgs):
    line_item_id: LineItemId = Field(description="gid://shopify/LineItem/… of the order.")
    quantity: int = Field(gt=0, le=10_000)


def _unique_items(items: list[ItemQuantity] | None) -> None:
    ids = [item.line_item_id for item in items or ()]
    if len(set(ids)) != len(ids):
        raise ValueError("each line item may appear once")


# --- shopify_create_fulfillment -------------------------------------------------------------


class FulfillmentArgs(WriteArgs):
    order_id: OrderId = Field(description="gid://shopify/Order/…")
    line_items: list[ItemQuantity] | None = Field(
        default=None, description="What to ship; omit to ship everything not yet shipped."
    )
    tracking_company: str | None = Field(default=None, description="Carrier, e.g. 'DHL'.")
    tracking_number: str | None = None
    tracking_url: str | None = None
    notify_customer: bool = Field(default=True, description="Email the customer the tracking.")

    @model_validator(mode="after")
    def _each_item_once(self) -> Self:
        _unique_items(self.line_items)
        return self


def _fulfillment_plan(args: FulfillmentArgs, order: Order) -> list[FulfillmentOrderLineItems]:
    _same_order(args.order_id, order)
    open_orders = [fo for fo in order.fulfillment_orders if fo.status in FULFILLABLE]
    if args.line_items is None:
        plan = [
            FulfillmentOrderLineItems(fulfillment_order_id=fo.id)
            for fo in open_orders
            if any(item.remaining_quantity > 0 for item in fo.line_items)
        ]
        if not plan:
            raise ToolInputError(f"order {order.name} has nothing left to fulfil")
        return plan
    chosen: dict[str, list[FulfillmentOrderLineItemInput]] = {}
    for wanted in args.line_items:
        left = wanted.quantity
        for fo in open_orders:
            for item in fo.line_items:
                if left and item.line_item_id == wanted.line_item_id and item.remaining_quantity:
                    take = min(left, item.remaining_quantity)
                    chosen.setdefault(fo.id, []).append(
                        FulfillmentOrderLineItemInput(id=item.id, quantity=take)
                    )
                    left -= take
        if left:
            raise ToolInputError(
                f"order {order.name}: only {wanted.quantity - left} of {wanted.quantity} of "
                f"{wanted.line_item_id} remain to be fulfilled"
            )
    return [
        FulfillmentOrderLineItems(fulfillment_order_id=fo_id, fulfillment_order_line_items=items)
        for fo_id, items in chosen.items()
    ]


async def _fulfillment_lookup(args: FulfillmentArgs, clients: ToolClients) -> Order:
    return await fetch_order(args.order_id, clients)


def _fulfillment_facts(args: FulfillmentArgs, order: Order) -> Facts:
    _fulfillment_plan(args, order)
    return Facts(kind=ActionKind.FULFILLMENT_CREATE)


def _fulfillment_summary(args: FulfillmentArgs, order: Order) -> Summary:
    titles = {item.id: item.title for item in order.line_items}
    if args.line_items is None:
        what = "everything not yet shipped"
    else:
        what = ", ".join(
            f"{item.quantity}× {titles.get(item.line_item_id, item.line_item_id)}"
            for item in args.line_items
        )
    tracking = " ".join(filter(None, [args.tracking_company, args.tracking_number])) or "none"
    return Summary(
        title=f"Fulfil order {order.name}",
        description=f"Ship {what}; tracking: {tracking}; notify customer: "
        f"{'yes' if args.notify_customer else 'no'}.",
        data_sources=(f"shopify:{order.id} (fulfillment orders)",),
    )


async def _fulfillment_perform(
    args: FulfillmentArgs, order: Order, clients: ToolClients, _key: str
) -> Any:
    tracking = None
    if args.tracking_company or args.tracking_number or args.tracking_url:
        tracking = FulfillmentTrackingInput(
            company=args.tracking_company, number=args.tracking_number, url=args.tracking_url
        )
    fulfillment = FulfillmentInput(
        line_items_by_fulfillment_order=_fulfillment_plan(args, order),
        tracking_info=tracking,
        notify_customer=args.notify_customer,
    )
    return await clients.shopify.create_fulfillment(fulfillment)


CREATE_FULFILLMENT = WriteTool(
    spec=ToolSpec(
        name="shopify_create_fulfillment",
        description="Mark items of an order as shipped, with the carrier's tracking number, "
        "and optionally email the customer. Omit line_items to ship everything that remains. "
        "Read the order first (shopify_get_order) for line item ids.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.FULFILLMENT_CREATE,),
    ),
    args_model=FulfillmentArgs,
    lookup=_fulfillment_lookup,
    facts=_fulfillment_facts,
    summary=_fulfillment_summary,
    perform=_fulfillment_perform,
)


# --- shopify_create_refund ------------------------------------------------------------------


class RefundArgs(WriteArgs):
    order_id: OrderId = Field(description="gid://shopify/Order/…")
    amount: PositiveMoney = Field(
        description="Money to return to the customer, a decimal string in the order's currency "
        "(EUR), e.g. '19.95'."
    )
    note: str | None = Field(default=None, max_length=500, description="Internal note.")
    notify: bool = Field(default=True, description="Email the customer about the refund.")
    line_items: list[ItemQuantity] = Field(
        default_factory=list,
        description="Items the refund is for (recorded as refunded, not restocked); the money "
        "is always 'amount'.",
    )

    @model_validator(mode="after")
    def _each_item_once(self) -> Self:
        _unique_items(self.line_items)
        return self


def _payment(order: Order) -> OrderTransaction:
    for transaction in order.transactions:
        if transaction.kind in PAYMENT_KINDS and transaction.status == "SUCCESS":
            return transaction
    raise ToolInputError(f"order {order.name} has no captured payment to refund")


def _check_refund(args: RefundArgs, order: Order) -> OrderTransaction:
    _same_order(args.order_id, order)
    known = {item.id for item in order.line_items}
    for item in args.line_items:
        if item.line_item_id not in known:
            raise ToolInputError(f"{item.line_item_id} is not a line item of order {order.name}")
    return _payment(order)


async def _refund_lookup(args: RefundArgs, clients: ToolClients) -> Order:
    return await fetch_order(args.order_id, clients)


def _refund_facts(args: RefundArgs, order: Order) -> Facts:
    _check_refund(args, order)
    return Facts(kind=ActionKind.REFUND_CREATE, amount=args.amount, currency=order.currency_code)


def _refund_summary(args: RefundArgs, order: Order) -> Summary:
    payment = _check_refund(args, order)
    paid = order.total_price.shop_money
    refunded = order.total_refunded.shop_money.amount if order.total_refunded else 0
    return Summary(
        title=f"Refund {args.amount} {order.currency_code} on order {order.name}",
        description=f"Order {order.name} ({order.display_financial_status}): paid "
        f"{paid.amount} {paid.currency_code}, refunded so far {refunded}. Refund {args.amount} "
        f"{order.currency_code} through {payment.gateway or 'the original gateway'}"
        + (f"; note: {args.note}" if args.note else "")
        + ".",
        data_sources=(f"shopify:{order.id} (order, transactions)",),
        estimated_cost=args.amount,
    )


async def _refund_perform(args: RefundArgs, order: Order, clients: ToolClients, key: str) -> Any:
    payment = _check_refund(args, order)
    refund = RefundInput(
        order_id=order.id,
        note=args.note,
        notify=args.notify,
        currency=order.currency_code,
        refund_line_items=[
            RefundLineItemInput(line_item_id=item.line_item_id, quantity=item.quantity)
            for item in args.line_items
        ]
        or None,
        transactions=[
            RefundTransactionInput(
                order_id=order.id,
                parent_id=payment.id,
                amount=args.amount,
                gateway=payment.gateway or "manual",
            )
        ],
    )
    return await clients.shopify.create_refund(refund, idempotency_key=key)


CREATE_REFUND = WriteTool(
    spec=ToolSpec(
        name="shopify_create_refund",
        description="Refund money on an order to the customer's original payment method. The "
        "amount is a decimal string in the order's currency (EUR). Refunds over the policy's "
        "limit need human approval; the tool then waits for the decision and reports it (a "
        "rejected refund is a result, not an error). Read the order first (shopify_get_order).",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.REFUND_CREATE,),
        money_fields=("amount",),
        idempotent_key_support=True,
    ),
    args_model=RefundArgs,
    lookup=_refund_lookup,
    facts=_refund_facts,
    summary=_refund_summary,
    perform=_refund_perform,
)
