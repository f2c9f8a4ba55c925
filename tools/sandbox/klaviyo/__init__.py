"""The Klaviyo API emulator (JSON:API profiles with email consent, events that start flows)."""

from tools.sandbox.klaviyo.emulator import KlaviyoEmulator
from tools.sandbox.klaviyo.store import FLOWS, KlaviyoStore, SentEmail

__all__ = ["FLOWS", "KlaviyoEmulator", "KlaviyoStore", "SentEmail"]
