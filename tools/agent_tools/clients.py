"""The clients agent tools call, and the code-supplied facts they cannot read from a service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from policies import SupplierStatus
from tools.agent_tools.errors import ToolInputError
from tools.github import GitHubClient
from tools.shopify import ShopifyClient
from tools.suppliers import Supplier

#: The vetting status of a vendor, by reference (``supplier_ref``); ``None`` when it has no
#: scorecard, which the policy treats as unvetted (HIGH). Supplied by code (the vetting step),
#: never by the model or the supplier's own text.
SupplierStatusLookup = Callable[[str], SupplierStatus | None]


def supplier_ref(supplier: str, vendor_id: str) -> str:
    """The policy's ``supplier_id`` of a vendor on a platform: ``cjdropshipping:<vendor id>``."""
    return f"{supplier}:{vendor_id}"


def no_status(_ref: str) -> SupplierStatus | None:
    """The lookup when none is configured: every vendor is unvetted."""
    return None


@dataclass(frozen=True)
class ToolClients:
    shopify: ShopifyClient
    github: GitHubClient
    suppliers: Mapping[str, Supplier]
    supplier_status: SupplierStatusLookup = no_status

    def supplier(self, key: str) -> Supplier:
        try:
            return self.suppliers[key]
        except KeyError:
            known = ", ".join(sorted(self.suppliers)) or "none"
            raise ToolInputError(f"unknown supplier {key!r} (configured: {known})") from None
