"""The cash-flow view through the CEO, on SQLite and Postgres against the sandbox: the supplier
order placed for a paid order is owed until a supplier payment is recorded through the gate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from storage.order_lines import LineStatus, OrderLineRepository
from tests.integration.finance_support import BAND_SKU, map_to_cj, place_shop_order
from tests.integration.pipeline_support import Engine, engine, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

USD_TO_EUR = Decimal("0.86")  # the policy's rate (policies/default_policy.yaml)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


async def test_what_is_owed_to_suppliers_is_in_the_pnl_report(
    engine: Engine, sandbox: SandboxServer
) -> None:
    before = _reply(await turn(engine, "books-0", "How much profit did we make this week?"))
    assert "Owed to suppliers: €0.00 (supplier orders placed €0.00; supplier payments" in before

    await map_to_cj(engine.services, BAND_SKU, "resistance bands")
    order = place_shop_order(sandbox, lines=[{"sku": BAND_SKU, "quantity": 2}])
    await turn(engine, "fulfil", "Fulfil today's orders")
    assert sandbox.sandbox.ledger.counts().get("cj.createOrderV2") == 1
    (line,) = (
        await OrderLineRepository(engine.services.database).of_orders([order["id"]])
    ).values()
    assert line.status is LineStatus.PLACED
    assert line.currency == "USD"
    assert line.cost is not None
    placed = (line.cost * USD_TO_EUR).quantize(Decimal("0.01"))

    report = _reply(await turn(engine, "books-1", "How much profit did we make this week?"))
    assert f"Owed to suppliers: €{placed} (supplier orders placed €{placed}" in report
    assert f"CJdropshipping €{placed} on 1 order(s) (€{placed} not shipped)" in report

    paid = _reply(await turn(engine, "pay", "Record a €5 supplier payment to CJ"))
    assert "Expense €5.00 (supplier_payment)" in paid
    after = _reply(await turn(engine, "books-2", "How much profit did we make this week?"))
    assert f"Owed to suppliers: €{placed - 5}" in after
    assert "supplier payments recorded €5.00" in after
