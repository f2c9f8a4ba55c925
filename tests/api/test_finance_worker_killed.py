"""A `royal worker` process SIGKILLed right after the supplier order call, for real, on SQLite
and Postgres: CJ has applied the order while the worker still waits for CJ's answer (the
sandbox holds the answer back); the worker is killed in that window, so nothing of the order is
recorded on our side. A second worker takes the run over when the lease lapses, places the
order again under the same reference, and the sandbox's ledger still counts one supplier order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from host.models import RunCreate
from nodes.clusters import ClusterTask
from storage.order_lines import LineStatus, OrderLineRepository, VariantSupplier
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from storage.runs import RunRow, RunStore
from tests.integration.finance_support import BAND_SKU, place_shop_order
from tests.integration.storage_support import BACKENDS, backend_url, migrated
from tools.sandbox import FaultSettings, SandboxServer
from tools.sandbox.cj import catalog as cj_catalog
from tools.sandbox.supplier_mapping import demo_mappings

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database", BACKENDS, indirect=True)]

STARTUP = 240.0
"""A worker importing the whole system on a busy 2-core machine takes long."""
ANSWER_DELAY_MS = 60_000
"""How long CJ holds its answer back: far longer than it takes to notice the write and kill."""


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request, tmp_path)


def _eventually(check: Callable[[], object], what: str, timeout: float = STARTUP) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def worker_processes(
    tmp_path: Path, sandbox: SandboxServer, url: str
) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """Start `royal worker` processes on demand (killed at the end if still running)."""
    env = {
        **os.environ,
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_RUN_LEASE_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    if url.startswith("postgresql"):
        env["DATABASE_URL"] = url
    env.pop("REDIS_URL", None)  # workers poll the database
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        with (tmp_path / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "worker", "--concurrency", "1"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def _log(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.log"
    return path.read_text() if path.exists() else ""


async def _until_done(store: RunStore, run_id: str) -> RunRow:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        found = await store.get_run(run_id)
        assert found is not None
        if found.status in ("success", "error", "dead"):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {STARTUP:g}s")


@pytest.mark.timeout(2 * STARTUP + 120)
async def test_a_worker_killed_after_the_supplier_call_still_gives_one_supplier_order(
    tmp_path: Path, sandbox: SandboxServer, database: str
) -> None:
    mapping = next(m for m in demo_mappings() if m.sku == BAND_SKU)
    vendor = next(p.vendor for p in cj_catalog.PRODUCTS if p.pid == mapping.product_id)
    order = place_shop_order(sandbox, lines=[{"sku": BAND_SKU, "quantity": 1}])
    task = ClusterTask(
        cluster="finance",
        title=f"Fulfil order {order['name']}",
        instructions="A paid order: place it with its supplier.",
        parameters={"action": "fulfil", "order_id": order["id"]},
    )
    body = RunCreate.model_validate(
        {"assistant_id": "finance", "input": {"task": task.model_dump(mode="json"), "goal": "x"}}
    )
    async with migrated(database) as db:
        await OrderLineRepository(db).map_variant(
            VariantSupplier(
                sku=BAND_SKU,
                supplier=mapping.supplier,
                product_id=mapping.product_id,
                variant_id=mapping.variant_id,
            )
        )
        await SupplierRegistry(db).onboard(
            NewOnboarding(
                platform="cjdropshipping", vendor_id=vendor.supplier_id, vendor_name=vendor.name
            )
        )
        store = RunStore(db, clock=lambda: datetime.now(UTC))
        run, _ = await store.create_run(
            thread_id="fulfil-killed",
            assistant_id="finance",
            graph_id="finance",
            kwargs=body.run_kwargs(),
            metadata={},
            multitask_strategy="enqueue",
            if_not_exists="create",
            after_seconds=None,
        )
        sandbox.sandbox.faults.set("cj", FaultSettings(answer_delay_ms=ANSWER_DELAY_MS))
        ledger = sandbox.sandbox.ledger

        with worker_processes(tmp_path, sandbox, database) as start:
            first = start("worker-1")
            try:
                await asyncio.to_thread(
                    _eventually,
                    lambda: first.poll() is not None or ledger.counts().get("cj.createOrderV2"),
                    "the supplier order call",
                )
            except AssertionError as exc:
                seen = await store.get_run(run.run_id)
                raise AssertionError((seen, _log(tmp_path, "worker-1"))) from exc
            assert first.poll() is None, _log(tmp_path, "worker-1")
            # CJ applied the order; the worker waits for the answer: kill it now, for real.
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=30) == -signal.SIGKILL
            lines = await OrderLineRepository(db).of_orders([order["id"]])
            assert lines == {}, "the kill came before anything was recorded"
            assert (await store.get_run(run.run_id)).status == "running"  # type: ignore[union-attr]

            sandbox.sandbox.faults.set("cj", FaultSettings())
            start("worker-2")
            done = await _until_done(store, run.run_id)
            logs = _log(tmp_path, "worker-1") + _log(tmp_path, "worker-2")
            assert done.status == "success", (done.error, logs)

        assert ledger.counts().get("cj.createOrderV2") == 1, ledger.counts()
        (line,) = (await OrderLineRepository(db).of_orders([order["id"]])).values()
        assert line.status is LineStatus.PLACED
        assert line.supplier == "cjdropshipping"
        assert line.supplier_order_id
