"""The SEO agent end to end against the Shopify emulator: one MEDIUM ``seo.update`` for all
active products and the collections (one effect in the ledger), written through
``shopify_update_product`` and ``collectionUpdate`` once each (also across a crash half-way),
with keywords from the store's own sales and never from supplier text."""

from __future__ import annotations

from typing import Any

import pytest

from nodes.marketing.seo import SeoBulkArgs, apply_changes
from nodes.marketing.seo_plan import SeoParams, plan_seo
from tests.integration.pipeline_support import Engine, engine, shop, turn, writes
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.shopify.models import CollectionUpdateInput, ProductUpdateInput

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
    collections = list(shop(sandbox).store.collections.values())
    result = await turn(engine, "seo1", "Improve the SEO of our products")
    assert "__interrupt__" not in result
    expected = {"shopify.productUpdate": len(active), "shopify.collectionUpdate": len(collections)}
    assert writes(sandbox) == expected
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
    for collection in collections:
        assert collection.seo_title is not None
        assert collection.seo_title.startswith(f"{collection.title}: ")
        assert len(collection.seo_title) <= 60
        assert collection.seo_description is not None
        assert len(collection.seo_description) <= 160
        assert collection.description_html.startswith(f"<p>Our {collection.title} collection")
        assert "AI AGENTS" not in collection.description_html
        assert f"SEO collection {collection.title}" in reply
    # A collection is described by the words its sold products share.
    outdoor = next(c for c in collections if c.handle == "outdoor")
    assert outdoor.seo_title == "Outdoor: Water & Camping | Royal Equips Demo"
    executed = await engine.services.audit.list(thread_id="seo1", event="action.executed")
    (entry,) = executed.items
    assert entry.action_kind == "seo.update"
    assert entry.risk_level == "MEDIUM"
    assert entry.payload["rules"] == ["seo-bulk"]
    effects = await engine.services.effects.list_for_thread("seo1")
    assert [e.action_kind for e in effects] == ["seo.update"]

    again = await turn(engine, "seo2", "Improve the SEO of our products")
    assert writes(sandbox) == expected
    assert "already have this SEO" in _reply(again)


async def test_a_collections_own_description_is_kept(
    engine: Engine, sandbox: SandboxServer
) -> None:
    home = next(c for c in shop(sandbox).store.collections.values() if c.handle == "home")
    home.description_html = "<p>Picked by our team.</p>"
    home.seo_title, home.seo_description = "Old", "Old"
    await turn(engine, "seo6", "Improve the SEO of our products")
    assert home.description_html == "<p>Picked by our team.</p>"
    assert home.seo_title == "Home: Led & Smart | Royal Equips Demo"
    assert home.seo_description is not None
    assert home.seo_description.startswith("Shop our Home collection at Royal Equips Demo")


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


async def test_collections_survive_a_crash_and_a_vanished_one_is_reported(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = engine.services
    plan = await plan_seo(services, SeoParams())
    args = SeoBulkArgs(collections=plan.collections)
    real_update = services.shopify.update_collection
    done: list[str] = []

    async def update_then_crash(collection: CollectionUpdateInput) -> Any:
        updated = await real_update(collection)
        done.append(collection.id)
        if len(done) == 2:
            raise Crash("killed after the second collection")
        return updated

    monkeypatch.setattr(services.shopify, "update_collection", update_then_crash)
    with pytest.raises(Crash):
        await apply_changes(services, args, KEY)
    monkeypatch.setattr(services.shopify, "update_collection", real_update)
    first = await apply_changes(services, args, KEY)
    assert first == {"updated": [c.collection_id for c in args.collections or []], "failed": []}
    assert writes(sandbox) == {"shopify.collectionUpdate": 4}

    # A collection deleted between the plan and the write is reported; the others go through.
    store = shop(sandbox).store
    gone = plan.collections[0]
    del store.collections[int(gone.collection_id.rsplit("/", 1)[1])]
    for collection in store.collections.values():
        collection.seo_title = None
        collection.description_html = ""
    # An operator writes a description after the plan: the re-run keeps it.
    mine = next(iter(store.collections.values()))
    mine.description_html = "<p>Mine.</p>"
    result = await apply_changes(services, args, KEY)
    assert mine.description_html == "<p>Mine.</p>"
    assert mine.seo_title is not None
    assert isinstance(result, dict)
    assert result["failed"] == [
        {
            "collection_id": gone.collection_id,
            "error": "the collection is no longer in the store",
        }
    ]
    assert writes(sandbox) == {"shopify.collectionUpdate": 7}
