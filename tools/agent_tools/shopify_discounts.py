"""``shopify_create_discount``: a discount code for a percentage or an amount off."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, WriteArgs, WriteTool
from tools.agent_tools.money import PositiveMoney
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import (
    DiscountAmountInput,
    DiscountCodeBasicInput,
    DiscountCustomerGetsInput,
    DiscountItemsInput,
    DiscountMinimumRequirementInput,
    DiscountMinimumSubtotalInput,
    DiscountProductsInput,
    DiscountValueInput,
)
from tools.shopify.models.common import ProductId


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Timestamp = Annotated[datetime | None, AfterValidator(_utc)]


class DiscountArgs(WriteArgs):
    code: str = Field(
        min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="e.g. SUMMER15."
    )
    title: str | None = Field(default=None, max_length=255, description="Defaults to the code.")
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
        default=None, description="Minimum order subtotal (EUR) for the code to apply."
    )
    starts_at: Timestamp = Field(default=None, description="ISO 8601; omit to start now.")
    ends_at: Timestamp = Field(default=None, description="ISO 8601; omit for no end.")
    usage_limit: int | None = Field(default=None, gt=0, description="Total uses allowed.")
    once_per_customer: bool = False

    @model_validator(mode="after")
    def _one_value(self) -> Self:
        if (self.percentage is None) == (self.amount_off is None):
            raise ValueError("give exactly one of percentage or amount_off")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


async def _lookup(_args: DiscountArgs, clients: ToolClients) -> str:
    """The shop's currency, which a fixed amount off is in."""
    return (await clients.shopify.get_shop()).currency_code


def _facts(args: DiscountArgs, currency: str) -> Facts:
    return Facts(
        kind=ActionKind.DISCOUNT_CREATE,
        discount_pct=args.percentage,
        amount=args.amount_off,
        currency=currency,
    )


def _summary(args: DiscountArgs, currency: str) -> Summary:
    value = f"{args.percentage}% off" if args.percentage else f"{args.amount_off} {currency} off"
    scope = f"{len(args.product_ids)} product(s)" if args.product_ids else "the whole order"
    limits = []
    if args.minimum_subtotal:
        limits.append(f"minimum subtotal {args.minimum_subtotal} {currency}")
    if args.usage_limit:
        limits.append(f"{args.usage_limit} uses")
    if args.ends_at:
        limits.append(f"until {args.ends_at.isoformat()}")
    return Summary(
        title=f"Discount code {args.code}: {value}",
        description=f"{value} on {scope}" + (f" ({', '.join(limits)})" if limits else "") + ".",
        data_sources=("shopify:shop (currency)",),
    )


def customer_gets(
    percentage: Decimal | None,
    amount_off: Decimal | None,
    applies_on_each_item: bool,
    product_ids: list[str],
) -> DiscountCustomerGetsInput:
    """What the customer gets: a percentage or an amount off, on everything or some products."""
    if percentage is not None:
        value = DiscountValueInput(percentage=float(percentage / 100))
    else:
        amount = DiscountAmountInput(
            amount=amount_off or Decimal(0), applies_on_each_item=applies_on_each_item
        )
        value = DiscountValueInput(discount_amount=amount)
    items = (
        DiscountItemsInput(products=DiscountProductsInput(products_to_add=product_ids))
        if product_ids
        else DiscountItemsInput(all=True)
    )
    return DiscountCustomerGetsInput(value=value, items=items)


def minimum_of(subtotal: Decimal | None) -> DiscountMinimumRequirementInput | None:
    if not subtotal:
        return None
    return DiscountMinimumRequirementInput(
        subtotal=DiscountMinimumSubtotalInput(greater_than_or_equal_to_subtotal=subtotal)
    )


async def _perform(args: DiscountArgs, currency: str, clients: ToolClients, _key: str) -> Any:
    gets = customer_gets(
        args.percentage, args.amount_off, args.applies_on_each_item, list(args.product_ids)
    )
    discount = DiscountCodeBasicInput(
        title=args.title or args.code,
        code=args.code,
        starts_at=args.starts_at or datetime.now(UTC),
        ends_at=args.ends_at,
        usage_limit=args.usage_limit,
        applies_once_per_customer=args.once_per_customer,
        customer_gets=gets,
        minimum_requirement=minimum_of(args.minimum_subtotal),
    )
    return await clients.shopify.create_discount_code(discount)


CREATE_DISCOUNT = WriteTool(
    spec=ToolSpec(
        name="shopify_create_discount",
        description="Create a discount code customers enter at checkout: a percentage off "
        "(e.g. '15') or a fixed amount off in EUR, for the whole order or some products, with "
        "optional minimum subtotal, usage limit and end date. Deep discounts need human "
        "approval.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.DISCOUNT_CREATE,),
        money_fields=("amount_off", "minimum_subtotal"),
    ),
    args_model=DiscountArgs,
    lookup=_lookup,
    facts=_facts,
    summary=_summary,
    perform=_perform,
)
