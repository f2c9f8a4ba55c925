"""Printful (API v1) adapter."""

from tools.suppliers.printful.adapter import PrintfulSupplier
from tools.suppliers.printful.client import DEFAULT_BASE_URL, PrintfulClient

SANDBOX_TOKEN = "pf_sandbox_token"
"""The token the sandbox emulator accepts; not a secret."""
SANDBOX_STORE_ID = "10000001"
"""The store the sandbox token belongs to."""

__all__ = [
    "DEFAULT_BASE_URL",
    "SANDBOX_STORE_ID",
    "SANDBOX_TOKEN",
    "PrintfulClient",
    "PrintfulSupplier",
]
