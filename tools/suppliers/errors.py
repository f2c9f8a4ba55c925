"""Typed failures of supplier calls; messages are one line and never contain a secret."""

from __future__ import annotations


class SupplierError(Exception):
    """Base of every supplier failure; ``supplier`` is the adapter key (``cj``, ``printful``)."""

    def __init__(self, supplier: str, message: str) -> None:
        super().__init__(message)
        self.supplier = supplier


class SupplierAuthenticationError(SupplierError):
    """The credential was refused; the message names the variable to fix."""

    def __init__(self, supplier: str, message: str, *, code: int | None = None) -> None:
        super().__init__(supplier, message)
        self.code = code


class SupplierNotFoundError(SupplierError):
    """An unknown product, variant or order id."""

    def __init__(self, supplier: str, kind: str, identifier: str) -> None:
        super().__init__(supplier, f"{supplier}: {kind} {identifier!r} not found")
        self.kind = kind
        self.identifier = identifier


class SupplierRateLimitError(SupplierError):
    """Still limited after the bounded retries, or a quota that retrying cannot fix."""

    def __init__(self, supplier: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(supplier, message)
        self.retry_after = retry_after


class SupplierUnavailableError(SupplierError):
    """5xx answers or transport failures on every attempt."""


class SupplierRequestError(SupplierError):
    """The supplier rejected the request itself (validation, stock, unknown shipping method)."""

    def __init__(
        self, supplier: str, message: str, *, status: int | None = None, code: int | None = None
    ) -> None:
        super().__init__(supplier, message)
        self.status = status
        self.code = code
