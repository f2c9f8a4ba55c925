"""CJdropshipping (API 2.0) adapter."""

from tools.suppliers.cj.adapter import CJSupplier
from tools.suppliers.cj.client import DEFAULT_BASE_URL, CJClient

SANDBOX_API_KEY = "cj_sandbox_key"
"""The key the sandbox emulator accepts; not a secret."""

__all__ = ["DEFAULT_BASE_URL", "SANDBOX_API_KEY", "CJClient", "CJSupplier"]
