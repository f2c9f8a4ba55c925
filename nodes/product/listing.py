"""The Shopify listing for a product: the exact arguments the publish action carries."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.approval.args import register_args_model
from nodes.product.economics import margin_pct
from nodes.product.models import Approved, ProductCopy
from policies import Action, ActionKind, SupplierStatus

PUBLISH_TOOL = "shopify_create_and_publish_product"
STORE_VENDOR = "Royal Equips"


class ListingArgs(BaseModel):
    """What the store will show; an approver may edit any of it (then it is re-classified)."""

    model_config = ConfigDict(extra="forbid")

    handle: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=255)
    title: str = Field(min_length=1, max_length=255)
    price: Decimal = Field(gt=0, decimal_places=2, description="Selling price in EUR.")
    compare_at_price: Decimal | None = Field(default=None, gt=0, decimal_places=2)
    description_html: str
    seo_title: str = Field(max_length=70)
    seo_description: str = Field(max_length=320)
    product_type: str = ""
    sku: str | None = None
    supplier: str
    supplier_product_id: str
    supplier_variant_id: str


def handle_for(title: str, supplier: str, product_id: str) -> str:
    """Stable per supplier product, so re-running the pipeline updates instead of duplicating."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha256(f"{supplier}:{product_id}".encode()).hexdigest()[:6]
    return f"{slug}-{digest}"


def listing_for(item: Approved, copy: ProductCopy) -> ListingArgs:
    candidate = item.candidate
    return ListingArgs(
        handle=handle_for(candidate.title, candidate.supplier, candidate.product_id),
        title=candidate.title,
        price=item.pricing.price_eur,
        description_html=copy.description_html,
        seo_title=copy.seo_title,
        seo_description=copy.seo_description,
        product_type=candidate.category or "",
        sku=candidate.sku,
        supplier=candidate.supplier,
        supplier_product_id=candidate.product_id,
        supplier_variant_id=candidate.variant_id,
    )


def publish_action(item: Approved, args: ListingArgs) -> Action:
    """The typed action the policy rates: the price and margin *as the listing will be*."""
    landed = item.pricing.landed_cost_eur
    status = item.scorecard.status
    json_args: dict[str, JsonValue] = args.model_dump(mode="json")
    return Action(
        cluster="product",
        agent="product_publisher",
        tool=PUBLISH_TOOL,
        kind=ActionKind.PRODUCT_CREATE,
        args=json_args,
        price_after=args.price,
        margin_pct=margin_pct(args.price, landed),
        confidence=item.case.confidence,
        supplier_id=item.scorecard.vendor_id,
        supplier_name=item.scorecard.vendor_name,
        supplier_status=SupplierStatus(status),
        reasoning="; ".join(item.case.reasons),
        source_text=item.candidate.description,
    )


register_args_model(PUBLISH_TOOL, ListingArgs)
