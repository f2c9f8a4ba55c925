"""Unit economics of a dropshipped product: landed cost, fees, price, margin.

Pure arithmetic on Decimals, so pricing is reproducible and testable; no model is involved.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from nodes.product.models import MONEY

#: Supplier currencies to EUR. Deliberately explicit (no network at pricing time); review
#: monthly. Unknown currencies raise rather than guess.
FX_TO_EUR: dict[str, Decimal] = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.17"),
}
#: Payment processing (card) on each sale, and the fixed part per order.
PAYMENT_FEE_PCT = Decimal("2.9")
PAYMENT_FEE_FIXED_EUR = Decimal("0.30")
#: What a sale is assumed to fetch before competitors are checked: cost times this markup.
DEFAULT_MARKUP = Decimal("3")


def eur(amount: Decimal, currency: str) -> Decimal:
    try:
        rate = FX_TO_EUR[currency.upper()]
    except KeyError:
        raise ValueError(f"no EUR rate for {currency}") from None
    return (amount * rate).quantize(MONEY, ROUND_HALF_UP)


def fees(price: Decimal) -> Decimal:
    return (price * PAYMENT_FEE_PCT / 100 + PAYMENT_FEE_FIXED_EUR).quantize(MONEY, ROUND_HALF_UP)


def margin_pct(price: Decimal, landed_cost: Decimal) -> Decimal:
    """Contribution margin after landed cost and payment fees, in percent of the price."""
    if price <= 0:
        return Decimal("-100")
    profit = price - landed_cost - fees(price)
    return (profit / price * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def price_for_margin(landed_cost: Decimal, target_margin_pct: Decimal) -> Decimal:
    """The lowest .99 price that earns at least the target margin after fees."""
    share = 1 - target_margin_pct / 100 - PAYMENT_FEE_PCT / 100
    if share <= 0:
        raise ValueError(f"a {target_margin_pct}% margin is impossible after payment fees")
    raw = (landed_cost + PAYMENT_FEE_FIXED_EUR) / share
    return charm(raw)


def charm(price: Decimal) -> Decimal:
    """Round up to the next x.99 (a price shoppers read as lower)."""
    whole = price.to_integral_value(ROUND_CEILING)
    candidate = whole - Decimal("0.01")
    return candidate if candidate >= price else whole + Decimal("0.99")


def charm_down(price: Decimal) -> Decimal:
    """Round down to the previous x.99 (to stay under a ceiling)."""
    whole = price.to_integral_value(ROUND_CEILING)
    candidate = whole - Decimal("0.01")
    return candidate if candidate <= price else candidate - 1


def expected_margin(cost_eur: Decimal, ceiling: Decimal | None) -> Decimal:
    """A scout's first guess: sell at three times cost (under the ceiling), shipping unknown."""
    price = cost_eur * DEFAULT_MARKUP
    if ceiling is not None:
        price = min(price, ceiling)
    return margin_pct(price, cost_eur)
