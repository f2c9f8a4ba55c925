"""Cash flow to suppliers: what the supplier orders we placed cost, and how much is still owed.

Owed = the cost of every supplier order actually placed (its lines placed or shipped, in EUR)
minus the supplier payments recorded through the expense gate (category ``supplier_payment``),
never below zero. Payments are amounts without a supplier or an order attached, so they settle
the total, not one supplier's share: per supplier the view shows what was placed, shipped and
still in transit; the total shows what is owed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from nodes.finance.expense import recorded_supplier_payments
from nodes.finance.pnl import ZERO, cents
from nodes.services import Services
from storage.order_lines import LineStatus, OrderLineRecord, OrderLineRepository

NAMES = {"cjdropshipping": "CJdropshipping", "printful": "Printful"}


class SupplierExposure(BaseModel):
    """One supplier's orders placed by the cluster, by what became of them."""

    model_config = ConfigDict(frozen=True)

    supplier: str
    orders: int
    placed_eur: Decimal
    shipped_eur: Decimal

    @property
    def name(self) -> str:
        return NAMES.get(self.supplier, self.supplier)

    @property
    def in_transit_eur(self) -> Decimal:
        """Placed, not shipped yet."""
        return self.placed_eur - self.shipped_eur


class SupplierCashFlow(BaseModel):
    model_config = ConfigDict(frozen=True)

    suppliers: list[SupplierExposure]
    paid_eur: Decimal
    unknown_cost_lines: int
    """Placed lines whose cost is unknown or in a currency without a rate (counted as €0)."""

    @property
    def placed_eur(self) -> Decimal:
        return cents(sum((s.placed_eur for s in self.suppliers), ZERO))

    @property
    def owed_eur(self) -> Decimal:
        return cents(max(self.placed_eur - self.paid_eur, ZERO))

    def sentence(self) -> str:
        parts = ", ".join(
            f"{s.name} €{s.placed_eur} on {s.orders} order(s) (€{s.in_transit_eur} not shipped)"
            for s in self.suppliers
        )
        return (
            f"Owed to suppliers: €{self.owed_eur} (supplier orders placed €{self.placed_eur}"
            f"{': ' + parts if parts else ''}; supplier payments recorded €{self.paid_eur})"
        )


def cash_flow(
    lines: list[OrderLineRecord], paid_eur: Decimal, to_eur: dict[str, Decimal]
) -> SupplierCashFlow:
    """The view from the placed lines, the payments and EUR rates (``{currency: rate}``)."""
    placed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    shipped: dict[str, Decimal] = defaultdict(lambda: ZERO)
    orders: dict[str, set[str]] = defaultdict(set)
    unknown = 0
    for line in lines:
        if not line.supplier:
            continue
        orders[line.supplier].add(line.supplier_order_id or line.line_item_id)
        rate = to_eur.get(line.currency or "")
        if line.cost is None or rate is None:
            unknown += 1
            continue
        eur = line.cost * rate
        placed[line.supplier] += eur
        if line.status is LineStatus.SHIPPED:
            shipped[line.supplier] += eur
    suppliers = [
        SupplierExposure(
            supplier=supplier,
            orders=len(orders[supplier]),
            placed_eur=cents(placed[supplier]),
            shipped_eur=cents(shipped[supplier]),
        )
        for supplier in sorted(orders)
    ]
    return SupplierCashFlow(
        suppliers=suppliers, paid_eur=cents(paid_eur), unknown_cost_lines=unknown
    )


async def supplier_cash_flow(services: Services) -> SupplierCashFlow:
    """What the store owes its suppliers now, from the supplier orders the cluster placed."""
    lines = await OrderLineRepository(services.database).with_status(
        LineStatus.PLACED, LineStatus.SHIPPED
    )
    rates: dict[str, Decimal] = {}
    for currency in {line.currency for line in lines if line.currency}:
        rate = services.policy.policy.to_eur(Decimal(1), currency)
        if rate is not None:
            rates[currency] = rate
    return cash_flow(lines, await recorded_supplier_payments(services.database), rates)
