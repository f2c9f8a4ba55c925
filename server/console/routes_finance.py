"""The Orders page (what the fulfilment agent did with each order line) and the Finance page
(the daily P&L as a table and a chart drawn on the server as SVG: no script, no CDN; and the
cash-flow view of what is owed to suppliers)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from host.finance import daily_books, owed_to_suppliers, recent_order_lines
from nodes.finance.pnl import ProfitAndLoss
from server.console.security import RuntimeDep, Viewer
from server.console.views import render
from tools.shopify import ShopifyError

router = APIRouter()

CHART_WIDTH, CHART_HEIGHT, PAD = 640, 200, 20


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    label: str
    title: str
    negative: bool


def chart(days: list[ProfitAndLoss]) -> tuple[list[Bar], list[Bar], float]:
    """Bars for net sales and profit per day, scaled into the SVG; returns the zero line's y."""
    values = [v for d in days for v in (d.net_sales, d.profit)]
    top = max([Decimal(1), *values])
    bottom = min([Decimal(0), *values])
    span = float(top - bottom) or 1.0
    inner = CHART_HEIGHT - 2 * PAD
    zero = PAD + inner * float(top) / span
    slot = (CHART_WIDTH - 2 * PAD) / max(1, len(days))
    sales: list[Bar] = []
    profit: list[Bar] = []
    for index, day in enumerate(days):
        for bars, value, shift in ((sales, day.net_sales, 0.1), (profit, day.profit, 0.5)):
            height = inner * abs(float(value)) / span
            bars.append(
                Bar(
                    x=PAD + slot * index + slot * shift,
                    width=slot * 0.38,
                    y=zero - height if value >= 0 else zero,
                    height=height,
                    label=f"{day.start:%d}",
                    title=f"{day.label}: €{value}",
                    negative=value < 0,
                )
            )
    return sales, profit, zero


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    lines = await recent_order_lines(runtime.require_services())
    return render(request, "orders.html", user, lines=lines)


@router.get("/finance", response_class=HTMLResponse)
async def finance_page(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    services = runtime.require_services()
    owed = await owed_to_suppliers(services)  # from our own records: shown even without Shopify
    try:
        days = await daily_books(services)
    except ShopifyError as exc:
        return render(
            request,
            "finance.html",
            user,
            days=[],
            owed=owed,
            error=str(exc).splitlines()[0],
            status_code=503,
        )
    sales, profit, zero = chart(days)
    return render(
        request,
        "finance.html",
        user,
        days=days,
        sales=sales,
        profit=profit,
        zero=zero,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        owed=owed,
        error=None,
    )
