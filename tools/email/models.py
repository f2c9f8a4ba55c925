"""What the email agent asks a provider: consent per address, and one flow message."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class Consent(BaseModel):
    """A profile's email-marketing consent as the provider knows it."""

    model_config = ConfigDict(frozen=True)

    email: str
    consent: str = Field(description="SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED, …")
    suppressions: list[str] = Field(
        default_factory=list, description="Why the provider will not email (HARD_BOUNCE, …)."
    )

    @property
    def can_receive(self) -> bool:
        return self.consent == "SUBSCRIBED" and not self.suppressions

    @property
    def reason(self) -> str:
        """Why not, in words (empty when the address can receive marketing)."""
        if self.suppressions:
            return ", ".join(s.lower().replace("_", " ") for s in self.suppressions)
        if self.consent != "SUBSCRIBED":
            return self.consent.lower().replace("_", " ")
        return ""


class FlowMessage(BaseModel):
    """One email of a flow for one customer: the provider's flow renders and sends it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str = Field(min_length=1, max_length=128, description="The flow's trigger metric.")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    first_name: str | None = Field(default=None, max_length=200)
    properties: dict[str, JsonValue] = Field(default_factory=dict)


class ProviderEvent(BaseModel):
    """An event the provider recorded for a profile, found by its ``unique_id``."""

    model_config = ConfigDict(frozen=True)

    id: str
    unique_id: str
    datetime: str | None = None
    properties: dict[str, JsonValue] = Field(default_factory=dict)
