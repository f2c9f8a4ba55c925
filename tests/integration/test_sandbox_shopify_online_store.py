"""The Shopify emulator's themes, collections, product files and OAuth install endpoints, in
the Admin API's wire format; every document the catalog and theme code sends is valid."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from graphql import build_schema, parse, validate

from tools.catalog.shopify import DOCUMENTS as CATALOG_DOCUMENTS
from tools.sandbox import SandboxServer
from tools.sandbox.shopify.auth import CLIENT_ID, CLIENT_SECRET
from tools.sandbox.shopify.schema import SDL_EXTENSIONS, SDL_PATH
from tools.themes.shopify import DOCUMENTS as THEME_DOCUMENTS
from tools.webhooks import verify_shopify_oauth_query

SDL = "\n".join(p.read_text() for p in (SDL_PATH, *SDL_EXTENSIONS))


@pytest.mark.parametrize("name", sorted({**CATALOG_DOCUMENTS, **THEME_DOCUMENTS}))
def test_documents_are_valid_against_the_sdl(name: str) -> None:
    document = {**CATALOG_DOCUMENTS, **THEME_DOCUMENTS}[name]
    assert [e.message for e in validate(build_schema(SDL), parse(document))] == []


async def gql(
    sandbox: SandboxServer, query: str, variables: dict[str, object] | None = None
) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{sandbox.url}/shopify/admin/api/2026-01/graphql.json",
            headers={"X-Shopify-Access-Token": "shpat_sandbox_token"},
            json={"query": query, "variables": variables or {}},
        )
    body: dict[str, object] = answer.json()
    return body


async def test_only_one_theme_is_main_and_publishing_moves_it(sandbox: SandboxServer) -> None:
    live = await gql(sandbox, "{ themes(first: 5, roles: [MAIN]) { nodes { id name } } }")
    (main,) = live["data"]["themes"]["nodes"]  # type: ignore[index]
    copy = await gql(
        sandbox,
        'mutation($id: ID!) { themeDuplicate(id: $id, name: "Try") '
        "{ newTheme { id role } userErrors { message } } }",
        {"id": main["id"]},
    )
    new = copy["data"]["themeDuplicate"]["newTheme"]  # type: ignore[index]
    assert new["role"] == "UNPUBLISHED"
    too_many = [
        {"filename": f"snippets/{i}.liquid", "body": {"type": "TEXT", "value": "x"}}
        for i in range(51)
    ]
    refused = await gql(
        sandbox,
        "mutation($id: ID!, $f: [OnlineStoreThemeFilesUpsertFileInput!]!) "
        "{ themeFilesUpsert(themeId: $id, files: $f) { userErrors { code message } } }",
        {"id": new["id"], "f": too_many},
    )
    assert refused["data"]["themeFilesUpsert"]["userErrors"][0]["code"] == "TOO_MANY_UPDATES"  # type: ignore[index]
    published = await gql(
        sandbox,
        "mutation($id: ID!) { themePublish(id: $id) { theme { role } userErrors { message } } }",
        {"id": new["id"]},
    )
    assert published["data"]["themePublish"]["theme"]["role"] == "MAIN"  # type: ignore[index]
    roles = await gql(sandbox, "{ themes(first: 5) { nodes { name role } } }")
    assert sorted(t["role"] for t in roles["data"]["themes"]["nodes"]) == ["MAIN", "UNPUBLISHED"]  # type: ignore[index]


async def test_product_files_report_unreachable_images(sandbox: SandboxServer) -> None:
    result = await gql(
        sandbox,
        """mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) {
            product { media(first: 5) { nodes { ... on MediaImage { status image { url } } } } }
            userErrors { message } } }""",
        {
            "input": {
                "title": "Pictured",
                "files": [
                    {"originalSource": "https://cdn.example.com/ok.jpg", "contentType": "IMAGE"},
                    {"originalSource": "https://images.invalid/gone.jpg", "contentType": "IMAGE"},
                ],
            }
        },
    )
    media = result["data"]["productSet"]["product"]["media"]["nodes"]  # type: ignore[index]
    assert [(m["image"]["url"].rsplit("/", 1)[1], m["status"]) for m in media] == [
        ("ok.jpg", "READY"),
        ("gone.jpg", "FAILED"),
    ]


async def test_the_oauth_install_issues_a_code_exchanged_once(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient() as http:
        consent = await http.get(
            f"{sandbox.url}/shopify/admin/oauth/authorize",
            params={
                "client_id": CLIENT_ID,
                "scope": "read_products,write_products,write_themes_nope",
                "redirect_uri": "https://app.example.com/auth/shopify/callback",
                "state": "nonce-1",
            },
        )
        assert consent.status_code == 302
        query = urlsplit(consent.headers["location"]).query
        params = verify_shopify_oauth_query(
            query, CLIENT_SECRET, expected_state="nonce-1", now=time.time
        )
        assert params["shop"] == "royal-demo.myshopify.com"
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": params["code"]}
        token = await http.post(f"{sandbox.url}/shopify/admin/oauth/access_token", json=body)
        again = await http.post(f"{sandbox.url}/shopify/admin/oauth/access_token", json=body)
        unknown_client = await http.get(
            f"{sandbox.url}/shopify/admin/oauth/authorize",
            params={"client_id": "nope", "redirect_uri": "https://x", "state": "s"},
        )
    assert token.status_code == 200
    assert token.json()["scope"] == "read_products,write_products"
    assert token.json()["access_token"].startswith("shpat_oauth_")
    assert again.status_code == 400
    assert unknown_client.status_code == 400
    assert parse_qs(query)["state"] == ["nonce-1"]
