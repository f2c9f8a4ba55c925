"""What the console's Orders and Finance pages read: order lines, the daily books and what is
owed to suppliers."""

from __future__ import annotations

from nodes.finance.analyst import daily_pnl
from nodes.finance.cashflow import SupplierCashFlow, supplier_cash_flow
from nodes.finance.pnl import ProfitAndLoss
from nodes.services import Services
from storage.order_lines import OrderLineRecord, OrderLineRepository

CHART_DAYS = 14


async def recent_order_lines(services: Services, limit: int = 200) -> list[OrderLineRecord]:
    """The lines the fulfilment agent touched, most recently changed first."""
    return await OrderLineRepository(services.database).recent(limit)


async def daily_books(services: Services, days: int = CHART_DAYS) -> list[ProfitAndLoss]:
    return await daily_pnl(services, days)


async def owed_to_suppliers(services: Services) -> SupplierCashFlow:
    """The cash-flow view: supplier orders placed, supplier payments recorded, what is owed."""
    return await supplier_cash_flow(services)
