"""The Marketing page in a real browser: a launched campaign with its budgets, and every
creative PNG rendering at its platform size (1080×1080 and 1080×1920)."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, console, viewer

__all__ = ["console", "viewer"]


def test_campaigns_and_their_creatives_render(console: Console, viewer: Page) -> None:
    body = {
        "assistant_id": "ceo",
        "input": {
            "messages": [
                {"role": "human", "content": "Launch ads for the Smart Jump Rope with €300"}
            ]
        },
        "if_not_exists": "create",
    }
    answer = httpx.post(f"{console.url}/threads/mkt/runs/wait", json=body, timeout=120)
    answer.raise_for_status()
    assert "__interrupt__" not in answer.json()

    viewer.goto(f"{console.url}/console/marketing")
    expect(viewer.get_by_role("link", name="Marketing")).to_have_attribute("aria-current", "page")
    row = viewer.locator("#campaigns tbody tr").first
    expect(row).to_contain_text("Smart Jump Rope")
    expect(row).to_contain_text("€300.00")  # approved
    expect(row).to_contain_text("€150.00")  # the ad set's start (50 %)
    images = viewer.locator(".gallery img")
    expect(images).to_have_count(8)  # 4 ads × feed and story
    viewer.wait_for_function(
        "() => [...document.querySelectorAll('.gallery img')].every(i => i.complete)"
    )
    sizes = viewer.eval_on_selector_all(
        ".gallery img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert sorted({tuple(size) for size in sizes}) == [(1080, 1080), (1080, 1920)]
    missing = httpx.get(
        f"{console.url}/console/marketing/creatives/nope.png",
        cookies={c["name"]: c["value"] for c in viewer.context.cookies()},
    )
    assert missing.status_code == 404
