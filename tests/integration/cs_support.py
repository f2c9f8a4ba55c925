"""Helpers for the customer-service tests: the Zendesk emulator and what it recorded."""

from __future__ import annotations

from tools.sandbox import SandboxServer
from tools.sandbox.zendesk import ZendeskEmulator
from tools.sandbox.zendesk.seed import seed_tickets
from tools.sandbox.zendesk.store import BOT_ID, Ticket


def zendesk(sandbox: SandboxServer) -> ZendeskEmulator:
    emulator = sandbox.sandbox.emulators["zendesk"]
    assert isinstance(emulator, ZendeskEmulator)
    return emulator


def ticket_id(key: str) -> int:
    """The seeded ticket of that kind (tickets are numbered in seed order from 1)."""
    return 1 + [t.key for t in seed_tickets(7)].index(key)


def ticket(sandbox: SandboxServer, key: str) -> Ticket:
    return zendesk(sandbox).store.tickets[ticket_id(key)]


def bot_comments(sandbox: SandboxServer, key: str) -> list[tuple[bool, str]]:
    """(public, body) of every comment the bot wrote on the ticket."""
    return [(c.public, c.body) for c in ticket(sandbox, key).comments if c.author_id == BOT_ID]


def zendesk_writes(sandbox: SandboxServer) -> int:
    return sandbox.sandbox.ledger.counts().get("zendesk.ticket.comment", 0)
