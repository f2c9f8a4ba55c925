"""The cash-flow view's arithmetic: owed = placed (in EUR) - supplier payments, never negative."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from nodes.finance.cashflow import cash_flow
from storage.order_lines import LineStatus, OrderLineRecord

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
RATES = {"EUR": Decimal(1), "USD": Decimal("0.86")}


def _line(
    line_id: str, supplier: str, order: str, cost: str | None, currency: str, status: LineStatus
) -> OrderLineRecord:
    return OrderLineRecord(
        line_item_id=line_id,
        order_id="gid://shopify/Order/1",
        order_name="#1001",
        ordered_at=NOW,
        title="Band",
        quantity=1,
        status=status,
        supplier=supplier,
        supplier_order_id=order,
        cost=None if cost is None else Decimal(cost),
        currency=currency,
        updated_at=NOW,
    )


LINES = [
    _line("1", "cjdropshipping", "cj-1", "10.00", "USD", LineStatus.PLACED),
    _line("2", "cjdropshipping", "cj-1", "5.00", "USD", LineStatus.PLACED),
    _line("3", "cjdropshipping", "cj-2", "20.00", "USD", LineStatus.SHIPPED),
    _line("4", "printful", "pf-1", "12.50", "EUR", LineStatus.PLACED),
    _line("5", "printful", "pf-2", None, "EUR", LineStatus.PLACED),
]


def test_owed_is_what_was_placed_less_the_supplier_payments() -> None:
    view = cash_flow(LINES, Decimal("10.00"), RATES)
    cj, printful = view.suppliers
    # CJ: (10 + 5 + 20) USD x 0.86 = 30.10 EUR, of which 20 x 0.86 = 17.20 shipped.
    assert (cj.name, cj.orders, cj.placed_eur, cj.shipped_eur) == (
        "CJdropshipping",
        2,
        Decimal("30.10"),
        Decimal("17.20"),
    )
    assert cj.in_transit_eur == Decimal("12.90")
    assert (printful.orders, printful.placed_eur) == (2, Decimal("12.50"))
    assert view.unknown_cost_lines == 1
    assert view.placed_eur == Decimal("42.60")
    assert view.owed_eur == Decimal("32.60")
    assert "Owed to suppliers: €32.60" in view.sentence()


def test_payments_beyond_what_was_placed_owe_nothing() -> None:
    assert cash_flow(LINES, Decimal("100"), RATES).owed_eur == Decimal(0)
    assert cash_flow([], Decimal(0), RATES).sentence() == (
        "Owed to suppliers: €0.00 (supplier orders placed €0.00; supplier payments recorded €0.00)"
    )
