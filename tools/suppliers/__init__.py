"""Dropshipping suppliers behind one ``Supplier`` protocol: CJdropshipping and Printful.

Adding a supplier means one adapter module implementing ``Supplier`` (mapping its wire format
to ``tools.suppliers.models``) and one branch in ``build_suppliers``.
"""

from tools.suppliers._retry import RetryPolicy
from tools.suppliers.cj import CJSupplier
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierError,
    SupplierNotFoundError,
    SupplierRateLimitError,
    SupplierRequestError,
    SupplierUnavailableError,
)
from tools.suppliers.factory import build_suppliers
from tools.suppliers.models import (
    Address,
    CatalogItem,
    Money,
    OrderLine,
    Recipient,
    ShippingQuote,
    StockLevel,
    SupplierKey,
    SupplierOrder,
    SupplierOrderRequest,
    SupplierOrderStatus,
    SupplierProduct,
    SupplierProfile,
    SupplierVariant,
    TrackingInfo,
    VendorProfile,
    WarehouseStock,
)
from tools.suppliers.printful import PrintfulSupplier
from tools.suppliers.protocol import Supplier

__all__ = [
    "Address",
    "CJSupplier",
    "CatalogItem",
    "Money",
    "OrderLine",
    "PrintfulSupplier",
    "Recipient",
    "RetryPolicy",
    "ShippingQuote",
    "StockLevel",
    "Supplier",
    "SupplierAuthenticationError",
    "SupplierError",
    "SupplierKey",
    "SupplierNotFoundError",
    "SupplierOrder",
    "SupplierOrderRequest",
    "SupplierOrderStatus",
    "SupplierProduct",
    "SupplierProfile",
    "SupplierRateLimitError",
    "SupplierRequestError",
    "SupplierUnavailableError",
    "SupplierVariant",
    "TrackingInfo",
    "VendorProfile",
    "WarehouseStock",
    "build_suppliers",
]
