"""A new sandbox user's "Fulfil today's orders" through `royal chat`: the demo shop's SKUs are
mapped to sandbox supplier variants at startup, so its paid orders become supplier orders (once
their unvetted supplier is approved); a SKU no supplier sells still holds its order, with why."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli_support import royal
from tools.sandbox import SandboxServer
from tools.sandbox.supplier_mapping import demo_mappings
from tools.suppliers.cj import SANDBOX_API_KEY, CJSupplier


def test_demo_mappings_are_one_per_sku() -> None:
    skus = [m.sku for m in demo_mappings()]
    assert len(skus) == len(set(skus))
    assert {m.supplier for m in demo_mappings()} == {"cjdropshipping"}


async def test_demo_mappings_resolve_through_the_cj_api(sandbox: SandboxServer) -> None:
    async with CJSupplier(
        SANDBOX_API_KEY, base_url=f"{sandbox.url}/cj/api2.0/v1", mode="sandbox"
    ) as cj:
        for mapping in demo_mappings():
            product = await cj.get_product(mapping.product_id)
            assert mapping.variant_id in {v.variant_id for v in product.variants}, mapping.sku


def test_fulfil_todays_orders_on_the_demo_store_places_supplier_orders(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "ROYAL_SANDBOX_SUPPLIER_MAPPING": "true",
    }
    chat = royal(env, "chat", "Fulfil today's orders", "--thread", "fulfil")
    assert chat.returncode == 0, chat.stdout + chat.stderr
    assert "→ finance" in chat.stdout
    # Today's two paid demo orders (#1028, #1029) each hold a lantern mapped to CJ; CJ's vendor
    # is not vetted yet, so each supplier order waits for an approver with its amount.
    ids = re.findall(r"approve\|reject\|modify (\S+)", chat.stdout)
    assert len(ids) == 2, chat.stdout
    assert "Uses a supplier without a vetting scorecard" in chat.stdout
    assert "USD 7.20" in chat.stdout
    assert "cj.createOrderV2" not in sandbox.sandbox.ledger.counts()
    answers = []
    for approval_id in ids:
        done = royal(env, "approvals", "approve", approval_id, "--notes", "demo")
        assert done.returncode == 0, done.stdout + done.stderr
        answers.append(done.stdout)
    assert sandbox.sandbox.ledger.counts().get("cj.createOrderV2") == 2
    answer = answers[-1]
    assert "Placed with supplier **Order #1028" in answer
    assert "Placed with supplier **Order #1029" in answer
    assert re.search(r"CJdropshipping order \d+ for \d+\.\d\d USD", answer), answer
    # The SKUs no sandbox supplier sells still hold their order, with the reason.
    assert "no supplier mapping for RE-FRP-90CM, RE-DMB-32KG" in answer
    assert "proposed resolution" in answer
