"""Reviews as Judge.me's REST API returns them (the fields the review agent reads)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Reviewer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    name: str | None = None
    email: str | None = None
    external_id: int | None = None


class ReviewReply(BaseModel):
    """The shop's public reply already on a review (the emulator's ``reply``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    content: str
    created_at: datetime | None = None


class Review(BaseModel):
    """One product review; ``title`` and ``body`` are the reviewer's untrusted text."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    rating: int = Field(ge=1, le=5)
    title: str | None = None
    body: str = ""
    product_external_id: int | None = None
    product_title: str | None = None
    product_handle: str | None = None
    reviewer: Reviewer
    hidden: bool = False
    created_at: datetime
    reply: ReviewReply | None = None


class ReviewRequest(BaseModel):
    """A review request for one order; ``created`` is False when the order already had one."""

    model_config = ConfigDict(frozen=True)

    id: int
    order_external_id: int
    email: str
    created: bool
