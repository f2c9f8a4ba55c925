"""Repository webhooks: registered as on GitHub (``POST /repos/{o}/{r}/hooks``) and delivered
with GitHub's headers and ``X-Hub-Signature-256`` for ``pull_request`` events.

Deliveries are posted after the answer to the request that caused them (as GitHub delivers
asynchronously) and recorded with the status they got, so tests can wait for them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tools.sandbox.github import serialize
from tools.sandbox.github.errors import ApiError, invalid_request
from tools.sandbox.github.inputs import Body
from tools.sandbox.github.serialize import Json, Urls
from tools.sandbox.github.service import AGENT
from tools.sandbox.github.store import PullRequestRecord, Repository

DOCS_HOOKS = "https://docs.github.com/rest/repos/webhooks"
USER_AGENT = "GitHub-Hookshot/sandbox"


@dataclass
class Hook:
    id: int
    repo: str
    url: str
    secret: str
    events: list[str]
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Outgoing:
    hook: Hook
    event: str
    guid: str
    body: bytes

    def headers(self) -> dict[str, str]:
        signature = hmac.new(self.hook.secret.encode(), self.body, hashlib.sha256).hexdigest()
        return {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "x-github-event": self.event,
            "x-github-delivery": self.guid,
            "x-github-hook-id": str(self.hook.id),
            "x-hub-signature-256": f"sha256={signature}",
        }


@dataclass
class DeliveryRecord:
    guid: str
    hook_id: int
    event: str
    action: str | None
    status_code: int | None = None
    error: str | None = None
    answer: Any = field(default=None, repr=False)


class HookDispatcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.hooks: list[Hook] = []
        self.deliveries: list[DeliveryRecord] = []

    def reset(self) -> None:
        with self._lock:
            self.hooks.clear()
            self.deliveries.clear()
            self._ids = itertools.count(1)

    def create(self, repo: Repository, body: Body, urls: Urls, now: datetime) -> Json:
        config = body.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("url"), str):
            raise invalid_request('"config.url" wasn\'t supplied.', DOCS_HOOKS)
        events = body.get("events") or ["push"]
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            raise invalid_request("For 'properties/events', it is not an array.", DOCS_HOOKS)
        url = config["url"]
        if not url.startswith(("http://", "https://")):
            raise ApiError(422, "Validation Failed", documentation_url=DOCS_HOOKS)
        with self._lock:
            hook = Hook(
                id=next(self._ids),
                repo=repo.full_name.lower(),
                url=url,
                secret=str(config.get("secret") or ""),
                events=list(events),
                active=bool(body.get("active", True)),
                created_at=now,
            )
            self.hooks.append(hook)
        return _hook_json(repo, hook, urls)

    def pull_request_event(
        self, repo: Repository, pr: PullRequestRecord, action: str, urls: Urls
    ) -> list[Outgoing]:
        """The deliveries a ``pull_request`` event makes (to send after the answer)."""
        payload = {
            "action": action,
            "number": pr.number,
            "pull_request": serialize.pull_request(repo, pr, urls, detailed=True),
            "repository": serialize.repository(repo, urls),
            "sender": serialize.user(pr.merged_by or AGENT, urls),
        }
        body = json.dumps(payload).encode()
        with self._lock:
            targets = [
                h
                for h in self.hooks
                if h.active
                and h.repo == repo.full_name.lower()
                and ("pull_request" in h.events or "*" in h.events)
            ]
        return [Outgoing(hook, "pull_request", str(uuid.uuid4()), body) for hook in targets]

    async def deliver(self, outgoing: list[Outgoing]) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            for item in outgoing:
                action = json.loads(item.body).get("action")
                record = DeliveryRecord(item.guid, item.hook.id, item.event, action)
                try:
                    response = await http.post(
                        item.hook.url, content=item.body, headers=item.headers()
                    )
                    record.status_code = response.status_code
                    record.answer = _json_or_text(response)
                except httpx.HTTPError as exc:
                    record.error = f"{type(exc).__name__}: {exc}"
                with self._lock:
                    self.deliveries.append(record)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _hook_json(repo: Repository, hook: Hook, urls: Urls) -> Json:
    url = f"{urls.repo(repo)}/hooks/{hook.id}"
    return {
        "type": "Repository",
        "id": hook.id,
        "name": "web",
        "active": hook.active,
        "events": hook.events,
        "config": {"content_type": "json", "insecure_ssl": "0", "url": hook.url},
        "updated_at": serialize.timestamp(hook.created_at),
        "created_at": serialize.timestamp(hook.created_at),
        "url": url,
        "test_url": f"{url}/test",
        "ping_url": f"{url}/pings",
        "deliveries_url": f"{url}/deliveries",
        "last_response": {"code": None, "status": "unused", "message": None},
    }
