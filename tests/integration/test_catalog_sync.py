"""Issue 16's catalog sync against the emulators: export, Shopify -> pull request, merged pull
request -> staged, checked, promoted through the policy, conflicts, rollback."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.sync import SyncRepository
from storage.sync_schema import ChangeStatus, ConflictStatus, Resolution, SyncDirection
from tests.integration.catalog_support import Catalog, catalog, pull_number, report
from tests.integration.storage_support import BACKENDS
from tools.catalog.codec import CATALOG_DIR, dump, load, path_for

__all__ = ["catalog"]

HANDLE = "resistance-band-kit"


def repo(catalog: Catalog) -> SyncRepository:
    return SyncRepository(catalog.services.database)


async def exported(catalog: Catalog) -> None:
    """The seeded store exported and merged: the repository and Shopify agree."""
    await catalog.merge_export(await catalog.run("export-1", "export"))


@pytest.mark.parametrize("catalog", BACKENDS, indirect=True)
async def test_export_writes_one_file_per_product_and_a_second_export_no_diff(
    catalog: Catalog,
) -> None:
    result = await catalog.run("export-1", "export")
    number = pull_number(result)
    files = await catalog.client.list_pull_request_files(number)
    products = catalog.shopify.store.products.values()
    assert sorted(f.filename for f in files) == sorted(path_for(p.handle) for p in products)
    assert {f.status for f in files} == {"added"}
    text = catalog.github.read_file(path_for(HANDLE), ref="catalog-sync/shopify")
    assert text is not None
    product = load(text.decode(), path_for(HANDLE))
    assert dump(product) == text.decode()  # deterministic: reading and writing changes nothing

    merged = await catalog.merge_export(result)
    assert "agreed state" in report(merged).summary
    assert await repo(catalog).base_count() == len(products)
    again = await catalog.run("export-2", "export")
    assert "nothing to propose" in report(again).summary
    assert catalog.github.branch_sha("catalog-sync/shopify") is not None
    assert [
        p
        for p in catalog.github._repo("royal-equips/storefront").pulls.values()
        if p.state == "open" and p.head_ref == "catalog-sync/shopify"
    ] == []


async def test_a_product_edited_in_shopify_becomes_a_pull_request_with_that_one_file(
    catalog: Catalog,
) -> None:
    await exported(catalog)
    product = catalog.live(HANDLE)
    product.title = "Resistance Band Kit Pro"
    result = await catalog.run(
        "hook-1", "shopify_changed", product_id=product.id, topic="products/update"
    )
    number = pull_number(result)
    files = await catalog.client.list_pull_request_files(number)
    assert [(f.filename, f.status) for f in files] == [(path_for(HANDLE), "modified")]
    text = catalog.github.read_file(path_for(HANDLE), ref="catalog-sync/shopify")
    assert text is not None
    assert "title: Resistance Band Kit Pro" in text.decode()
    pull = await catalog.client.get_pull_request(number)
    assert "title: Resistance Band Kit → Resistance Band Kit Pro" in (pull.body or "")

    head = catalog.github.branch_sha("catalog-sync/shopify")
    again = await catalog.run(
        "hook-2", "shopify_changed", product_id=product.id, topic="products/update"
    )
    assert "nothing to propose" in report(again).summary  # the pull request already has it
    assert catalog.github.branch_sha("catalog-sync/shopify") == head
    assert len(await catalog.client.list_pull_request_files(number)) == 1


def _priced(catalog: Catalog, factor: str) -> str:
    text = catalog.main_file(HANDLE)
    assert text is not None
    product = load(text, path_for(HANDLE))
    variants = [
        v.model_copy(update={"price": (v.price * Decimal(factor)).quantize(Decimal("0.01"))})
        if i == 0
        else v
        for i, v in enumerate(product.variants)
    ]
    return dump(product.model_copy(update={"variants": variants}))


@pytest.mark.parametrize("catalog", BACKENDS, indirect=True)
async def test_a_price_edited_in_a_merged_pull_request_reaches_shopify_once(
    catalog: Catalog,
) -> None:
    await exported(catalog)
    before = catalog.shopify_writes()
    number = await catalog.pull_request(
        "edit/price", {path_for(HANDLE): _priced(catalog, "1.10")}, "Raise the green band 10%"
    )
    result = await catalog.merge("pr-price", number, "edit/price")
    assert "__interrupt__" not in result
    item = report(result).items
    assert [(i["title"], i["status"], i["risk_level"]) for i in item] == [
        (HANDLE, "applied", "MEDIUM")
    ]
    green = catalog.live(HANDLE).variants[0]
    assert green.price == Decimal("27.44")  # 24.95 * 1.10, to the cent
    writes = catalog.shopify_writes()
    assert (
        writes.get("shopify.productSet", 0) - before.get("shopify.productSet", 0) == 2
    )  # staging + live
    staging = catalog.shopify.store.handle_owner(f"{HANDLE}-royal-staging")
    assert staging is not None
    assert staging.status == "DRAFT"
    assert not staging.publications

    again = await catalog.run("pr-price", "pull_request_merged", pull_request=number)
    assert catalog.shopify_writes() == writes  # the same pull request again writes nothing
    assert report(again).items == [
        {
            "title": HANDLE,
            "status": "unchanged",
            "outcome": "done",
            "detail": "Shopify already matches",
            "reasons": [],
        }
    ]

    history = await repo(catalog).history(HANDLE)
    assert [(h.sync.direction, h.change.field, h.change.status) for h in history] == [
        (SyncDirection.GITHUB_TO_SHOPIFY, "variants[RE-RBK-GREEN].price", ChangeStatus.APPLIED),
        (SyncDirection.SHOPIFY_TO_GITHUB, "product", ChangeStatus.PROPOSED),  # the export
    ]
    assert history[0].sync.pull_request == number


async def test_a_30_percent_price_change_from_a_pull_request_waits_for_approval(
    catalog: Catalog,
) -> None:
    await exported(catalog)
    number = await catalog.pull_request(
        "edit/big", {path_for(HANDLE): _priced(catalog, "1.30")}, "Raise 30%"
    )
    paused = await catalog.merge("pr-big", number, "edit/big")
    (pending,) = paused["__interrupt__"]
    assert pending.value["risk_level"] == "HIGH"
    assert any("Major price change" in r for r in pending.value["reasons"])
    assert catalog.live(HANDLE).variants[0].price == Decimal("24.95")  # nothing before approval
    done = await catalog.decide("pr-big", paused, "approve")
    assert catalog.live(HANDLE).variants[0].price == Decimal("32.44")
    assert report(done).items[0]["status"] == "applied"


async def test_an_invalid_file_is_reported_with_its_line_and_changes_nothing(
    catalog: Catalog,
) -> None:
    await exported(catalog)
    text = (catalog.main_file(HANDLE) or "").replace("status: ACTIVE", "status: LIVE")
    number = await catalog.pull_request("edit/bad", {path_for(HANDLE): text}, "Bad status")
    before = catalog.shopify_writes()
    result = await catalog.merge("pr-bad", number, "edit/bad")
    item = report(result).items[0]
    assert item["status"] == "stopped"
    assert f"{CATALOG_DIR}/{HANDLE}.yaml:5: status:" in str(item["reasons"])
    assert catalog.shopify_writes() == before


async def test_a_field_edited_on_both_sides_is_a_conflict_resolved_once(catalog: Catalog) -> None:
    await exported(catalog)
    catalog.live(HANDLE).title = "Band Kit (Shopify)"
    text = (catalog.main_file(HANDLE) or "").replace(
        "title: Resistance Band Kit", "title: Band Kit (repo)"
    )
    number = await catalog.pull_request("edit/title", {path_for(HANDLE): text}, "Rename")
    result = await catalog.merge("pr-title", number, "edit/title")
    assert "Conflict on resistance-band-kit title" in report(result).summary
    assert catalog.live(HANDLE).title == "Band Kit (Shopify)"  # nothing overwritten
    (conflict,) = (await repo(catalog).conflicts()).items
    assert (conflict.field, conflict.base, conflict.ours, conflict.theirs) == (
        "title",
        "Resistance Band Kit",
        "Band Kit (Shopify)",
        "Band Kit (repo)",
    )
    await repo(catalog).resolve_conflict(
        conflict.id, Resolution.THEIRS, conflict.theirs, by="ada", resolution_sync_id="r"
    )
    before = catalog.shopify_writes()
    resolved = await catalog.run("resolve-1", "resolve", conflict_id=conflict.id)
    assert catalog.live(HANDLE).title == "Band Kit (repo)"
    assert catalog.shopify_writes()["shopify.productSet"] - before["shopify.productSet"] == 1
    assert report(resolved).items[0]["status"] == "applied"
    again = await catalog.run("resolve-1", "resolve", conflict_id=conflict.id)
    assert catalog.shopify_writes()["shopify.productSet"] - before["shopify.productSet"] == 1
    assert (await repo(catalog).conflicts(status=ConflictStatus.OPEN)).total == 0
    assert again["reports"]


async def test_a_rollback_restores_the_previous_price_and_is_in_the_history(
    catalog: Catalog,
) -> None:
    await exported(catalog)
    number = await catalog.pull_request(
        "edit/price", {path_for(HANDLE): _priced(catalog, "1.10")}, "+10%"
    )
    await catalog.merge("pr-price", number, "edit/price")
    assert catalog.live(HANDLE).variants[0].price == Decimal("27.44")
    (applied,) = [
        s
        for s in (await repo(catalog).syncs()).items
        if s.pull_request == number and s.direction is SyncDirection.GITHUB_TO_SHOPIFY
    ]
    result = await catalog.run("rollback-1", "rollback", sync_id=applied.id)
    assert catalog.live(HANDLE).variants[0].price == Decimal("24.95")
    assert report(result).items[0]["status"] == "applied"
    history = await repo(catalog).history(HANDLE)
    directions = [h.sync.direction for h in history]
    assert directions[0] is SyncDirection.ROLLBACK
    assert history[0].sync.rollback_of == applied.id
    assert [h.change.status for h in history if h.sync.id == applied.id] == [
        ChangeStatus.ROLLED_BACK
    ]
    assert "pull request #" in report(result).summary  # the repository learns the restored price


async def test_a_product_deleted_on_shopify_proposes_removing_its_file(catalog: Catalog) -> None:
    await exported(catalog)
    product = catalog.live(HANDLE)
    del catalog.shopify.store.products[product.number]  # as productDelete leaves the store
    result = await catalog.run(
        "hook-delete", "shopify_changed", product_id=product.id, topic="products/delete"
    )
    files = await catalog.client.list_pull_request_files(pull_number(result))
    assert [(f.filename, f.status) for f in files] == [(path_for(HANDLE), "removed")]
