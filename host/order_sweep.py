"""The periodic order sweep: paid, unfulfilled orders that no webhook delivered (a webhook lost,
the API down while Shopify gave up retrying) still get fulfilled.

Every ``ROYAL_ORDER_SWEEP_SECONDS`` each API and worker process reads the store's paid,
unfulfilled orders of the last ``sweep_lookback_days`` (finance policy) that are older than
``sweep_grace_minutes`` (their webhook comes first), keeps the lines the finance cluster has
never recorded and no sweep has claimed, and starts one finance run per order for them. The
claim and the run are one transaction (``storage.order_sweeps``), so each line is swept once
however many processes sweep; the supplier order itself is once per line through the finance
cluster's own guarantees (recorded lines are skipped, the supplier de-duplicates our reference).
"""

from __future__ import annotations

import logging
import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from host.identity import SYSTEM, acting_as
from host.models import RunCreate
from host.periodic import every
from host.runtime import Runtime
from nodes.clusters import ClusterTask
from nodes.finance.orders import FulfilmentOrder, paid_unfulfilled, read_order
from policies.finance import finance_policy
from storage.order_lines import OrderLineRepository
from storage.order_sweeps import claim, claimed
from tools.shopify import ShopifyError

logger = logging.getLogger(__name__)

ASSISTANT = "finance"
#: One thread per swept order, so its runs are easy to find.
_THREAD_NAMESPACE = uuid.UUID("0d6f2c1e-5b7a-4f0e-9a51-6c2d8e4b7f30")


@dataclass(frozen=True)
class Swept:
    """A run the sweep started: the order and the lines it claimed."""

    order_id: str
    order_name: str
    line_item_ids: tuple[str, ...]
    thread_id: str
    run_id: str


async def sweep_orders(runtime: Runtime, now: datetime | None = None) -> list[Swept]:
    """Start fulfilment for what no webhook delivered; returns the runs started."""
    services = runtime.services
    if services is None or ASSISTANT not in runtime.graphs:
        return []
    rules = finance_policy().fulfilment
    now = now or services.clock()
    newest = now - timedelta(minutes=rules.sweep_grace_minutes)
    try:
        found = await paid_unfulfilled(
            services.shopify, now - timedelta(days=rules.sweep_lookback_days)
        )
        orders = [o for o in [await read_order(services.shopify, i) for i in found] if o]
    except ShopifyError as exc:
        logger.warning(
            "order sweep: Shopify failed to list the paid orders (%s); next sweep tries again",
            str(exc).splitlines()[0][:200],
        )
        return []
    candidates = [
        o
        for o in orders
        if not o.cancelled and o.financial_status == "PAID" and o.created_at <= newest
    ]
    recorded = await OrderLineRepository(services.database).of_orders(o.id for o in candidates)
    open_lines = {
        order.id: [
            line.id for line in order.lines if line.unfulfilled > 0 and line.id not in recorded
        ]
        for order in candidates
    }
    taken = await claimed(services.database, (i for ids in open_lines.values() for i in ids))
    swept: list[Swept] = []
    for order in candidates:
        lines = [i for i in open_lines[order.id] if i not in taken]
        if lines:
            started = await _start(runtime, order, lines)
            if started is not None:
                swept.append(started)
    if swept:
        logger.info(
            "order sweep: started fulfilment of %d order(s) no webhook delivered", len(swept)
        )
    return swept


async def _start(runtime: Runtime, order: FulfilmentOrder, lines: list[str]) -> Swept | None:
    task = ClusterTask(
        cluster="finance",
        title=f"Fulfil order {order.name}",
        instructions=f"The order sweep found paid order {order.name} with lines no webhook "
        "delivered: screen it and place it with its supplier(s).",
        parameters={"action": "fulfil", "order_id": order.id},
    )
    body = RunCreate.model_validate(
        {
            "assistant_id": ASSISTANT,
            "input": {"task": task.model_dump(mode="json"), "goal": task.title},
        }
    )
    thread_id = str(uuid.uuid5(_THREAD_NAMESPACE, order.id))
    clock = runtime.store.clock

    async def within(connection: AsyncConnection, run_id: str) -> None:
        await claim(connection, order.id, lines, run_id, clock())

    try:
        with acting_as(SYSTEM):
            run, _ = await runtime.store.create_run(
                thread_id=thread_id,
                assistant_id=ASSISTANT,
                graph_id=ASSISTANT,
                kwargs=body.run_kwargs(),
                metadata={"origin": "order_sweep", "order_id": order.id},
                multitask_strategy="enqueue",
                if_not_exists="create",
                after_seconds=None,
                within=within,
            )
    except IntegrityError:  # another process claimed these lines (or made the thread) first
        return None
    runtime.workers.wake()
    return Swept(order.id, order.name, tuple(sorted(lines)), run.thread_id, run.run_id)


def sweeping(runtime: Runtime) -> AbstractAsyncContextManager[None]:
    """Sweep every ``ROYAL_ORDER_SWEEP_SECONDS`` while the block runs, the first time one
    interval after start (nothing when it is 0 or the finance graph is not served)."""
    seconds = runtime.settings.royal_order_sweep_seconds
    if not seconds or runtime.services is None or ASSISTANT not in runtime.graphs:
        return nullcontext()
    return every(seconds, lambda: sweep_orders(runtime), "order-sweeper", first_after=seconds)
