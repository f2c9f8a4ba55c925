"""``shopify_create_automatic_discount``: a percentage or an amount off applied at checkout,
without a code, always with an end date.

An automatic discount has no code and Shopify's ``discountAutomaticBasicCreate`` takes no
idempotency key, so the write first looks for an automatic discount with the same title and
start (the start is fixed in the approved args): a re-executed write after a crash finds the
one it made instead of making a second.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, WriteArgs, WriteTool
from tools.agent_tools.money import PositiveMoney
from tools.agent_tools.shopify_discounts import Timestamp, customer_gets, minimum_of
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import DiscountAutomaticBasicInput
from tools.shopify.models.common import ProductId


class AutomaticDiscountArgs(WriteArgs):
    title: str = Field(
        min_length=3,
        max_length=255,
        description="Shown to customers at checkout, e.g. 'Summer sale 10% off'.",
    )
    percentage: Decimal | None = Field(
        default=None,
        gt=0,
        le=100,
        decimal_places=2,
        description="Percent off, e.g. '15' for 15%. Give this or amount_off.",
    )
    amount_off: PositiveMoney | None = Field(
        default=None, description="Fixed amount off in the shop's currency (EUR), e.g. '5.00'."
    )
    applies_on_each_item: bool = Field(
        default=False, description="amount_off per item instead of per order."
    )
    product_ids: list[ProductId] = Field(
        default_factory=list, description="Only these products; empty: the whole order."
    )
    minimum_subtotal: PositiveMoney | None = Field(
        default=None, description="Minimum order subtotal (EUR) for the discount to apply."
    )
    starts_at: Timestamp = Field(default=None, description="ISO 8601; required.")
    ends_at: Timestamp = Field(default=None, description="ISO 8601; required: it must end.")

    @model_validator(mode="after")
    def _one_value_and_an_end(self) -> Self:
        if (self.percentage is None) == (self.amount_off is None):
            raise ValueError("give exactly one of percentage or amount_off")
        if self.starts_at is None or self.ends_at is None:
            raise ValueError("an automatic discount needs starts_at and an end date (ends_at)")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


async def _lookup(_args: AutomaticDiscountArgs, clients: ToolClients) -> str:
    """The shop's currency, which a fixed amount off is in."""
    return (await clients.shopify.get_shop()).currency_code


def _facts(args: AutomaticDiscountArgs, currency: str) -> Facts:
    return Facts(
        kind=ActionKind.DISCOUNT_CREATE,
        discount_pct=args.percentage,
        amount=args.amount_off,
        currency=currency,
    )


def _summary(args: AutomaticDiscountArgs, currency: str) -> Summary:
    value = f"{args.percentage}% off" if args.percentage else f"{args.amount_off} {currency} off"
    scope = f"{len(args.product_ids)} product(s)" if args.product_ids else "the whole order"
    limits = [f"until {args.ends_at.isoformat()}"] if args.ends_at else []
    if args.minimum_subtotal:
        limits.append(f"minimum subtotal {args.minimum_subtotal} {currency}")
    return Summary(
        title=f"Automatic discount {args.title!r}: {value}",
        description=f"{value} on {scope}, applied at checkout for every customer without a "
        f"code ({', '.join(limits)}).",
        data_sources=("shopify:shop (currency)",),
    )


async def _perform(
    args: AutomaticDiscountArgs, _currency: str, clients: ToolClients, _key: str
) -> Any:
    for existing in await clients.shopify.recent_automatic_discounts():
        if existing.title == args.title and existing.starts_at == args.starts_at:
            return existing
    discount = DiscountAutomaticBasicInput(
        title=args.title,
        starts_at=args.starts_at,
        ends_at=args.ends_at,
        customer_gets=customer_gets(
            args.percentage, args.amount_off, args.applies_on_each_item, list(args.product_ids)
        ),
        minimum_requirement=minimum_of(args.minimum_subtotal),
    )
    return await clients.shopify.create_automatic_discount(discount)


CREATE_AUTOMATIC_DISCOUNT = WriteTool(
    spec=ToolSpec(
        name="shopify_create_automatic_discount",
        description="Create an automatic discount, applied at checkout without a code: a "
        "percentage off (e.g. '15') or a fixed amount off in EUR, for the whole order or some "
        "products, from starts_at until ends_at (required). Deep or costly discounts need "
        "human approval.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.DISCOUNT_CREATE,),
        money_fields=("amount_off", "minimum_subtotal"),
    ),
    args_model=AutomaticDiscountArgs,
    lookup=_lookup,
    facts=_facts,
    summary=_summary,
    perform=_perform,
)
