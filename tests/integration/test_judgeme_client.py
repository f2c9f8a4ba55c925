"""The Judge.me client against the emulator over HTTP: its auth, pages, one request per order,
one public reply per review, and errors that say what went wrong."""

from __future__ import annotations

import pytest

from tests.integration.reviews_support import judgeme, write_review
from tools.reviews import AlreadyReplied, JudgeMeClient, ReviewsError
from tools.reviews.judgeme import SANDBOX_PATH, SANDBOX_SHOP, SANDBOX_TOKEN
from tools.sandbox import FaultSettings, SandboxServer


def _client(sandbox: SandboxServer, token: str = SANDBOX_TOKEN) -> JudgeMeClient:
    return JudgeMeClient(sandbox.url + SANDBOX_PATH, token, SANDBOX_SHOP, mode="sandbox")


async def test_reviews_come_newest_first_across_pages(sandbox: SandboxServer) -> None:
    for n in range(60):
        write_review(sandbox, 4, f"review number {n}")
    client = _client(sandbox)
    try:
        reviews = await client.latest_reviews(limit=70)
    finally:
        await client.aclose()
    assert len(reviews) == 67  # 7 seeded and 60 new
    assert reviews[0].body == "review number 59"
    assert len({r.id for r in reviews}) == 67


async def test_one_request_per_order_and_one_reply_per_review(sandbox: SandboxServer) -> None:
    client = _client(sandbox)
    try:
        first = await client.request_review(
            order_external_id=5000001, email="a@example.com", name=None, idempotency_key="k1"
        )
        again = await client.request_review(
            order_external_id=5000001, email="a@example.com", name=None, idempotency_key="k2"
        )
        review = (await client.latest_reviews(limit=1))[0]
        await client.reply(review.id, "Thank you!")
        with pytest.raises(AlreadyReplied):
            await client.reply(review.id, "Thank you again!")
    finally:
        await client.aclose()
    assert (first.created, again.created, again.id) == (True, False, first.id)
    assert sandbox.sandbox.ledger.counts() == {"judgeme.review_request": 1, "judgeme.reply": 1}
    assert judgeme(sandbox).store.reviews[review.id].reply is not None


async def test_a_wrong_token_and_an_outage_are_errors_that_say_why(
    sandbox: SandboxServer,
) -> None:
    client = _client(sandbox, token="wrong")
    try:
        with pytest.raises(ReviewsError, match="HTTP 401: Invalid api_token"):
            await client.latest_reviews()
    finally:
        await client.aclose()
    sandbox.sandbox.faults.set("judgeme", FaultSettings(outage=True))
    client = _client(sandbox)
    try:
        with pytest.raises(ReviewsError) as caught:
            await client.latest_reviews()
    finally:
        await client.aclose()
    assert caught.value.status == 503
