"""The Zendesk client over real HTTP against the emulator: Zendesk's wire format, cursor pages,
replies and hand-off notes, and errors that explain themselves."""

from __future__ import annotations

import pytest

from tests.integration.cs_support import zendesk, zendesk_writes
from tools.helpdesk import Helpdesk, HelpdeskError, TicketStatus, ZendeskClient
from tools.helpdesk.zendesk import SANDBOX_EMAIL, SANDBOX_PATH, SANDBOX_TOKEN
from tools.sandbox import SandboxServer
from tools.sandbox.zendesk.seed import seed_tickets


def _client(sandbox: SandboxServer, token: str = SANDBOX_TOKEN) -> ZendeskClient:
    return ZendeskClient(sandbox.url + SANDBOX_PATH, SANDBOX_EMAIL, token, mode="sandbox")


async def test_tickets_comments_and_users_in_zendesk_format(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    assert isinstance(client, Helpdesk)
    try:
        tickets = await client.open_tickets()
        assert [t.subject for t in tickets] == [t.subject for t in seed_tickets(7)]
        first = tickets[0]
        comments = await client.comments(first.id)
        assert [c.body for c in comments] == [seed_tickets(7)[0].body]
        user = await client.user(first.requester_id)
        assert user is not None
        assert user.email == seed_tickets(7)[0].email
        assert not user.is_staff
        assert (await client.me()).is_staff
        assert await client.ticket(9999) is None
        assert await client.user(9999) is None
    finally:
        await client.aclose()


async def test_pages_are_followed_by_cursor(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tools.helpdesk.zendesk.PAGE_SIZE", 3)
    client = _client(sandbox)
    try:
        assert len(await client.open_tickets()) == len(seed_tickets(7))
    finally:
        await client.aclose()


async def test_reply_and_hand_off_write_one_comment_each(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    try:
        reply_id = await client.reply(1, "Your order has shipped.", status=TicketStatus.SOLVED)
        note_id = await client.hand_off(2, "Reason: unsure", tags=["royal_handoff"])
        assert reply_id != note_id
        store = zendesk(sandbox).store
        assert store.tickets[1].status == "solved"
        assert store.tickets[1].comments[-1].public
        assert store.tickets[2].status == "open"
        assert not store.tickets[2].comments[-1].public
        assert store.tickets[2].tags == ["royal_handoff"]
        assert zendesk_writes(sandbox) == 2
        with pytest.raises(HelpdeskError, match="404"):
            await client.reply(9999, "hello", status=TicketStatus.SOLVED)
    finally:
        await client.aclose()


async def test_a_wrong_token_is_a_401_that_says_so(sandbox: SandboxServer) -> None:
    client = _client(sandbox, token="wrong")
    try:
        with pytest.raises(HelpdeskError, match=r"401.*authenticate"):
            await client.open_tickets()
    finally:
        await client.aclose()
