"""Collections in the Shopify emulator and the typed client: ``collection``/``collections``
reads (with ``descriptionHtml``, ``seo`` and the products they hold) and ``collectionUpdate``
in the Admin API's wire format, ``userErrors`` included; only applied updates are counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tools.sandbox import SandboxServer
from tools.shopify import SANDBOX_ACCESS_TOKEN, ShopifyClient, ShopifyConfig, ShopifyUserError
from tools.shopify.models import CollectionUpdateInput, SeoInput

API = "/shopify/admin/api/2026-01/graphql.json"
UPDATE = """
mutation($input: CollectionInput!) {
  collectionUpdate(input: $input) {
    collection { id title description descriptionHtml seo { title description } }
    userErrors { field message }
  }
}
"""


async def gql(sandbox: SandboxServer, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        answer = await http.post(
            API,
            headers={"X-Shopify-Access-Token": SANDBOX_ACCESS_TOKEN},
            json={"query": query, "variables": variables},
        )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def updates(sandbox: SandboxServer) -> int:
    return sandbox.sandbox.ledger.counts().get("shopify.collectionUpdate", 0)


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[ShopifyClient]:
    config = ShopifyConfig(
        shop_url=f"{sandbox.url}/shopify", access_token=SecretStr(SANDBOX_ACCESS_TOKEN)
    )
    async with ShopifyClient(config) as shopify:
        yield shopify


async def test_collection_update_writes_description_and_seo_in_the_wire_format(
    sandbox: SandboxServer, client: ShopifyClient
) -> None:
    fitness = next(c for c in [c async for c in client.iter_collections()] if c.handle == "fitness")
    data = await gql(
        sandbox,
        UPDATE,
        {
            "input": {
                "id": fitness.id,
                "descriptionHtml": "<p>Ropes &amp; bands</p>",
                "seo": {"title": "Fitness gear", "description": "Ropes and bands."},
            }
        },
    )
    assert data["collectionUpdate"] == {
        "collection": {
            "id": fitness.id,
            "title": "Fitness",
            "description": "Ropes & bands",
            "descriptionHtml": "<p>Ropes &amp; bands</p>",
            "seo": {"title": "Fitness gear", "description": "Ropes and bands."},
        },
        "userErrors": [],
    }
    # A field left out of the input stays as it is.
    data = await gql(sandbox, UPDATE, {"input": {"id": fitness.id, "seo": {"title": "Gym"}}})
    collection = data["collectionUpdate"]["collection"]
    assert collection["seo"] == {"title": "Gym", "description": "Ropes and bands."}
    assert collection["descriptionHtml"] == "<p>Ropes &amp; bands</p>"
    assert updates(sandbox) == 2


async def test_refused_updates_are_user_errors_and_are_not_counted(
    sandbox: SandboxServer, client: ShopifyClient
) -> None:
    missing = await gql(
        sandbox, UPDATE, {"input": {"id": "gid://shopify/Collection/999", "title": "X"}}
    )
    assert missing["collectionUpdate"] == {
        "collection": None,
        "userErrors": [{"field": ["id"], "message": "Collection does not exist"}],
    }
    some, *_ = [c async for c in client.iter_collections()]
    blank = await gql(sandbox, UPDATE, {"input": {"id": some.id, "title": "  "}})
    assert blank["collectionUpdate"]["userErrors"] == [
        {"field": ["title"], "message": "Title can't be blank"}
    ]
    with pytest.raises(ShopifyUserError, match="Collection does not exist"):
        await client.update_collection(CollectionUpdateInput(id="gid://shopify/Collection/999"))
    assert updates(sandbox) == 0


async def test_the_client_reads_collections_their_products_and_writes_seo(
    sandbox: SandboxServer, client: ShopifyClient
) -> None:
    store = sandbox.sandbox.emulators["shopify"].store  # type: ignore[attr-defined]
    listed = [c async for c in client.iter_collections(page_size=2)]
    assert [c.handle for c in listed] == [c.handle for c in store.collections.values()]
    assert all(c.description_html == "" and c.seo is not None for c in listed)
    for collection in listed:
        members = await client.collection_product_ids(collection.id)
        expected = [p.id for p in store.products.values() if collection.id in p.collections]
        assert members == expected
    assert await client.collection_product_ids("gid://shopify/Collection/999") == []
    assert await client.get_collection("gid://shopify/Collection/999") is None

    outdoor = next(c for c in listed if c.handle == "outdoor")
    written = await client.update_collection(
        CollectionUpdateInput(
            id=outdoor.id,
            description_html="<p>Trail gear</p>",
            seo=SeoInput(title="Outdoor gear", description="Trail gear."),
        )
    )
    again = await client.get_collection(outdoor.id)
    assert again == written
    assert again is not None
    assert again.seo is not None
    assert (again.description_html, again.seo.title, again.seo.description) == (
        "<p>Trail gear</p>",
        "Outdoor gear",
        "Trail gear.",
    )
    assert updates(sandbox) == 1
