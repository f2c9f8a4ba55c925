"""The one interface the support agent uses; a helpdesk adapter implements it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tools.helpdesk.models import Comment, HelpdeskUser, Ticket, TicketStatus


class HelpdeskError(Exception):
    """A helpdesk call failed: the HTTP status (0 when unreachable) and what the service said."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


@runtime_checkable
class Helpdesk(Protocol):
    """Tickets, their conversation and requester; public replies and internal hand-off notes."""

    name: str

    async def open_tickets(self, limit: int = 50) -> list[Ticket]:
        """Tickets waiting for the store (new or open), oldest first."""
        ...

    async def recent_tickets(self, limit: int = 50) -> list[Ticket]:
        """Tickets of any status, most recently updated first (the people's view)."""
        ...

    async def ticket(self, ticket_id: int) -> Ticket | None: ...

    async def comments(self, ticket_id: int) -> list[Comment]:
        """The conversation, oldest first (internal notes included, ``public=False``)."""
        ...

    async def user(self, user_id: int) -> HelpdeskUser | None: ...

    async def me(self) -> HelpdeskUser:
        """The agent the credentials belong to (the author of our replies)."""
        ...

    async def reply(self, ticket_id: int, body: str, *, status: TicketStatus) -> int:
        """Post a public reply to the customer and set the status; the new comment's id."""
        ...

    async def hand_off(self, ticket_id: int, note: str, *, tags: list[str]) -> int:
        """An internal note for the people on the team, tags, status open; the note's id."""
        ...

    async def aclose(self) -> None: ...
