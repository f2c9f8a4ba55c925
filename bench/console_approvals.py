"""How fast the console's approvals page renders with 1,000 pending approvals (target: 300 ms).

    uv run python -m bench.console_approvals [--approvals 1000] [--loads 30]
                                              [--database-url postgresql://…]

Opens the API app in process (its lifespan, no workers) on a fresh SQLite database in a
temporary directory (or the database ``--database-url`` names), inserts the approvals through
``ApprovalRepository`` with requests shaped like the product pipeline's, signs in a console
user, then loads ``/console/approvals`` (the first page, and the last) ``--loads`` times each
through ``httpx.ASGITransport``: no network, so the figures are the server's own time to
query, render and answer. The page shows 50 approvals and the total, whatever the backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from host.runtime import Runtime
from server.api import create_app
from settings import Settings
from storage import NewApproval
from storage.users import UserRepository

TARGET_MS = 300.0
USER, PASSWORD = "bench-approver", "bench-password-1"


def request_payload(n: int, approval_id: str, thread_id: str, deadline: datetime) -> dict[str, Any]:
    """A request like the product pipeline's (title, reasoning, impact, args and schema)."""
    args = {
        "handle": f"bench-product-{n}",
        "title": f"Bench Product {n}",
        "price": "18.99",
        "compare_at_price": None,
        "description_html": "<p>A practical pick.</p>" * 5,
        "seo_title": f"Bench Product {n}",
        "seo_description": "Practical, well reviewed and shipped to your door in 7-12 days.",
        "product_type": "Bench",
        "sku": f"SKU{n:06d}",
        "supplier": "cjdropshipping",
        "supplier_product_id": str(uuid.uuid4()),
        "supplier_variant_id": str(uuid.uuid4()),
    }
    return {
        "kind": "approval_request",
        "approval_id": approval_id,
        "thread_id": thread_id,
        "interrupt_id": uuid.uuid4().hex,
        "requested_at": datetime.now(UTC).isoformat(),
        "deadline": deadline.isoformat(),
        "priority": "HIGH",
        "risk_level": "HIGH",
        "agent": "product_publisher",
        "cluster": "product",
        "action": "product.create",
        "tool": "shopify_create_and_publish_product",
        "args": args,
        "title": f"Publish Bench Product {n} at €18.99",
        "description": "Create and publish a product supplied by a new supplier.",
        "reasoning": "margin 43.0% at €18.99; supplier is new; rated 4.4 from 18 reviews",
        "data_sources": ["cjdropshipping:product/x", "shopify:similar products in the store"],
        "estimated_revenue": "94.95",
        "estimated_cost": "49.90",
        "estimated_roi": "0.90",
        "risk_factors": ["Uses a supplier not yet onboarded", "New product addition"],
        "confidence": 0.7,
        "alternatives": [{"description": "Wait a month", "pros": [], "cons": []}],
        "matched_rules": ["product-create", "supplier-new"],
        "reasons": ["Uses a supplier not yet onboarded", "New product addition"],
        "approver_roles": ["approver", "admin"],
        "action_request": {"action": "shopify_create_and_publish_product", "args": args},
        "review_configs": [{"action_name": "shopify_create_and_publish_product"}],
    }


async def insert(runtime: Runtime, count: int) -> None:
    assert runtime.services is not None
    approvals = runtime.services.approvals
    now = datetime.now(UTC)
    for n in range(count):
        approval_id = str(uuid.uuid4())
        thread_id = f"bench-{n}"
        deadline = now + timedelta(hours=1, minutes=n)
        payload = request_payload(n, approval_id, thread_id, deadline)
        await approvals.create_pending(
            NewApproval(
                thread_id=thread_id,
                interrupt_id=payload["interrupt_id"],
                risk_level="HIGH",
                cluster="product",
                agent="product_publisher",
                tool="shopify_create_and_publish_product",
                action_kind="product.create",
                request=payload,
                approver_roles=["approver", "admin"],
                deadline=deadline,
            ),
            approval_id=approval_id,
        )


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = await client.post(
        "/console/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text


async def timed(client: httpx.AsyncClient, path: str, loads: int) -> list[float]:
    for _ in range(2):  # warm caches (templates, the SQL compiler)
        (await client.get(path)).raise_for_status()
    figures = []
    for _ in range(loads):
        start = time.perf_counter()
        answer = await client.get(path)
        figures.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    return figures


def report(label: str, figures: list[float]) -> bool:
    ordered = sorted(figures)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    ok = p95 < TARGET_MS
    verdict = "within" if ok else "OVER"
    print(
        f"{label:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"
        f"   ({verdict} the {TARGET_MS:.0f} ms target)"
    )
    return ok


async def main(approvals: int, loads: int, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(royal_data_dir=Path(data), database_url=database_url)
        app = create_app(lambda: Runtime.open(settings, workers=0))
        async with app.router.lifespan_context(app):
            runtime: Runtime = app.state.runtime
            started = time.perf_counter()
            await insert(runtime, approvals)
            print(
                f"inserted {approvals} pending approvals in {time.perf_counter() - started:.1f} s"
            )
            await UserRepository(runtime.store.database).add(
                USER, role="approver", password=PASSWORD
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
                await sign_in(client)
                first = await timed(client, "/console/approvals", loads)
                last_page = -(-approvals // 50)
                last = await timed(client, f"/console/approvals?page={last_page}", loads)
                filtered = await timed(
                    client, "/console/approvals?risk=HIGH&cluster=product", loads
                )
    print(f"approvals page, {approvals} pending, {loads} loads each (in-process, server-side):")
    results = [
        report("first page", first),
        report(f"last page (page {last_page})", last),
        report("filtered (HIGH, product)", filtered),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    raise SystemExit(asyncio.run(main(options.approvals, options.loads, options.database_url)))
