"""Orders fulfilled per second through the finance cluster, on SQLite and Postgres.

A batch of paid orders is placed in the sandbox shop (one mapped SKU, its CJ vendor onboarded),
then one ``finance`` run sweeps them: fraud screening and release (LOW), one supplier order
each through the approval gate and the effects ledger. Further sweeps sync tracking until every
order is fulfilled on Shopify. Offline model; sandbox in process over loopback HTTP.

    uv run python -m bench.finance [--orders 20] [--postgres-url postgresql://…/postgres]
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.support import bench_parser, on_sqlite_then_postgres
from host import runs
from host.runtime import Runtime
from nodes.clusters import ClusterTask
from settings import Settings, reset_settings_cache
from storage.order_lines import OrderLineRepository, VariantSupplier
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from tools.sandbox import SandboxServer

SKU = "RE-RBK-GREEN"


async def _prepare(runtime: Runtime) -> None:
    services = runtime.require_services()
    cj = services.suppliers["cjdropshipping"]
    hit = (await cj.search_catalog("resistance bands", limit=1))[0]
    product = await cj.get_product(hit.product_id)
    await OrderLineRepository(services.database).map_variant(
        VariantSupplier(
            sku=SKU,
            supplier="cjdropshipping",
            product_id=product.product_id,
            variant_id=product.variants[0].variant_id,
        )
    )
    await SupplierRegistry(services.database).onboard(
        NewOnboarding(
            platform="cjdropshipping", vendor_id=product.vendor.id, vendor_name=product.vendor.name
        )
    )


async def _sweep(runtime: Runtime, thread: str) -> Any:
    task = ClusterTask(
        cluster="finance",
        title="Fulfil paid orders",
        instructions="bench",
        parameters={"action": "fulfil"},
    )
    run = await runs.start(
        runtime, thread, "finance", input={"task": task.model_dump(mode="json"), "goal": "bench"}
    )
    return await runs.result(runtime, run)


async def measure(label: str, sandbox: SandboxServer, count: int) -> None:
    sandbox.sandbox.reset()
    reset_settings_cache()
    async with Runtime.open(Settings(royal_sandbox_supplier_mapping=False), workers=1) as runtime:
        await _prepare(runtime)
        async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as http:
            for number in range(count):
                order = {"email": f"buyer{number}@example.com", "lines": [{"sku": SKU}]}
                (await http.post("/_sandbox/shopify/orders", json=order)).raise_for_status()
        started = time.perf_counter()
        await _sweep(runtime, "bench-place")
        placed_s = time.perf_counter() - started
        sweeps = 0
        while sandbox.sandbox.ledger.counts().get("shopify.fulfillmentCreate", 0) < count:
            sweeps += 1
            if sweeps > 6:
                raise RuntimeError(f"orders not fulfilled: {sandbox.sandbox.ledger.counts()}")
            await _sweep(runtime, f"bench-track-{sweeps}")
        total_s = time.perf_counter() - started
    counts = sandbox.sandbox.ledger.counts()
    if counts.get("cj.createOrderV2") != count:
        raise RuntimeError(f"expected {count} supplier orders, got {counts}")
    print(
        f"{label:<9} orders={count:<4} placed with supplier: {count / placed_s:6.2f} orders/s  "
        f"fulfilled with tracking: {count / total_s:6.2f} orders/s "
        f"({sweeps} tracking sweep(s), {total_s:.1f} s)"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args()
    on_sqlite_then_postgres(
        args.postgres_url, lambda label, sandbox: measure(label, sandbox, args.orders)
    )


if __name__ == "__main__":
    main()
