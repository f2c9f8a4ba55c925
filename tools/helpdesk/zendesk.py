"""Zendesk Support REST API v2: tickets, comments, users and tags over httpx.

Authentication is an API token (``{email}/token:{token}`` as HTTP basic). Lists use cursor
pagination (``page[size]``, ``page[after]``, ``meta.has_more``). A reply or hand-off is one
``PUT /tickets/{id}`` with a comment, as Zendesk's own agent workspace does; the comment's id
comes back in the ticket audit.
"""

from __future__ import annotations

from typing import Any

import httpx

from settings import Settings
from tools.helpdesk.models import AWAITING_STORE, Comment, HelpdeskUser, Ticket, TicketStatus
from tools.helpdesk.protocol import HelpdeskError

SANDBOX_PATH = "/zendesk/api/v2"
SANDBOX_EMAIL = "support-bot@royal-equips.example"
SANDBOX_TOKEN = "zendesk_sandbox_token"
SANDBOX_WEBHOOK_SECRET = "zendesk_sandbox_webhook_secret"
PAGE_SIZE = 100


class ZendeskClient:
    name = "Zendesk"

    def __init__(
        self,
        base_url: str,
        email: str,
        token: str,
        *,
        mode: str = "real",
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.mode = mode
        self._own = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._auth = httpx.BasicAuth(f"{email}/token", token)
        self._me: HelpdeskUser | None = None

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = await self._http.request(method, url, auth=self._auth, **kwargs)
        except httpx.HTTPError as exc:
            raise HelpdeskError(0, f"Zendesk unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return {}
        if response.status_code >= 400:
            raise HelpdeskError(response.status_code, _error_text(response))
        body = response.json()
        if not isinstance(body, dict):
            raise HelpdeskError(response.status_code, "Zendesk answered with a non-object body")
        return body

    async def _pages(self, path: str, key: str, limit: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page[size]": min(PAGE_SIZE, limit)}
        while len(found) < limit:
            body = await self._call("GET", path, params=params)
            found.extend(body.get(key) or [])
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                break
            params = {**params, "page[after]": meta["after_cursor"]}
        return found[:limit]

    async def open_tickets(self, limit: int = 50) -> list[Ticket]:
        raw = await self._pages("tickets.json", "tickets", 1000)
        tickets = [Ticket.model_validate(t) for t in raw]
        waiting = [t for t in tickets if t.status in AWAITING_STORE]
        return sorted(waiting, key=lambda t: (t.created_at, t.id))[:limit]

    async def recent_tickets(self, limit: int = 50) -> list[Ticket]:
        raw = await self._pages("tickets.json", "tickets", 1000)
        tickets = [Ticket.model_validate(t) for t in raw]
        return sorted(tickets, key=lambda t: (t.updated_at, t.id), reverse=True)[:limit]

    async def ticket(self, ticket_id: int) -> Ticket | None:
        raw = (await self._call("GET", f"tickets/{ticket_id}.json")).get("ticket")
        return Ticket.model_validate(raw) if raw else None

    async def comments(self, ticket_id: int) -> list[Comment]:
        raw = await self._pages(f"tickets/{ticket_id}/comments.json", "comments", 1000)
        return [Comment.model_validate(c) for c in raw]

    async def user(self, user_id: int) -> HelpdeskUser | None:
        raw = (await self._call("GET", f"users/{user_id}.json")).get("user")
        return HelpdeskUser.model_validate(raw) if raw else None

    async def me(self) -> HelpdeskUser:
        if self._me is None:
            raw = (await self._call("GET", "users/me.json")).get("user")
            if not raw:
                raise HelpdeskError(401, "users/me.json returned no user")
            self._me = HelpdeskUser.model_validate(raw)
        return self._me

    async def _update(self, ticket_id: int, ticket: dict[str, Any]) -> int:
        body = await self._call("PUT", f"tickets/{ticket_id}.json", json={"ticket": ticket})
        if not body:
            raise HelpdeskError(404, f"ticket {ticket_id} not found")
        events = (body.get("audit") or {}).get("events") or []
        comment = next((e for e in events if e.get("type") == "Comment"), None)
        if comment is None:
            raise HelpdeskError(200, f"ticket {ticket_id} updated without a comment event")
        return int(comment["id"])

    async def reply(self, ticket_id: int, body: str, *, status: TicketStatus) -> int:
        return await self._update(
            ticket_id, {"comment": {"body": body, "public": True}, "status": status.value}
        )

    async def hand_off(self, ticket_id: int, note: str, *, tags: list[str]) -> int:
        return await self._update(
            ticket_id,
            {
                "comment": {"body": note, "public": False},
                "status": TicketStatus.OPEN.value,
                "additional_tags": tags,
            },
        )


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("description") or body.get("error") or body.get("details")
        return str(detail)[:300]
    return str(body)[:300]


def build_helpdesk(settings: Settings, *, sandbox_url: str | None = None) -> ZendeskClient:
    """The real Zendesk when its subdomain, agent email and token are set, else the sandbox."""
    token = settings.zendesk_api_token
    if settings.zendesk_subdomain and settings.zendesk_email and token is not None:
        return ZendeskClient(
            f"https://{settings.zendesk_subdomain}.zendesk.com/api/v2",
            settings.zendesk_email,
            token.get_secret_value(),
        )
    base = (sandbox_url or settings.sandbox_url).rstrip("/") + SANDBOX_PATH
    return ZendeskClient(base, SANDBOX_EMAIL, SANDBOX_TOKEN, mode="sandbox")
