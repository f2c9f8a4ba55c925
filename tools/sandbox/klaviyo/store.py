"""The emulated Klaviyo account: profiles with email-marketing consent and suppressions,
events, and the emails its flows send when an event arrives.

Klaviyo sends marketing email from flows triggered by a metric; ``POST /api/events`` with a
``unique_id`` already seen is accepted and ignored, as Klaviyo deduplicates events. A flow email
goes only to a profile that can receive email marketing (consent SUBSCRIBED, no suppression).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tools.sandbox.ledger import MutationLedger

#: Metric name -> the flow it triggers in the demo account.
FLOWS = {
    "Royal Welcome Series": "Welcome Series",
    "Royal Abandoned Checkout": "Abandoned Cart Recovery",
    "Royal Post Purchase": "Post-Purchase Upsell",
    "Royal Win Back": "Win-back",
}
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def profile_id(number: int) -> str:
    """A 26-character Crockford base32 id shaped like Klaviyo's ULIDs."""
    digits = ""
    while number:
        number, rest = divmod(number, 32)
        digits = _ULID_ALPHABET[rest] + digits
    return "01HRQ" + digits.rjust(21, "0")


@dataclass
class Profile:
    id: str
    email: str
    first_name: str | None
    last_name: str | None
    consent: str = "NEVER_SUBSCRIBED"
    suppression: list[dict[str, str]] = field(default_factory=list)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def can_receive_email_marketing(self) -> bool:
        return self.consent == "SUBSCRIBED" and not self.suppression

    def json(self, *, subscriptions: bool) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "email": self.email,
            "phone_number": None,
            "external_id": None,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "organization": None,
            "locale": None,
            "title": None,
            "image": None,
            "created": _iso(self.created),
            "updated": _iso(self.created),
            "last_event_date": None,
            "location": {},
            "properties": {},
        }
        if subscriptions:
            attributes["subscriptions"] = {
                "email": {
                    "marketing": {
                        "can_receive_email_marketing": self.can_receive_email_marketing,
                        "consent": self.consent,
                        "consent_timestamp": _iso(self.created),
                        "last_updated": _iso(self.created),
                        "method": "SHOPIFY_INTEGRATION",
                        "method_detail": None,
                        "custom_method_detail": None,
                        "double_optin": None,
                        "suppression": list(self.suppression),
                        "list_suppressions": [],
                    }
                }
            }
        return {
            "type": "profile",
            "id": self.id,
            "attributes": attributes,
            "links": {"self": f"https://a.klaviyo.com/api/profiles/{self.id}/"},
        }


@dataclass(frozen=True)
class SentEmail:
    """An email a flow sent (or skipped, with Klaviyo's reason)."""

    flow: str
    email: str
    unique_id: str
    properties: dict[str, Any]
    skipped: str | None = None


class KlaviyoError(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str, pointer: str = "") -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail, self.pointer = (
            status,
            code,
            title,
            detail,
            pointer,
        )


class KlaviyoStore:
    """Thread-safe: the sandbox serves requests from several threads."""

    def __init__(self, ledger: MutationLedger) -> None:
        self._lock = threading.RLock()
        self._ledger = ledger
        self.profiles: dict[str, Profile] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.emails: list[SentEmail] = []
        self._next = 1

    def clear(self) -> None:
        with self._lock:
            self.profiles, self.events, self.emails, self._next = {}, {}, [], 1

    def add_profile(
        self,
        email: str,
        first_name: str | None = None,
        last_name: str | None = None,
        *,
        consent: str = "NEVER_SUBSCRIBED",
        suppression: list[dict[str, str]] | None = None,
    ) -> Profile:
        with self._lock:
            found = self.by_email(email)
            if found is not None:
                return found
            profile = Profile(
                profile_id(self._next),
                email.lower(),
                first_name,
                last_name,
                consent,
                list(suppression or []),
            )
            self._next += 1
            self.profiles[profile.id] = profile
            return profile

    def by_email(self, email: str) -> Profile | None:
        with self._lock:
            return next((p for p in self.profiles.values() if p.email == email.lower()), None)

    def unsubscribe(self, email: str) -> Profile:
        with self._lock:
            profile = self.add_profile(email)
            profile.consent = "UNSUBSCRIBED"
            profile.suppression = [{"reason": "USER_SUPPRESSED", "timestamp": _iso(_now())}]
            return profile

    def sorted_profiles(self) -> list[Profile]:
        with self._lock:
            return sorted(self.profiles.values(), key=lambda p: p.id)

    def events_of(self, profile: str) -> list[tuple[str, dict[str, Any]]]:
        """A profile's events (``unique_id``, event), newest first."""
        with self._lock:
            found = [(k, e) for k, e in self.events.items() if e["profile_id"] == profile]
        return sorted(found, key=lambda item: item[1]["datetime"], reverse=True)

    def event_json(self, unique_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """An event as ``GET /api/events`` lists it; Klaviyo keeps ``unique_id`` as the
        ``$event_id`` event property."""
        moment: datetime = event["datetime"]
        return {
            "type": "event",
            "id": event["id"],
            "attributes": {
                "timestamp": int(moment.timestamp()),
                "event_properties": {**event["properties"], "$event_id": unique_id},
                "datetime": moment.astimezone(UTC).isoformat(),
                "uuid": event["id"],
            },
            "relationships": {
                "profile": {"data": {"type": "profile", "id": event["profile_id"]}},
                "metric": {"data": {"type": "metric", "id": event["metric"]}},
            },
            "links": {"self": f"https://a.klaviyo.com/api/events/{event['id']}/"},
        }

    def create_event(
        self, metric: str, email: str, properties: dict[str, Any], unique_id: str | None
    ) -> None:
        """Record the event once per ``unique_id``; a flow on its metric emails the profile."""
        with self._lock:
            key = unique_id or f"auto-{len(self.events) + 1}"
            if key in self.events:
                return
            profile = self.add_profile(email)
            self.events[key] = {
                "id": f"5{len(self.events) + 1:010d}",
                "metric": metric,
                "profile_id": profile.id,
                "properties": properties,
                "datetime": _now(),
            }
            self._ledger.record("klaviyo", "event.create", key)
            flow = FLOWS.get(metric)
            if flow is None:
                return
            skipped = None if profile.can_receive_email_marketing else _why_not(profile)
            self.emails.append(SentEmail(flow, profile.email, key, properties, skipped))
            if skipped is None:
                self._ledger.record("klaviyo", "email.send", key)


def _why_not(profile: Profile) -> str:
    if profile.suppression:
        return "suppressed: " + ", ".join(s["reason"] for s in profile.suppression)
    return f"consent {profile.consent}"


def _now() -> datetime:
    return datetime.now(UTC)
