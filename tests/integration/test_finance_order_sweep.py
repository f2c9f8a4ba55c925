"""The periodic order sweep, on SQLite and Postgres against the sandbox: a paid order no webhook
delivered is fulfilled once (two sweeps racing start one run, a later sweep starts nothing), an
order younger than the grace period is left to its webhook, and the sweeper runs on its interval."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from host import order_sweep, runs
from host.order_sweep import Swept, sweep_orders
from storage.order_lines import LineStatus, OrderLineRepository
from storage.order_sweeps import order_sweep_claims
from tests.integration.finance_support import BAND_SKU, map_to_cj, place_shop_order
from tests.integration.pipeline_support import Engine, engine, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

#: Past the policy's sweep_grace_minutes (10): the order's webhook had its chance.
LATER = timedelta(minutes=11)


async def _finish(engine: Engine, swept: list[Swept]) -> None:
    for item in swept:
        engine.runtime.workers.follow(item.thread_id)
        run = await runs.existing(engine.runtime, item.thread_id, item.run_id)
        await runs.result(engine.runtime, run)


async def test_an_order_no_webhook_delivered_is_swept_and_placed_once(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await map_to_cj(engine.services, BAND_SKU, "resistance bands")
    order = place_shop_order(sandbox)
    now = engine.services.clock() + LATER
    first, second = await asyncio.gather(
        sweep_orders(engine.runtime, now), sweep_orders(engine.runtime, now)
    )
    ours = [s for s in [*first, *second] if s.order_id == order["id"]]
    assert len(ours) == 1, ours  # two sweeps raced; the order's line was claimed once
    # The seeded demo orders of the last days are swept too (their SKUs are unmapped here).
    assert len({s.order_id for s in [*first, *second]}) == len([*first, *second])
    await _finish(engine, [*first, *second])

    assert sandbox.sandbox.ledger.counts().get("cj.createOrderV2") == 1
    lines = await OrderLineRepository(engine.services.database).of_orders([order["id"]])
    assert [line.status for line in lines.values()] == [LineStatus.PLACED]
    held = await OrderLineRepository(engine.services.database).with_status(LineStatus.HELD)
    assert held
    assert all("no supplier mapping" in (line.reason or "") for line in held)

    # A later sweep finds every line recorded or claimed: it starts nothing.
    assert await sweep_orders(engine.runtime, now + LATER) == []
    assert sandbox.sandbox.ledger.counts().get("cj.createOrderV2") == 1


async def test_an_order_a_run_is_waiting_to_place_is_not_swept_into_a_second_approval(
    engine: Engine, sandbox: SandboxServer
) -> None:
    """ "Fulfil today's orders" proposes a supplier order that waits for an approver (the vendor
    is not vetted); a sweep meanwhile leaves the order to that run instead of proposing it
    again."""
    await map_to_cj(engine.services, BAND_SKU, "resistance bands", onboard=False)
    order = place_shop_order(sandbox)
    values = await turn(engine, "fulfil-today", "Fulfil today's orders")
    assert values.get("__interrupt__"), values  # waits for an approver

    swept = await sweep_orders(engine.runtime, engine.services.clock() + LATER)
    assert order["id"] not in {s.order_id for s in swept}
    async with engine.services.database.read() as connection:
        claims = (await connection.execute(select(order_sweep_claims.c.order_id))).scalars()
        assert order["id"] in set(claims)  # the run claimed the lines it is placing
    await _finish(engine, swept)
    assert "cj.createOrderV2" not in sandbox.sandbox.ledger.counts()


async def test_an_order_inside_the_grace_period_is_left_to_its_webhook(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await map_to_cj(engine.services, BAND_SKU, "resistance bands")
    order = place_shop_order(sandbox)
    swept = await sweep_orders(engine.runtime, engine.services.clock())
    assert order["id"] not in {s.order_id for s in swept}
    await _finish(engine, swept)
    assert "cj.createOrderV2" not in sandbox.sandbox.ledger.counts()


async def test_the_sweeper_runs_on_its_interval(engine: Engine, sandbox: SandboxServer) -> None:
    settings = engine.runtime.settings.model_copy(update={"royal_order_sweep_seconds": 0.2})
    runtime = dataclasses.replace(engine.runtime, settings=settings)
    query = select(func.count()).select_from(order_sweep_claims)
    claims = 0
    async with order_sweep.sweeping(runtime):
        for _ in range(100):  # the seeded demo orders of the last days are older than the grace
            await asyncio.sleep(0.1)
            async with engine.services.database.read() as connection:
                claims = (await connection.execute(query)).scalar_one()
            if claims:
                break
    assert claims, "the sweeper claimed no order line within 10 s"
