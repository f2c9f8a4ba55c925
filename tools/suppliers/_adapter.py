"""What every supplier adapter does the same around its client: lifetime and the profile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import SecretStr

from tools.suppliers._client import SupplierClient
from tools.suppliers.models import ShippingQuote, SupplierKey, SupplierProfile

ClientT = TypeVar("ClientT", bound=SupplierClient[Any])
Mode = Literal["real", "sandbox"]


class SupplierAdapter(Generic[ClientT]):
    """The shared half of a ``Supplier``; subclasses build ``client`` and map the wire format."""

    key: SupplierKey
    display_name: ClassVar[str]
    order_reference_field: ClassVar[str]
    """Where the adapter puts our idempotency key on a placed order."""
    client: ClientT
    mode: Mode
    currency: str

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def base_url(self) -> str:
        return self.client.base_url

    async def aclose(self) -> None:
        await self.client.aclose()

    async def profile(self) -> SupplierProfile:
        return SupplierProfile(
            key=self.key,
            name=self.display_name,
            mode=self.mode,
            base_url=self.client.base_url,
            currency=self.currency,
            rate_limit=self._rate_limit(),
            order_reference_field=self.order_reference_field,
            vendors_published=self.mode == "sandbox",
            status=await self._ping(),
        )

    def _rate_limit(self) -> str:
        """The client-side limit in words, for the profile."""
        raise NotImplementedError

    async def _ping(self) -> str:
        """One cheap authenticated call without retries; raises when the supplier refuses."""
        raise NotImplementedError


def secret(value: SecretStr | str) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


def cheapest_first(quotes: Iterable[ShippingQuote]) -> list[ShippingQuote]:
    """Cheapest first, the faster of two equally priced methods before the slower."""
    return sorted(quotes, key=lambda quote: (quote.price.amount, quote.max_days))
