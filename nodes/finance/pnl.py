"""Profit and loss, computed by code from the books (no model is asked for a figure).

For the orders created in a period whose payment was captured:

- gross sales: what customers paid (products and shipping, VAT included);
- refunds: what was given back on those orders;
- VAT: per destination country at the finance policy's standard rate, on what was kept
  (prices include VAT: ``kept * rate / (100 + rate)``); countries outside the table pay none;
- fees: the payment processor's fees on the orders' transactions;
- cost of goods: per line, the cost of the supplier order we placed for it (converted to EUR),
  else Shopify's unit cost times the units;
- ad spend: what the marketing cluster recorded for the period's days;
- expenses: what the cluster's expense gate recorded in the period;
- profit = gross - refunds - VAT - fees - cost of goods - ad spend - expenses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from nodes.finance.books import BookOrder
from policies.finance import FinancePolicy

CENT = Decimal("0.01")
ZERO = Decimal("0")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class ProductLine(BaseModel):
    """One product's share of the period: units, revenue, cost, margin and ROI."""

    model_config = ConfigDict(frozen=True)

    title: str
    units: int
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        return None if not self.revenue else cents(self.margin * 100 / self.revenue)

    @property
    def roi_pct(self) -> Decimal | None:
        return None if not self.cost else cents(self.margin * 100 / self.cost)


class ProfitAndLoss(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    start: date
    end: date
    orders: int
    gross_sales: Decimal
    refunds: Decimal
    vat: Decimal
    fees: Decimal
    cost_of_goods: Decimal
    ad_spend: Decimal
    expenses: Decimal = ZERO
    vat_by_country: dict[str, Decimal]
    products: list[ProductLine]
    estimated_cost_lines: int
    """Lines whose cost came from Shopify's unit cost (no supplier order of ours)."""
    unknown_cost_lines: int

    @property
    def net_sales(self) -> Decimal:
        return self.gross_sales - self.refunds

    @property
    def profit(self) -> Decimal:
        return (
            self.net_sales
            - self.vat
            - self.fees
            - self.cost_of_goods
            - self.ad_spend
            - self.expenses
        )

    @property
    def margin_pct(self) -> Decimal | None:
        revenue = self.net_sales - self.vat
        return None if not revenue else cents(self.profit * 100 / revenue)

    def sentence(self) -> str:
        margin = (
            f" ({self.margin_pct}% of net revenue ex VAT)" if self.margin_pct is not None else ""
        )
        return (
            f"{self.label} ({self.start:%d %b}–{self.end:%d %b}): profit €{self.profit}{margin} "
            f"on {self.orders} paid order(s): gross sales €{self.gross_sales}, refunds "
            f"€{self.refunds}, VAT €{self.vat}, payment fees €{self.fees}, cost of goods "
            f"€{self.cost_of_goods}, ad spend €{self.ad_spend}"
            + (f", other expenses €{self.expenses}" if self.expenses else "")
        )


def profit_and_loss(
    label: str,
    start: date,
    end: date,
    orders: Sequence[BookOrder],
    *,
    policy: FinancePolicy,
    supplier_costs: Mapping[str, Decimal],
    ad_spend: Decimal,
    expenses: Decimal = ZERO,
    to_eur: Callable[[Decimal, str], Decimal | None],
) -> ProfitAndLoss:
    """The P&L of ``orders`` (already limited to the period). ``supplier_costs`` holds the EUR
    cost of the supplier order placed for a line, by line item id."""
    gross = refunds = vat = fees = cogs = ZERO
    vat_by_country: dict[str, Decimal] = defaultdict(lambda: ZERO)
    products: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    estimated = unknown = counted = 0
    for order in orders:
        if not order.captured:
            continue
        counted += 1
        rate = to_eur(Decimal(1), order.currency) or Decimal(1)
        gross += order.total * rate
        refunds += order.refunded * rate
        fees += order.fees * rate
        vat_rate = policy.vat_rate(order.country)
        if vat_rate:
            kept = (order.total - order.refunded) * rate
            tax = cents(kept * vat_rate / (100 + vat_rate))
            vat += tax
            vat_by_country[(order.country or "").upper()] += tax
        for line in order.lines:
            cost = supplier_costs.get(line.id)
            if cost is None and line.unit_cost is not None:
                cost = line.unit_cost * line.quantity * rate
                estimated += 1
            elif cost is None:
                unknown += 1
                cost = ZERO
            cogs += cost
            entry = products[line.title]
            entry[0] += line.quantity
            entry[1] += line.unit_price * line.quantity * rate
            entry[2] += cost
    ranked = sorted(
        (
            ProductLine(title=t, units=int(u), revenue=cents(r), cost=cents(c))
            for t, (u, r, c) in products.items()
        ),
        key=lambda p: p.revenue,
        reverse=True,
    )
    return ProfitAndLoss(
        label=label,
        start=start,
        end=end,
        orders=counted,
        gross_sales=cents(gross),
        refunds=cents(refunds),
        vat=cents(vat),
        fees=cents(fees),
        cost_of_goods=cents(cogs),
        ad_spend=cents(ad_spend),
        expenses=cents(expenses),
        vat_by_country=dict(sorted(vat_by_country.items())),
        products=ranked,
        estimated_cost_lines=estimated,
        unknown_cost_lines=unknown,
    )


def revenue_drop_pct(before: Decimal, after: Decimal) -> Decimal | None:
    """How much lower ``after`` is than ``before``, in percent; None when ``before`` is zero."""
    if before <= 0:
        return None
    return cents((before - after) * 100 / before)
