"""The one interface the email marketing agent uses; a provider adapter implements it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tools.email.models import Consent, FlowMessage, ProviderEvent


class EmailProviderError(Exception):
    """A provider call failed: the HTTP status (0 when unreachable) and what the service said."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


@runtime_checkable
class EmailProvider(Protocol):
    """Consent lookups and flow messages sent once per idempotency key."""

    name: str

    async def consents(self, emails: list[str]) -> dict[str, Consent]:
        """Consent of each address the provider knows (lower-cased); unknown ones are absent."""
        ...

    async def send(self, message: FlowMessage, *, idempotency_key: str) -> None:
        """Start the flow's email for the customer; the same key never sends twice."""
        ...

    async def find_event(self, email: str, unique_id: str) -> ProviderEvent | None:
        """The address's event sent under ``unique_id``, if the provider recorded it."""
        ...

    async def aclose(self) -> None: ...
