"""Campaign Manager, first step of a launch: the product, its copy, and the budget check.

The product is the store's product the operator named (once live, when the launch depends on
a product task in the same plan: ``wait_product``); the copy comes from the Ad Copy Agent
in each of the store's languages; a budget that would pass the monthly hard cap stops here with
the reason, before anyone is asked to approve it. Nothing is written here.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import ValidationError

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.budget_cap import BudgetCapError, check_cap
from nodes.marketing.copy import write_copy
from nodes.marketing.jobs import LaunchParams
from nodes.marketing.launch_args import LaunchArgs
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.state import MarketingState
from nodes.marketing.wait_product import live_product
from nodes.product.jobs import problem_of
from nodes.product.reprice_target import plain_text
from storage.marketing import CampaignRepository
from tools.shopify.errors import ShopifyError

logger = logging.getLogger(__name__)


def _stopped(title: str, reason: str) -> dict[str, Any]:
    return {"outcomes": [Outcome(title=title, status=OutcomeStatus.STOPPED, reasons=[reason])]}


async def plan_launch(state: MarketingState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = LaunchParams.of(task)
    except ValidationError as exc:
        return {"task": task} | _stopped("Ad campaign", problem_of(exc))
    try:
        found = await live_product(services.shopify, params.product, task.depends_on)
        product = (
            None if found.product is None else await services.shopify.get_product(found.product.id)
        )
    except ShopifyError as exc:
        logger.warning("ad launch: Shopify failed: %s", exc)
        failure = ServiceFailure.of(
            "Shopify", "read the store's products", exc, "no campaign was launched"
        )
        return {"task": task, "failures": [failure]}
    if product is None:
        return {"task": task} | _stopped(params.product, found.problem or "not in the store")
    limits = services.policy.policy.document.ads
    try:
        await check_cap(
            CampaignRepository(services.database, clock=services.clock),
            services.clock(),
            limits.monthly_cap_eur,
            params.budget_eur,
        )
    except BudgetCapError as exc:
        return {"task": task} | _stopped(f"Ads for {product.title}", str(exc))
    price: Decimal | None = None
    if product.variants:
        price = min(variant.price for variant in product.variants)
    shop = services.shopify.config.shop_domain
    args = LaunchArgs(
        product_id=product.id,
        product_title=product.title,
        product_url=f"https://{shop}/products/{product.handle}",
        price_eur=price,
        campaign_name=f"{product.title} – sales – €{params.budget_eur}",
        budget_eur=params.budget_eur,
        days=params.days,
        ads=write_copy(product.title, price, languages=params.languages),
    )
    return {"task": task, "launch": args, "source_text": plain_text(product.description_html)}


def route_launch(state: MarketingState) -> str:
    return "launch" if state.get("launch") else "report"
