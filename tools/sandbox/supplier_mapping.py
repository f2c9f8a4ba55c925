"""Which sandbox supplier ships each SKU of the demo shop: the mapping a store owner would have
made when listing these products, so the demo's "Fulfil today's orders" places supplier orders.

Only products a sandbox supplier sells at or under the store's recorded unit cost are mapped
(CJdropshipping's bands, jump rope, 45 cm roller, hammock, lantern and yoga mat). The rest is
left unmapped on purpose: SKUs no sandbox supplier sells (the dumbbells, the 90 cm roller, the
massage gun, the power bank, the LED strip...) and those whose sandbox listing costs more than
the store pays (Printful's print-on-demand bottle and mat) go on hold with the reason, as an
unmapped SKU does in a real store.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.sandbox.cj import catalog as cj


@dataclass(frozen=True)
class DemoMapping:
    """One store SKU and the supplier variant that ships it (ids as the supplier's API has them)."""

    sku: str
    supplier: str
    product_id: str
    variant_id: str


def _cj(sku: str, slug: str, *values: str) -> DemoMapping:
    product = next(p for p in cj.PRODUCTS if p.slug == slug)
    if tuple(values) not in product.variant_values():
        raise ValueError(f"CJ {slug} has no variant {values}")
    return DemoMapping(sku, "cjdropshipping", product.pid, product.vid(tuple(values)))


def demo_mappings() -> tuple[DemoMapping, ...]:
    """The demo shop's mapped SKUs (``RE-<product>-<variant>``, see ``shopify/seed.py``)."""
    return (
        _cj("RE-RBK-GREEN", "resistance-bands", "Black"),
        _cj("RE-RBK-BLUE", "resistance-bands", "Black"),
        _cj("RE-RBK-BLACK", "resistance-bands", "Black"),
        _cj("RE-SJR-STD", "smart-jump-rope", "Black"),
        _cj("RE-FRP-45CM", "foam-roller", "Black"),  # CJ has no 90 cm roller: unmapped
        _cj("RE-HMK-STD", "nylon-hammock", "Army Green"),
        _cj("RE-LCL-STD", "camping-lantern", "Black"),
        _cj("RE-YGM-SAGE", "yoga-mat", "Teal"),
        _cj("RE-YGM-SAND", "yoga-mat", "Grey"),
        _cj("RE-YGM-CHARCOAL", "yoga-mat", "Grey"),
        _cj("RE-YGM-OCEAN", "yoga-mat", "Teal"),
    )
