"""The one interface the review agent uses; a reviews-app adapter implements it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tools.reviews.models import Review, ReviewRequest


class ReviewsError(Exception):
    """A reviews-app call failed: the HTTP status (0 when unreachable) and what it said."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


class AlreadyReplied(ReviewsError):
    """The review already carries a public reply from the shop (nothing was written)."""


@runtime_checkable
class ReviewsApp(Protocol):
    """Latest reviews, review requests for delivered orders, public replies."""

    name: str

    async def latest_reviews(self, limit: int = 50) -> list[Review]:
        """Newest first."""
        ...

    async def review(self, review_id: int) -> Review | None:
        """One review with the shop's reply, if any; ``None`` when the app has no such review."""
        ...

    async def request_review(
        self, *, order_external_id: int, email: str, name: str | None, idempotency_key: str
    ) -> ReviewRequest:
        """Ask the customer of a delivered order for a review (once per order)."""
        ...

    async def reply(self, review_id: int, content: str) -> int:
        """Publish the shop's public reply; the reply's id."""
        ...

    async def aclose(self) -> None: ...
