"""The Zendesk Support API emulator (tickets, comments, users, tags, signed webhooks)."""

from tools.sandbox.zendesk.emulator import ZendeskEmulator
from tools.sandbox.zendesk.store import ZendeskStore, sign_webhook

__all__ = ["ZendeskEmulator", "ZendeskStore", "sign_webhook"]
