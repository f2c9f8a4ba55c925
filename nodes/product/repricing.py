"""New prices for a product's variants: pure arithmetic on Decimals, no model involved.

A percentage or an amount is applied to each variant's own price and rounded to the cent
*toward the old price*, so the change is never larger than the operator asked (a 20 % raise
stays a 20 % raise for the policy, not 20.02 %). A "was" price that the new price would reach
or pass is cleared, so the store never shows a struck-through price at or below the price.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

from nodes.product.jobs import RepriceParams
from nodes.product.models import MONEY
from tools.shopify.models import Product


class VariantPrice(BaseModel):
    """One variant's price now and after the change."""

    model_config = ConfigDict(frozen=True)

    variant_id: str
    title: str
    before: Decimal
    after: Decimal
    compare_at_before: Decimal | None = None
    clear_compare_at: bool = False

    @property
    def pct(self) -> Decimal:
        return (self.after - self.before) * 100 / self.before

    def describe(self) -> str:
        label = "" if self.title == "Default Title" else f"{self.title}: "
        return f"{label}€{self.before} → €{self.after} ({self.pct:+.2f}%)"


class RepriceError(ValueError):
    """The change cannot be applied to this product (e.g. a price would drop to zero)."""


def new_price(before: Decimal, params: RepriceParams) -> Decimal:
    if params.new_price_eur is not None:
        return params.new_price_eur
    if params.change_pct is not None:
        raw = before * (1 + params.change_pct / 100)
    else:
        raw = before + (params.change_eur or Decimal(0))
    after = raw.quantize(MONEY, ROUND_DOWN if raw >= before else ROUND_UP)
    if after <= 0:
        raise RepriceError(f"{params.asked()} would take €{before} to €{after}")
    return after


def variant_prices(product: Product, params: RepriceParams) -> list[VariantPrice]:
    """Every variant's new price; a variant whose price would not change is left out."""
    changes = []
    for variant in product.variants:
        if variant.price <= 0:
            raise RepriceError(
                f"{variant.title} has no price to change from (€{variant.price}); set it by hand"
            )
        after = new_price(variant.price, params)
        if after == variant.price:
            continue
        compare_at = variant.compare_at_price
        changes.append(
            VariantPrice(
                variant_id=variant.id,
                title=variant.title,
                before=variant.price,
                after=after,
                compare_at_before=compare_at,
                clear_compare_at=compare_at is not None and after >= compare_at,
            )
        )
    if not changes:
        raise RepriceError(f"{params.asked()} leaves every variant at its current price")
    return changes


def largest(changes: list[VariantPrice]) -> VariantPrice:
    """The change the policy judges: the largest in magnitude."""
    return max(changes, key=lambda change: abs(change.pct))


class RepricePlan(BaseModel):
    """One product's price change, ready for the approval gate (one ``Send`` task each)."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    title: str
    changes: list[VariantPrice]
    asked: str
    why: str
    source_text: str = ""
    """The product's own description: data for the approver, never instructions."""
    data_sources: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        return "; ".join(change.describe() for change in self.changes)
