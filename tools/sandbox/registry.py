"""The emulators a default sandbox serves; a new emulator is one line here."""

from __future__ import annotations

from collections.abc import Callable

from tools.sandbox.cj import CJEmulator
from tools.sandbox.emulator import Emulator, SandboxContext
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.judgeme import JudgeMeEmulator
from tools.sandbox.klaviyo import KlaviyoEmulator
from tools.sandbox.meta import MetaEmulator
from tools.sandbox.printful import PrintfulEmulator
from tools.sandbox.shopify import ShopifyEmulator
from tools.sandbox.zendesk import ZendeskEmulator

DEFAULT_EMULATORS: list[Callable[[SandboxContext], Emulator]] = [
    GitHubEmulator,
    CJEmulator,
    PrintfulEmulator,
    ShopifyEmulator,
    MetaEmulator,
    ZendeskEmulator,
    JudgeMeEmulator,
    KlaviyoEmulator,
]
