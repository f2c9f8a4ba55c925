"""Errors the repositories raise; each carries what a caller needs to answer the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.approvals import ApprovalRecord


class StorageError(Exception):
    """Base of the storage errors."""


class NotFoundError(StorageError, LookupError):
    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")


class ApprovalAlreadyDecidedError(StorageError):
    """A decision arrived for an approval that is no longer PENDING.

    ``current`` is the record as it stands (who decided, when, how), so an API can answer 409
    with it and a second approver sees the first one's decision.
    """

    def __init__(self, current: ApprovalRecord) -> None:
        self.current = current
        super().__init__(
            f"approval {current.id} is already {current.status.value}"
            f" (decided by {current.decided_by or 'nobody'} at {current.decided_at})"
        )


class ApprovalExpiredError(ApprovalAlreadyDecidedError):
    """A decision arrived after the deadline, before the expiry sweep marked the request.

    The record is still PENDING; the sweep (``expire_due``) will expire it and resume the
    graph down the reject path, so the late decision must not win.
    """

    def __init__(self, current: ApprovalRecord) -> None:
        self.current = current
        StorageError.__init__(
            self, f"approval {current.id} passed its deadline {current.deadline} undecided"
        )


class IdempotencyConflictError(StorageError):
    """The same idempotency key came with different arguments: a bug in key derivation.

    Replaying the stored result would silently drop the new arguments; applying them would
    break exactly-once. Neither is safe, so the call is refused.
    """

    def __init__(self, key: str, stored_hash: str, new_hash: str) -> None:
        self.key = key
        self.stored_hash = stored_hash
        self.new_hash = new_hash
        super().__init__(
            f"idempotency key {key!r} was first used with arguments {stored_hash[:12]}…, "
            f"now with {new_hash[:12]}…"
        )
