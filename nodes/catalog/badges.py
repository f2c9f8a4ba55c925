"""Low-stock badges: a metafield on each product, and the snippet that shows it, written to the
unpublished staging theme. The live theme never renders it until the staging theme is promoted
(a HIGH action)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import ProposalContext
from nodes.catalog.common import catalog_action, gated, outcome_of
from nodes.catalog.state import BadgeInput
from nodes.catalog.themes import StageThemeArgs, stage_files, stage_theme_action
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from policies import Action, ActionKind
from tools.catalog import shopify
from tools.shopify.errors import ShopifyError
from tools.themes import shopify as themes

STAGING_THEME = "Royal staging"
SNIPPET = "snippets/royal-low-stock-badge.liquid"
SNIPPET_BODY = (
    "{%- if product.metafields.royal_badges.low_stock -%}\n"
    '<span class="badge badge--low-stock">Only a few left</span>\n'
    "{%- endif -%}\n"
)

BADGE_TOOL = "shopify.productUpdate (badge metafield)"
RENDER = "{% render 'royal-low-stock-badge', product: product %}"
SECTION = "sections/main-product.liquid"


class BadgeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: str
    handle: str
    variants: list[str]


async def badge(state: BadgeInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    drift = state["drift"]
    handle = drift[0].handle
    try:
        item = await shopify.get_by_handle(services.shopify, handle)
    except ShopifyError as exc:
        return {"failures": [ServiceFailure.of("Shopify", f"read {handle}", exc, "no badge set")]}
    if item is None:
        return {}
    args = BadgeArgs(product_id=item.id, handle=handle, variants=sorted({d.variant for d in drift}))

    def action(chosen: BadgeArgs) -> Action:
        return catalog_action(BADGE_TOOL, ActionKind.INVENTORY_BADGE, chosen)

    async def execute(chosen_action: Action, key: str) -> JsonValue:
        chosen = BadgeArgs.model_validate(chosen_action.args)
        await shopify.set_low_stock_badge(services.shopify, chosen.product_id, chosen.variants)
        return {"product_id": chosen.product_id}

    context = ProposalContext(
        title=f"Low-stock badge on {handle}",
        description="; ".join(d.detail for d in drift),
        reasoning="Shown only by the staging theme until it is promoted.",
    )
    try:
        gate = await gated(runtime, args, action, context, execute)
    except ShopifyError as exc:
        return {"failures": [ServiceFailure.of("Shopify", f"badge {handle}", exc, "no badge set")]}
    return {"outcomes": [outcome_of(gate, handle, "low-stock badge: " + ", ".join(args.variants))]}


async def badge_theme(state: BadgeInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    try:
        live = await themes.live_theme(services.shopify)
        section = (await themes.read_files(services.shopify, live["id"])).get(SECTION, "")
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", "read the live theme", exc, "no badge snippet staged"
        )
        return {"failures": [failure]}
    files = {SNIPPET: SNIPPET_BODY}
    if RENDER not in section:
        files[SECTION] = f"{RENDER}\n{section}"
    args = StageThemeArgs(theme=STAGING_THEME, files=files)

    context = ProposalContext(
        title=f"Low-stock badge snippet on the {STAGING_THEME} theme",
        description=f"{len(state['drift'])} low-stock variant(s) get a badge on the staging theme.",
        reasoning="The live theme is untouched; promoting the staging theme is a HIGH action.",
    )
    try:
        gate = await gated(
            runtime, args, stage_theme_action, context, stage_files(services.shopify)
        )
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", "write the staging theme", exc, "no badge snippet staged"
        )
        return {"failures": [failure]}
    return {"outcomes": [outcome_of(gate, f"{STAGING_THEME} theme", "badge snippet staged")]}
