"""The emulated helpdesk's state: users, tickets and their comments, in Zendesk's JSON shapes.

A customer message (a new ticket or a comment on one) produces the event Zendesk's webhooks
send for ``zen:event-type:ticket.comment_added``, signed as Zendesk signs it, so tests deliver
exactly what a real account would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.sandbox.ledger import MutationLedger

BOT_ID = 1
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    id: int
    name: str
    email: str
    role: str = "end-user"

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "role": self.role}


@dataclass
class Comment:
    id: int
    author_id: int
    body: str
    public: bool
    created_at: datetime

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "Comment",
            "author_id": self.author_id,
            "body": self.body,
            "plain_body": self.body,
            "html_body": f"<p>{self.body}</p>",
            "public": self.public,
            "attachments": [],
            "created_at": _iso(self.created_at),
        }


@dataclass
class Ticket:
    id: int
    subject: str
    requester_id: int
    status: str
    created_at: datetime
    updated_at: datetime
    tags: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "raw_subject": self.subject,
            "description": self.comments[0].body if self.comments else "",
            "status": self.status,
            "requester_id": self.requester_id,
            "submitter_id": self.requester_id,
            "assignee_id": None,
            "tags": list(self.tags),
            "via": {"channel": "email"},
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


class ZendeskError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class ZendeskStore:
    """Thread-safe: the sandbox serves requests from several threads."""

    def __init__(self, ledger: MutationLedger) -> None:
        self._lock = threading.RLock()
        self._ledger = ledger
        self.users: dict[int, User] = {}
        self.tickets: dict[int, Ticket] = {}
        self._next_user = 100
        self._next_ticket = 1
        self._next_comment = 10_000
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.users = {BOT_ID: User(BOT_ID, "Royal Support Bot", "bot", role="agent")}
            self.tickets = {}
            self._next_user, self._next_ticket, self._next_comment = 100, 1, 10_000

    # --- customers ---------------------------------------------------------------------------
    def customer(self, email: str, name: str) -> User:
        with self._lock:
            found = next((u for u in self.users.values() if u.email == email.lower()), None)
            if found is not None:
                return found
            user = User(self._next_user, name, email.lower())
            self._next_user += 1
            self.users[user.id] = user
            return user

    def customer_message(
        self,
        email: str,
        name: str,
        body: str,
        *,
        subject: str = "",
        ticket_id: int | None = None,
        at: datetime | None = None,
    ) -> tuple[Ticket, Comment]:
        """A message from a customer: a new ticket, or a comment reopening an existing one."""
        moment = at or datetime.now(UTC)
        with self._lock:
            user = self.customer(email, name)
            if ticket_id is None:
                ticket = Ticket(
                    self._next_ticket, subject or body[:60], user.id, "new", moment, moment
                )
                self._next_ticket += 1
                self.tickets[ticket.id] = ticket
            else:
                ticket = self.get(ticket_id)
                if ticket.requester_id != user.id:
                    raise ZendeskError(422, "RecordInvalid", "only the requester may comment")
                ticket.status = "open"
            comment = self._comment(ticket, user.id, body, public=True, at=moment)
            return ticket, comment

    def _comment(
        self, ticket: Ticket, author_id: int, body: str, *, public: bool, at: datetime
    ) -> Comment:
        comment = Comment(self._next_comment, author_id, body, public, at)
        self._next_comment += 1
        ticket.comments.append(comment)
        ticket.updated_at = at
        return comment

    # --- the API -----------------------------------------------------------------------------
    def get(self, ticket_id: int) -> Ticket:
        with self._lock:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                raise ZendeskError(404, "RecordNotFound", "Not found")
            return ticket

    def page_of_tickets(self, size: int, after: int) -> tuple[list[Ticket], bool]:
        with self._lock:
            ordered = [self.tickets[i] for i in sorted(self.tickets) if i > after]
            return ordered[:size], len(ordered) > size

    def update(self, ticket_id: int, change: dict[str, Any], author_id: int) -> dict[str, Any]:
        """``PUT /tickets/{id}``: an optional comment, status and ``additional_tags``."""
        with self._lock:
            ticket = self.get(ticket_id)
            status = change.get("status")
            if status is not None and status not in STATUSES:
                raise ZendeskError(422, "RecordInvalid", f"Status: {status!r} is not valid")
            events: list[dict[str, Any]] = []
            raw = change.get("comment")
            if isinstance(raw, dict):
                body = str(raw.get("body") or "").strip()
                if not body:
                    raise ZendeskError(422, "RecordInvalid", "Comment: body can't be blank")
                public = bool(raw.get("public", True))
                comment = self._comment(ticket, author_id, body, public=public, at=_now())
                events.append({"id": comment.id, "type": "Comment", **comment.json()})
                self._ledger.record("zendesk", "ticket.comment", str(comment.id))
            if status is not None:
                ticket.status = status
            for tag in change.get("additional_tags") or []:
                if str(tag) not in ticket.tags:
                    ticket.tags.append(str(tag))
            return {"ticket": ticket.json(), "audit": {"ticket_id": ticket.id, "events": events}}

    # --- webhooks ----------------------------------------------------------------------------
    def comment_added_event(self, ticket: Ticket, comment: Comment) -> dict[str, Any]:
        """The body of Zendesk's ``ticket.comment_added`` event webhook."""
        author = self.users[comment.author_id]
        return {
            "account_id": 1,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"zendesk:comment:{comment.id}")),
            "subject": f"zen:ticket:{ticket.id}",
            "time": _iso(comment.created_at),
            "type": "zen:event-type:ticket.comment_added",
            "zendesk_event_version": "2022-11-06",
            "detail": {
                "id": str(ticket.id),
                "requester_id": str(ticket.requester_id),
                "status": ticket.status.upper(),
                "subject": ticket.subject,
            },
            "event": {
                "comment": {
                    "id": str(comment.id),
                    "body": comment.body,
                    "is_public": comment.public,
                    "author": {
                        "id": str(author.id),
                        "is_staff": author.role != "end-user",
                        "name": author.name,
                    },
                }
            },
        }


def _now() -> datetime:
    return datetime.now(UTC)


def sign_webhook(body: bytes, secret: str, timestamp: str | None = None) -> dict[str, str]:
    """Zendesk's signature headers: base64 HMAC-SHA256 of ``timestamp + body``."""
    stamp = timestamp or _iso(_now())
    digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)
