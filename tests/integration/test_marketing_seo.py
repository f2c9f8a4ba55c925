"""The SEO agent end to end against the Shopify emulator: one MEDIUM ``seo.update`` for all
active products (one effect in the ledger), written through ``shopify_update_product`` once
per product (also across a crash half-way), with keywords from the store's own sales and
never from supplier text."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.marketing.seo import SeoBulkArgs, apply_changes
from nodes.marketing.seo_plan import SeoParams, plan_seo
from tests.integration.pipeline_support import Engine, engine, shop, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.shopify.models import ProductUpdateInput

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

KEY = "5e0c5d1e-0000-4000-8000-0000000000f1"


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def _active(sandbox: SandboxServer) -> list[Any]:
    return [p for p in shop(sandbox).store.products.values() if p.status == "ACTIVE"]


async def test_improve_the_seo_of_our_products_is_one_medium_change_written_once_each(
    engine: Engine, sandbox: SandboxServer
) -> None:
    active = _active(sandbox)
    result = await turn(engine, "seo1", "Improve the SEO of our products")
    assert "__interrupt__" not in result
    assert writes(sandbox) == {"shopify.productUpdate": len(active)}
    reply = _reply(result)
    assert "MEDIUM" in reply
    for product in active:
        assert product.seo_title is not None
        assert len(product.seo_title) <= 60
        assert product.seo_title.startswith(product.title)
        assert product.seo_description is not None
        assert len(product.seo_description) <= 160
        assert "AI AGENTS" not in product.seo_description  # supplier text never reaches SEO
    # The best sellers' words lead: the jump rope is sold for fitness and cardio.
    rope = next(p for p in active if p.title == "Smart Jump Rope")
    assert rope.seo_title == "Smart Jump Rope for Fitness & Cardio | Royal Equips Demo"
    executed = await engine.services.audit.list(thread_id="seo1", event="action.executed")
    (entry,) = executed.items
    assert entry.action_kind == "seo.update"
    assert entry.risk_level == "MEDIUM"
    assert entry.payload["rules"] == ["seo-bulk"]
    effects = await engine.services.effects.list_for_thread("seo1")
    assert [e.action_kind for e in effects] == ["seo.update"]

    again = await turn(engine, "seo2", "Improve the SEO of our products")
    assert writes(sandbox) == {"shopify.productUpdate": len(active)}
    assert "already have this SEO" in _reply(again)


async def test_one_named_product_only(engine: Engine, sandbox: SandboxServer) -> None:
    result = await turn(engine, "seo3", "Improve the SEO of the Smart Jump Rope")
    assert writes(sandbox) == {"shopify.productUpdate": 1}
    assert "Smart Jump Rope" in _reply(result)


async def test_an_unknown_product_is_said_and_nothing_is_written(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "seo4", "Improve the SEO of the Golden Toaster")
    assert writes(sandbox) == {}
    assert "no active product called 'golden toaster'" in _reply(result)


async def test_an_untidy_title_and_handle_are_fixed_with_a_redirect(
    engine: Engine, sandbox: SandboxServer
) -> None:
    rope = next(p for p in _active(sandbox) if p.title == "Smart Jump Rope")
    rope.title = "SMART  JUMP ROPE"
    rope.handle = "sjr-2231"
    await turn(engine, "seo5", "Improve the SEO of the smart jump rope")
    assert rope.title == "Smart Jump Rope"
    assert rope.handle == "smart-jump-rope"


class Crash(Exception):
    """The process died here."""


async def test_a_crash_half_way_then_a_rerun_writes_each_product_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = engine.services
    plan = await plan_seo(services, SeoParams())
    args = SeoBulkArgs(changes=plan.changes[:4])
    real_update = services.shopify.update_product
    done: list[str] = []

    async def update_then_crash(product: ProductUpdateInput) -> Any:
        updated = await real_update(product)
        done.append(product.id)
        if len(done) == 2:
            raise Crash("killed after the second product")
        return updated

    monkeypatch.setattr(services.shopify, "update_product", update_then_crash)
    with pytest.raises(Crash):
        await apply_changes(services, args, KEY)
    monkeypatch.setattr(services.shopify, "update_product", real_update)
    first = await apply_changes(services, args, KEY)
    again = await apply_changes(services, args, KEY)
    assert first == again == {"updated": [c.product_id for c in args.changes], "failed": []}
    # The crashed attempt wrote two products (the second before it died); the re-run finds
    # them written and writes only the other two; the third run writes nothing.
    assert writes(sandbox) == {"shopify.productUpdate": 4}
