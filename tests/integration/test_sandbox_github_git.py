"""The GitHub emulator's Git database, merges, webhooks and App, over real HTTP in GitHub's
wire format, through the project's client."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest

from tools.github import GitHubClient, GitHubValidationError
from tools.github.config import GitHubConfig
from tools.github.sandbox_app import SANDBOX_APP_ID, SANDBOX_APP_PRIVATE_KEY
from tools.sandbox import SandboxServer
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.runner import LoopbackServer

REPO = "royal-equips/storefront"


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[GitHubClient]:
    config = GitHubConfig(api_url=f"{sandbox.url}/github", token="ghp_sandbox_token", repo=REPO)
    async with GitHubClient(config) as opened:
        yield opened


def emulator(sandbox: SandboxServer) -> GitHubEmulator:
    found = sandbox.sandbox.emulators["github"]
    assert isinstance(found, GitHubEmulator)
    return found


async def test_one_commit_writes_and_deletes_several_files(
    client: GitHubClient, sandbox: SandboxServer
) -> None:
    await client.create_branch("sync", from_branch="main")
    commit = await client.commit_files(
        "sync",
        {"a/one.yaml": "one\n", "a/two.yaml": "two\n", "README.md": None},
        "Two files in, README out",
    )
    assert commit is not None
    assert [p.sha for p in commit.parents] == [emulator(sandbox).branch_sha("main")]
    tree = (await client.get_tree("sync")).blobs()
    assert {"a/one.yaml", "a/two.yaml"} <= set(tree)
    assert "README.md" not in tree
    assert await client.read_text_files("sync", "a/") == {
        "a/one.yaml": "one\n",
        "a/two.yaml": "two\n",
    }
    assert await client.commit_files("sync", {"a/one.yaml": "one\n"}, "Again") is None  # no-op
    counts = sandbox.sandbox.ledger.counts()
    assert counts["github.createCommit"] == 1
    assert counts["github.updateRef"] == 1


async def test_a_branch_moves_only_by_fast_forward(
    client: GitHubClient, sandbox: SandboxServer
) -> None:
    await client.create_branch("ff", from_branch="main")
    older = await client.get_branch_sha("ff")
    newer = await client.commit_files("ff", {"x.txt": "x"}, "x")
    assert newer is not None
    with pytest.raises(GitHubValidationError, match="not a fast forward"):
        await client.update_branch("ff", older)
    await client.update_branch("ff", older, force=True)
    assert await client.get_branch_sha("ff") == older


async def test_merging_a_pull_request_and_its_files(
    client: GitHubClient, sandbox: SandboxServer
) -> None:
    hub = emulator(sandbox)
    hub.write_files("feature/x", {"catalog/products/x.yaml": b"title: X\n"}, "Add x")
    pull = await client.create_pull_request(title="Add x", head="feature/x", base="main")
    files = await client.list_pull_request_files(pull.number)
    assert [(f.filename, f.status) for f in files] == [("catalog/products/x.yaml", "added")]
    merged = await client.merge_pull_request(pull.number)
    assert merged.merged
    assert hub.read_file("catalog/products/x.yaml", ref="main") == b"title: X\n"
    main = await client.get_commit(await client.get_branch_sha("main"))
    assert len(main.parents) == 2
    again = await client.list_pull_request_files(pull.number)  # after the merge: the merge's diff
    assert [f.filename for f in again] == ["catalog/products/x.yaml"]
    async with httpx.AsyncClient() as http:
        refused = await http.put(
            f"{sandbox.url}/github/repos/{REPO}/pulls/{pull.number}/merge",
            headers={"Authorization": "Bearer ghp_sandbox_token"},
            json={},
        )
    assert refused.status_code == 405


async def test_both_sides_changing_a_file_is_not_mergeable(
    client: GitHubClient, sandbox: SandboxServer
) -> None:
    hub = emulator(sandbox)
    hub.write_files("left", {"README.md": b"left\n"}, "left")
    hub.write_files("main", {"README.md": b"right\n"}, "right")
    pull = await client.create_pull_request(title="Left", head="left", base="main")
    async with httpx.AsyncClient() as http:
        answer = await http.put(
            f"{sandbox.url}/github/repos/{REPO}/pulls/{pull.number}/merge",
            headers={"Authorization": "Bearer ghp_sandbox_token"},
            json={},
        )
    assert answer.status_code == 405
    assert answer.json()["message"] == "Pull Request is not mergeable"


async def test_pull_request_webhooks_are_signed_and_delivered(
    client: GitHubClient, sandbox: SandboxServer
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:  # tiny ASGI
        body = b""
        while True:
            message = await receive()  # type: ignore[operator]
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}  # type: ignore[attr-defined]
        received.append((headers, body))
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"{}"})  # type: ignore[operator]

    with LoopbackServer(app) as receiver:  # type: ignore[arg-type]
        await client.create_hook(f"{receiver.url}/hook", "s3cret", ["pull_request"])
        emulator(sandbox).write_files("hooked", {"h.txt": b"h"}, "h")
        pull = await client.create_pull_request(title="Hooked", head="hooked", base="main")
        await client.merge_pull_request(pull.number)
        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
    actions = []
    for headers, body in received:
        expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["x-hub-signature-256"] == expected
        assert headers["x-github-event"] == "pull_request"
        assert headers["x-github-delivery"]
        payload = json.loads(body)
        actions.append((payload["action"], payload["pull_request"]["merged"]))
        assert payload["repository"]["full_name"] == REPO
    assert actions == [("opened", False), ("closed", True)]


async def test_the_app_endpoints_want_the_apps_jwt(sandbox: SandboxServer) -> None:
    hub = emulator(sandbox)
    installation = hub.apps.install(hub._repo(REPO), hub.service.now())
    now = int(time.time())
    good = jwt.encode(
        {"iat": now - 60, "exp": now + 540, "iss": str(SANDBOX_APP_ID)},
        SANDBOX_APP_PRIVATE_KEY,
        algorithm="RS256",
    )
    expired = jwt.encode(
        {"iat": now - 900, "exp": now - 300, "iss": str(SANDBOX_APP_ID)},
        SANDBOX_APP_PRIVATE_KEY,
        algorithm="RS256",
    )
    base = f"{sandbox.url}/github/app/installations/{installation.id}"
    async with httpx.AsyncClient() as http:
        found = await http.get(base, headers={"Authorization": f"Bearer {good}"})
        token = await http.post(
            f"{base}/access_tokens", headers={"Authorization": f"Bearer {good}"}
        )
        stale = await http.get(base, headers={"Authorization": f"Bearer {expired}"})
        pat = await http.get(base, headers={"Authorization": "Bearer ghp_sandbox_token"})
        used = await http.get(
            f"{sandbox.url}/github/repos/{REPO}/git/ref/heads/main",
            headers={"Authorization": f"Bearer {token.json()['token']}"},
        )
    assert found.json()["account"]["login"] == "royal-equips"
    assert token.status_code == 201
    assert token.json()["token"].startswith("ghs_")
    assert stale.status_code == 401
    assert "Expiration time" in stale.json()["message"]
    assert pat.status_code == 401
    assert used.status_code == 200
