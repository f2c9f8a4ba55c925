"""Financial Analyst: the P&L of a day, week or month, VAT per country, and the revenue alert.

Every figure is computed by code (``nodes/finance/pnl.py``) from Shopify's orders, the supplier
orders we placed, and the ad spend the marketing cluster recorded. A revenue drop of more than
the finance policy's threshold from one complete day to the next is a critical alert and a
notification.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.finance.books import BookOrder, read_books
from nodes.finance.cashflow import SupplierCashFlow, supplier_cash_flow
from nodes.finance.expense import recorded_expenses
from nodes.finance.jobs import PERIOD_DAYS, Period, params_of
from nodes.finance.models import FinanceItem, ItemStatus
from nodes.finance.pnl import ProfitAndLoss, cents, profit_and_loss, revenue_drop_pct
from nodes.finance.state import FinanceState
from nodes.services import Services
from policies.finance import FinancePolicy, finance_policy
from storage import NewNotification, NotificationLevel
from storage.ad_spend import AdSpendRepository
from storage.order_lines import OrderLineRepository
from tools.shopify import ShopifyError

LABELS = {Period.DAY: "Today", Period.WEEK: "This week", Period.MONTH: "This month"}
SHOWN_PRODUCTS = 5


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def period_start(today: date, period: Period) -> date:
    return today - timedelta(days=PERIOD_DAYS[period] - 1)


async def period_pnl(
    services: Services, period: Period, *, policy: FinancePolicy | None = None
) -> tuple[ProfitAndLoss, list[BookOrder]]:
    """The P&L of ``period`` (ending today) and the books it was computed from, which start
    two days earlier at least, so a caller can compare the last complete days too."""
    policy = policy or finance_policy()
    today = services.clock().astimezone(UTC).date()
    start = period_start(today, period)
    read_from = min(start, today - timedelta(days=2))
    books = await read_books(services.shopify, midnight(read_from), midnight(today + timedelta(1)))
    in_period = [o for o in books if o.created_at >= midnight(start)]
    lines = await OrderLineRepository(services.database).ordered_between(
        midnight(start), midnight(today + timedelta(1))
    )
    costs: dict[str, Decimal] = {}
    for line in lines:
        if line.cost is not None and line.currency:
            eur = services.policy.policy.to_eur(line.cost, line.currency)
            if eur is not None:
                costs[line.line_item_id] = eur
    ads = await AdSpendRepository(services.database).total(start, today)
    spent = await recorded_expenses(
        services.database, midnight(start), midnight(today + timedelta(1))
    )
    pnl = profit_and_loss(
        LABELS[period],
        start,
        today,
        in_period,
        policy=policy,
        supplier_costs=costs,
        ad_spend=ads,
        expenses=spent,
        to_eur=lambda amount, currency: services.policy.policy.to_eur(amount, currency),
    )
    return pnl, books


async def daily_pnl(services: Services, days: int) -> list[ProfitAndLoss]:
    """The P&L of each of the last ``days`` days (today last), from one read of the books."""
    policy = finance_policy()
    today = services.clock().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    end = midnight(today + timedelta(1))
    books = await read_books(services.shopify, midnight(first), end)
    lines = await OrderLineRepository(services.database).ordered_between(midnight(first), end)
    to_eur = services.policy.policy.to_eur
    costs = {
        line.line_item_id: eur
        for line in lines
        if line.cost is not None
        and line.currency
        and (eur := to_eur(line.cost, line.currency)) is not None
    }
    ads = AdSpendRepository(services.database)
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        result.append(
            profit_and_loss(
                f"{day:%a %d %b}",
                day,
                day,
                [o for o in books if o.created_at.astimezone(UTC).date() == day],
                policy=policy,
                supplier_costs=costs,
                ad_spend=await ads.total(day, day),
                expenses=await recorded_expenses(
                    services.database, midnight(day), midnight(day + timedelta(1))
                ),
                to_eur=lambda amount, currency: to_eur(amount, currency),
            )
        )
    return result


def daily_revenue(books: list[BookOrder], day: date) -> Decimal:
    return cents(
        sum(
            (o.total - o.refunded for o in books if o.captured and o.created_at.date() == day),
            Decimal(0),
        )
    )


async def analyse(state: FinanceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    params = params_of(task)
    policy = finance_policy()
    try:
        pnl, books = await period_pnl(services, params.period, policy=policy)
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", "read the store's orders", exc, "no P&L was computed"
        )
        return {"failures": [failure]}
    alerts = await _revenue_alert(services, books, policy)
    owed = await supplier_cash_flow(services)
    return {
        "summary": [pnl.sentence(), owed.sentence()],
        "items": [*_items(pnl), _cash_flow_item(owed)],
        "alerts": alerts,
    }


def _cash_flow_item(owed: SupplierCashFlow) -> FinanceItem:
    notes = [
        f"{s.name}: €{s.placed_eur} placed on {s.orders} order(s), €{s.shipped_eur} shipped, "
        f"€{s.in_transit_eur} not shipped yet"
        for s in owed.suppliers
    ]
    if owed.unknown_cost_lines:
        notes.append(f"{owed.unknown_cost_lines} placed line(s) have no known cost (counted as €0)")
    return FinanceItem(
        title="Cash flow: owed to suppliers",
        status=ItemStatus.REPORTED,
        detail=owed.sentence(),
        reasons=notes,
        figures={
            "supplier_orders_placed_eur": str(owed.placed_eur),
            "supplier_payments_eur": str(owed.paid_eur),
            "owed_to_suppliers_eur": str(owed.owed_eur),
        },
    )


async def _revenue_alert(
    services: Services, books: list[BookOrder], policy: FinancePolicy
) -> list[str]:
    today = services.clock().astimezone(UTC).date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    previous, latest = daily_revenue(books, before), daily_revenue(books, yesterday)
    drop = revenue_drop_pct(previous, latest)
    if drop is None or drop <= policy.alerts.revenue_drop_pct:
        return []
    alert = (
        f"CRITICAL: revenue fell {drop}% day over day ({before:%d %b} €{previous} → "
        f"{yesterday:%d %b} €{latest}), more than the {policy.alerts.revenue_drop_pct}% alert "
        "threshold"
    )
    await services.notifications.create(
        NewNotification(
            level=NotificationLevel.CRITICAL,
            title=f"Revenue fell {drop}% day over day",
            body=alert,
            cluster="finance",
        )
    )
    return [alert]


def _items(pnl: ProfitAndLoss) -> list[FinanceItem]:
    vat = ", ".join(f"{country} €{amount}" for country, amount in pnl.vat_by_country.items())
    notes = []
    if pnl.estimated_cost_lines:
        notes.append(
            f"cost of {pnl.estimated_cost_lines} line(s) from Shopify's unit cost (no supplier "
            "order of ours)"
        )
    if pnl.unknown_cost_lines:
        notes.append(f"{pnl.unknown_cost_lines} line(s) have no known cost (counted as €0)")
    items = [
        FinanceItem(
            title=f"P&L {pnl.label.lower()}",
            status=ItemStatus.REPORTED,
            detail=f"{pnl.sentence()}; VAT by country: {vat or 'none'}",
            reasons=notes,
            figures={
                "period_start": pnl.start.isoformat(),
                "period_end": pnl.end.isoformat(),
                "orders": pnl.orders,
                "gross_sales_eur": str(pnl.gross_sales),
                "refunds_eur": str(pnl.refunds),
                "vat_eur": str(pnl.vat),
                "fees_eur": str(pnl.fees),
                "cost_of_goods_eur": str(pnl.cost_of_goods),
                "ad_spend_eur": str(pnl.ad_spend),
                "expenses_eur": str(pnl.expenses),
                "profit_eur": str(pnl.profit),
            },
        )
    ]
    for product in pnl.products[:SHOWN_PRODUCTS]:
        items.append(
            FinanceItem(
                title=product.title,
                status=ItemStatus.REPORTED,
                detail=f"{product.units} unit(s), revenue €{product.revenue}, cost "
                f"€{product.cost}, margin {product.margin_pct}%, ROI {product.roi_pct}%",
            )
        )
    return items
