"""The sandbox demo shop's SKU -> supplier mapping, written into the database at startup so a
new user's "Fulfil today's orders" places supplier orders instead of holding every order."""

from __future__ import annotations

import logging

from nodes.services import Services
from settings import ServiceMode
from storage.order_lines import OrderLineRepository, VariantSupplier
from tools.sandbox.supplier_mapping import demo_mappings

logger = logging.getLogger(__name__)


async def map_demo_store(services: Services) -> int:
    """Map the demo shop's SKUs whose supplier is also the sandbox; returns how many were new.

    Only while Shopify is the sandbox (a real shop's SKUs are the owner's to map) and
    ``ROYAL_SANDBOX_SUPPLIER_MAPPING`` is on; an SKU already mapped is never changed."""
    settings = services.settings
    if (
        not settings.royal_sandbox_supplier_mapping
        or settings.shopify_mode is not ServiceMode.SANDBOX
    ):
        return 0
    sandboxed = {
        "cjdropshipping": settings.cj_mode is ServiceMode.SANDBOX,
        "printful": settings.printful_mode is ServiceMode.SANDBOX,
    }
    wanted = [
        VariantSupplier(
            sku=m.sku, supplier=m.supplier, product_id=m.product_id, variant_id=m.variant_id
        )
        for m in demo_mappings()
        if sandboxed.get(m.supplier, False)
    ]
    added = await OrderLineRepository(services.database, clock=services.clock).map_unmapped(wanted)
    if added:
        logger.info("mapped %d SKU(s) of the sandbox demo shop to sandbox supplier variants", added)
    return added
