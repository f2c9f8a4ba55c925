"""themes_ci and inventory_guard against the emulators: a theme branch with a Liquid error is
staged but never promoted, a clean one is promoted after approval; stock drift raises alerts
and badges the staging theme only."""

from __future__ import annotations

import json

from tests.integration.catalog_support import Catalog, catalog, pull_number, report
from tools.catalog.codec import path_for
from tools.sandbox.shopify.online_store import LIVE_THEME_FILES

__all__ = ["catalog"]


def theme_branch(catalog: Catalog, branch: str, edits: dict[str, str]) -> None:
    files = {f"theme/{name}": text for name, text in {**LIVE_THEME_FILES, **edits}.items()}
    catalog.github.write_files(branch, {p: t.encode() for p, t in files.items()}, "Theme")


def roles(catalog: Catalog) -> dict[str, str]:
    return {t.name: t.role for t in catalog.shopify.store.themes.values()}


async def test_a_theme_with_a_liquid_error_is_staged_but_not_promoted(catalog: Catalog) -> None:
    broken = "<h1>{{ product.title }}</h1>\n{% if product.available %}\n<p>In stock</p>\n"
    theme_branch(catalog, "theme/broken", {"sections/main-product.liquid": broken})
    result = await catalog.run("theme-bad", "theme_import", branch="theme/broken")
    assert "__interrupt__" not in result
    stopped = [i for i in report(result).items if i["status"] == "stopped"]
    (item,) = stopped
    assert "liquid sections/main-product.liquid: line" in str(item["reasons"])
    assert roles(catalog) == {"Dawn": "MAIN", "Royal staging (theme/broken)": "UNPUBLISHED"}
    assert "shopify.themePublish" not in catalog.shopify_writes()


async def test_a_clean_theme_is_promoted_only_after_approval(catalog: Catalog) -> None:
    theme_branch(catalog, "theme/clean", {"assets/base.css": "body { color: #123; }\n"})
    paused = await catalog.run("theme-good", "theme_import", branch="theme/clean")
    (pending,) = paused["__interrupt__"]
    assert pending.value["risk_level"] == "HIGH"
    assert pending.value["tool"] == "shopify.themePublish"
    assert roles(catalog)["Dawn"] == "MAIN"  # nothing published before the decision
    done = await catalog.decide("theme-good", paused, "approve")
    assert roles(catalog) == {"Dawn": "UNPUBLISHED", "Royal staging (theme/clean)": "MAIN"}
    assert catalog.shopify_writes()["shopify.themePublish"] == 1
    assert any(i["status"] == "applied" for i in report(done).items)


async def test_missing_required_templates_stop_the_promotion(catalog: Catalog) -> None:
    files = {"theme/layout/theme.liquid": LIVE_THEME_FILES["layout/theme.liquid"].encode()}
    catalog.github.write_files("theme/partial", files, "Only a layout")
    result = await catalog.run("theme-partial", "theme_import", branch="theme/partial")
    reasons = str([i["reasons"] for i in report(result).items if i["status"] == "stopped"])
    assert "required templates/product: missing" in reasons
    assert "shopify.themePublish" not in catalog.shopify_writes()


async def test_the_live_theme_is_exported_as_a_pull_request(catalog: Catalog) -> None:
    result = await catalog.run("theme-export", "theme_export")
    files = await catalog.client.list_pull_request_files(pull_number(result))
    assert sorted(f.filename for f in files) == sorted(f"theme/{n}" for n in LIVE_THEME_FILES)


async def test_inventory_drift_alerts_and_badges_the_staging_theme_only(catalog: Catalog) -> None:
    await catalog.merge_export(await catalog.run("export", "export"))
    handle = "resistance-band-kit"
    cj = catalog.services.suppliers["cjdropshipping"]
    (hit,) = await cj.search_catalog("resistance bands", limit=1)
    variant_id = (await cj.get_product(hit.product_id)).variants[0].variant_id
    text = catalog.main_file(handle) or ""
    mapping = json.dumps({"RE-RBK-GREEN": f"cjdropshipping:{variant_id}"})
    text = text.replace(
        "metafields: []",
        f"metafields:\n- namespace: royal\n  key: supplier\n  type: json\n  value: '{mapping}'",
    )
    catalog.github.write_files("main", {path_for(handle): text.encode()}, "Map the supplier")
    product = catalog.live(handle)
    green = product.variants[0]
    for level in green.inventory_item.levels.values():
        level.quantities["available"] = 100_000  # more than any supplier warehouse holds

    result = await catalog.run("inventory", "inventory_check", low_stock_threshold=5)
    found = report(result)
    assert any("RE-RBK-GREEN" in a and "cjdropshipping holds" in a for a in found.alerts)
    badge = {
        m.key: m.value for m in catalog.live(handle).metafields if m.namespace == "royal_badges"
    }
    assert "RE-RBK-GREEN" in badge["low_stock"]
    themes = {t.name: t for t in catalog.shopify.store.themes.values()}
    assert themes["Dawn"].role == "MAIN"
    assert "snippets/royal-low-stock-badge.liquid" not in themes["Dawn"].files
    staging = themes["Royal staging"]
    assert staging.role == "UNPUBLISHED"
    assert "royal-low-stock-badge" in staging.files["sections/main-product.liquid"].content
    unread = await catalog.services.notifications.count_unread()
    assert unread >= 1
