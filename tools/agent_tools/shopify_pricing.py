"""``shopify_update_prices``: new variant prices, judged by the largest change."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, ToolArgs, WriteArgs, WriteTool
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.money import Money, PriceChange, largest_change
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import Product, ProductVariant, VariantUpdate
from tools.shopify.models.common import ProductId, ProductVariantId


class NewVariantPrice(ToolArgs):
    variant_id: ProductVariantId = Field(description="gid://shopify/ProductVariant/…")
    price: Money = Field(description="The new price, e.g. '27.45'.")
    compare_at_price: Money | None = Field(
        default=None, description="New 'was' price shown struck through; omit to keep it."
    )
    clear_compare_at_price: bool = Field(
        default=False, description="Remove the 'was' price (instead of setting one)."
    )

    @model_validator(mode="after")
    def _set_or_clear(self) -> Self:
        if self.clear_compare_at_price and self.compare_at_price is not None:
            raise ValueError("either set compare_at_price or clear it, not both")
        return self


class UpdatePricesArgs(WriteArgs):
    product_id: ProductId = Field(description="gid://shopify/Product/… owning the variants.")
    variants: list[NewVariantPrice] = Field(min_length=1, max_length=250)

    @model_validator(mode="after")
    def _each_variant_once(self) -> Self:
        ids = [variant.variant_id for variant in self.variants]
        if len(set(ids)) != len(ids):
            raise ValueError("each variant may appear once")
        return self


def shop_currency(product: Product) -> str:
    if product.price_range is not None:
        return product.price_range.min_variant_price.currency_code
    return "EUR"


async def fetch_product(product_id: str, clients: ToolClients) -> Product:
    product = await clients.shopify.get_product(product_id)
    if product is None:
        raise ToolInputError(f"no product {product_id!r} in the store")
    return product


def variant_of(product: Product, variant_id: str) -> ProductVariant:
    for variant in product.variants:
        if variant.id == variant_id:
            return variant
    raise ToolInputError(f"{variant_id} is not a variant of {product.id} ({product.title!r})")


def _changes(args: UpdatePricesArgs, product: Product) -> list[PriceChange]:
    return [
        PriceChange(
            label=variant_of(product, new.variant_id).title,
            before=variant_of(product, new.variant_id).price,
            after=new.price,
        )
        for new in args.variants
    ]


async def _lookup(args: UpdatePricesArgs, clients: ToolClients) -> Product:
    return await fetch_product(args.product_id, clients)


def _facts(args: UpdatePricesArgs, product: Product) -> Facts:
    if args.product_id != product.id:
        raise ToolInputError("the product cannot be changed when editing a price change")
    change = largest_change(_changes(args, product))
    if change is None:
        raise ToolInputError("no variant has a price to change from")
    return Facts(
        kind=ActionKind.PRICE_CHANGE,
        price_before=change.before,
        price_after=change.after,
        currency=shop_currency(product),
    )


def _summary(args: UpdatePricesArgs, product: Product) -> Summary:
    currency = shop_currency(product)
    lines = [change.describe(currency) for change in _changes(args, product)]
    return Summary(
        title=f"Change prices of {product.title!r}",
        description="\n".join(lines),
        data_sources=(f"shopify:{product.id} (current variant prices)",),
    )


async def _perform(
    args: UpdatePricesArgs, product: Product, clients: ToolClients, _key: str
) -> Any:
    updates = []
    for new in args.variants:
        fields: dict[str, Any] = {"id": new.variant_id, "price": new.price}
        if new.clear_compare_at_price:
            fields["compare_at_price"] = None  # sent as null: clears it
        elif new.compare_at_price is not None:
            fields["compare_at_price"] = new.compare_at_price
        updates.append(VariantUpdate.model_validate(fields))
    variants = await clients.shopify.update_variants(args.product_id, updates)
    return {"product_id": args.product_id, "variants": variants}


UPDATE_PRICES = WriteTool(
    spec=ToolSpec(
        name="shopify_update_prices",
        description="Change the selling price (and optionally the compare-at 'was' price) of "
        "variants of one product. Prices are decimal strings in the shop's currency (EUR), "
        "e.g. '27.45'. Read the product first (shopify_get_product) for variant ids and "
        "current prices. A large change on any variant needs human approval; the "
        "tool then waits for the decision and reports it.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.PRICE_CHANGE,),
        money_fields=("variants[].price", "variants[].compare_at_price"),
    ),
    args_model=UpdatePricesArgs,
    lookup=_lookup,
    facts=_facts,
    summary=_summary,
    perform=_perform,
)
