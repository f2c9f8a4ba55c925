"""Theme operations on Shopify's Admin GraphQL API (2024-10+; ``themeDuplicate`` 2025-10+):
the live theme's files, an unpublished staging copy written file by file, and publishing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.shopify import ShopifyClient
from tools.shopify.errors import ShopifyUserError, UserErrorDetail

UPSERT_BATCH = 50
FILES_PAGE = 50

THEMES = """
query Themes($roles: [ThemeRole!], $names: [String!]) {
  themes(first: 50, roles: $roles, names: $names) { nodes { id name role } }
}
"""

THEME_FILES = """
query ThemeFiles($id: ID!, $after: String) {
  theme(id: $id) {
    id
    files(first: 50, after: $after) {
      nodes {
        filename
        checksumMd5
        body {
          ... on OnlineStoreThemeFileBodyText { content }
          ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

THEME_DUPLICATE = """
mutation ThemeDuplicate($id: ID!, $name: String) {
  themeDuplicate(id: $id, name: $name) {
    newTheme { id name role }
    userErrors { field message code }
  }
}
"""

THEME_FILES_UPSERT = """
mutation ThemeFilesUpsert($themeId: ID!, $files: [OnlineStoreThemeFilesUpsertFileInput!]!) {
  themeFilesUpsert(themeId: $themeId, files: $files) {
    upsertedThemeFiles { filename }
    job { id }
    userErrors { field message code filename }
  }
}
"""

THEME_PUBLISH = """
mutation ThemePublish($id: ID!) {
  themePublish(id: $id) {
    theme { id name role }
    userErrors { field message code }
  }
}
"""

DOCUMENTS = {
    "Themes": THEMES,
    "ThemeFiles": THEME_FILES,
    "ThemeDuplicate": THEME_DUPLICATE,
    "ThemeFilesUpsert": THEME_FILES_UPSERT,
    "ThemePublish": THEME_PUBLISH,
}


def _payload(data: Mapping[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    errors = payload.get("userErrors") or []
    if errors:
        details = [
            UserErrorDetail.model_validate(
                {"field": e.get("field"), "message": e["message"], "code": e.get("code")}
            )
            for e in errors
        ]
        raise ShopifyUserError(field, details)
    return payload


async def themes(
    shopify: ShopifyClient, *, roles: list[str] | None = None, names: list[str] | None = None
) -> list[dict[str, str]]:
    data = await shopify.execute(THEMES, {"roles": roles, "names": names})
    found: list[dict[str, str]] = data["themes"]["nodes"]
    return found


async def live_theme(shopify: ShopifyClient) -> dict[str, str]:
    (main,) = await themes(shopify, roles=["MAIN"])
    return main


async def read_files(shopify: ShopifyClient, theme_id: str) -> dict[str, str]:
    """Every text file of a theme: filename -> content."""
    files: dict[str, str] = {}
    cursor: str | None = None
    while True:
        data = await shopify.execute(THEME_FILES, {"id": theme_id, "after": cursor})
        page = data["theme"]["files"]
        for node in page["nodes"]:
            body = node.get("body") or {}
            if "content" in body:
                files[node["filename"]] = body["content"]
        if not page["pageInfo"]["hasNextPage"]:
            return files
        cursor = page["pageInfo"]["endCursor"]


async def staging_theme(shopify: ShopifyClient, name: str) -> str:
    """The unpublished theme called ``name``: found, or duplicated from the live theme."""
    for theme in await themes(shopify, names=[name]):
        if theme["role"] != "MAIN":
            return theme["id"]
    live = await live_theme(shopify)
    data = await shopify.execute(THEME_DUPLICATE, {"id": live["id"], "name": name})
    return str(_payload(data, "themeDuplicate")["newTheme"]["id"])


async def upsert_files(shopify: ShopifyClient, theme_id: str, files: Mapping[str, str]) -> int:
    """Write ``files`` (50 per request, Shopify's limit); returns how many were written."""
    names = sorted(files)
    written = 0
    for start in range(0, len(names), UPSERT_BATCH):
        batch = [
            {"filename": n, "body": {"type": "TEXT", "value": files[n]}}
            for n in names[start : start + UPSERT_BATCH]
        ]
        data = await shopify.execute(THEME_FILES_UPSERT, {"themeId": theme_id, "files": batch})
        written += len(_payload(data, "themeFilesUpsert").get("upsertedThemeFiles") or [])
    return written


async def publish(shopify: ShopifyClient, theme_id: str) -> dict[str, str]:
    data = await shopify.execute(THEME_PUBLISH, {"id": theme_id})
    theme: dict[str, str] = _payload(data, "themePublish")["theme"]
    return theme
