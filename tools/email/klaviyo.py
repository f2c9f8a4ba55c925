"""Klaviyo's API (JSON:API, revision 2024-10-15) over httpx: profile consent and events.

Marketing email in Klaviyo is sent by a flow that an event's metric triggers, so "send" is
``POST /api/events`` with the idempotency key as the event's ``unique_id`` (Klaviyo keeps the
first event per ``unique_id``: a replay after a crash sends nothing new). Consent comes from
``GET /api/profiles`` with ``additional-fields[profile]=subscriptions``. Whether an event
landed is read back from ``GET /api/events`` for the profile: Klaviyo keeps the ``unique_id``
as the ``$event_id`` event property.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from settings import Settings
from tools.email.models import Consent, FlowMessage, ProviderEvent
from tools.email.protocol import EmailProviderError

REVISION = "2024-10-15"
SANDBOX_PATH = "/klaviyo/api"
SANDBOX_API_KEY = "pk_sandbox_klaviyo_private_key"
REAL_BASE_URL = "https://a.klaviyo.com/api"
#: ``any(email,[…])`` takes up to 100 values; a page holds up to 100 profiles.
BATCH = 100
JSON_API = "application/vnd.api+json"


class KlaviyoClient:
    name = "Klaviyo"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        mode: str = "real",
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.mode = mode
        self._own = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._headers = {
            "Authorization": f"Klaviyo-API-Key {api_key}",
            "revision": REVISION,
            "accept": JSON_API,
        }

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        try:
            response = await self._http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise EmailProviderError(
                0, f"Klaviyo unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code >= 400:
            raise EmailProviderError(response.status_code, _error_text(response))
        return response

    async def consents(self, emails: list[str]) -> dict[str, Consent]:
        wanted = sorted({e.lower() for e in emails})
        found: dict[str, Consent] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            url: str | None = f"{self.base_url}/profiles"
            params: dict[str, Any] | None = {
                "filter": f"any(email,{json.dumps(chunk)})",
                "additional-fields[profile]": "subscriptions",
                "page[size]": BATCH,
            }
            while url is not None:
                body = (await self._call("GET", url, params=params)).json()
                for raw in body.get("data") or []:
                    consent = _consent(raw)
                    if consent is not None:
                        found[consent.email] = consent
                url, params = (body.get("links") or {}).get("next"), None
        return found

    async def find_event(self, email: str, unique_id: str) -> ProviderEvent | None:
        profile = await self._profile_id(email)
        if profile is None:
            return None
        url: str | None = f"{self.base_url}/events"
        params: dict[str, Any] | None = {
            "filter": f"equals(profile_id,{json.dumps(profile)})",
            "sort": "-datetime",
        }
        while url is not None:
            body = (await self._call("GET", url, params=params)).json()
            for raw in body.get("data") or []:
                attributes = raw.get("attributes") or {}
                properties = attributes.get("event_properties") or {}
                if properties.get("$event_id") == unique_id:
                    return ProviderEvent(
                        id=str(raw.get("id")),
                        unique_id=unique_id,
                        datetime=attributes.get("datetime"),
                        properties=properties,
                    )
            url, params = (body.get("links") or {}).get("next"), None
        return None

    async def _profile_id(self, email: str) -> str | None:
        params = {"filter": f"equals(email,{json.dumps(email.lower())})"}
        body = (await self._call("GET", f"{self.base_url}/profiles", params=params)).json()
        found = body.get("data") or []
        return str(found[0]["id"]) if found else None

    async def send(self, message: FlowMessage, *, idempotency_key: str) -> None:
        profile: dict[str, Any] = {"email": message.email}
        if message.first_name:
            profile["first_name"] = message.first_name
        event = {
            "data": {
                "type": "event",
                "attributes": {
                    "properties": message.properties,
                    "metric": {"data": {"type": "metric", "attributes": {"name": message.metric}}},
                    "profile": {"data": {"type": "profile", "attributes": profile}},
                    "unique_id": idempotency_key,
                },
            }
        }
        await self._call(
            "POST",
            f"{self.base_url}/events",
            content=json.dumps(event),
            headers={"content-type": JSON_API},
        )


def _consent(raw: dict[str, Any]) -> Consent | None:
    attributes = raw.get("attributes") or {}
    email = attributes.get("email")
    if not isinstance(email, str):
        return None
    marketing = ((attributes.get("subscriptions") or {}).get("email") or {}).get("marketing") or {}
    return Consent(
        email=email.lower(),
        consent=str(marketing.get("consent") or "NEVER_SUBSCRIBED"),
        suppressions=[str(s.get("reason")) for s in marketing.get("suppression") or []],
    )


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f"{first.get('title') or first.get('code')}: {first.get('detail') or ''}"[:300]
    return str(body)[:300]


def build_email_provider(settings: Settings, *, sandbox_url: str | None = None) -> KlaviyoClient:
    """The real Klaviyo account when its private API key is set, else the sandbox."""
    key = settings.klaviyo_api_key
    if key is not None:
        return KlaviyoClient(REAL_BASE_URL, key.get_secret_value())
    base = (sandbox_url or settings.sandbox_url).rstrip("/") + SANDBOX_PATH
    return KlaviyoClient(base, SANDBOX_API_KEY, mode="sandbox")
