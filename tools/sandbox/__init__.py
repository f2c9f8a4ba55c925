"""Local emulators of the external services the agents use (Shopify, GitHub, suppliers).

They speak the real wire formats, keep state, are seeded with a demo store and supplier
catalogs, and inject faults on demand, so the whole system runs and is tested with no accounts.
"""

from tools.sandbox.app import Sandbox, create_sandbox_app
from tools.sandbox.faults import FaultSettings
from tools.sandbox.runner import SandboxServer

__all__ = ["FaultSettings", "Sandbox", "SandboxServer", "create_sandbox_app"]
