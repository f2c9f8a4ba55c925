"""The GitHub emulator over raw HTTP: wire format, errors, rate limits, pagination, ledger."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.github import SANDBOX_TOKEN
from tools.github.pagination import parse_link_header
from tools.sandbox import SandboxServer
from tools.sandbox.github import GitHubEmulator

REPO = "/repos/royal-equips/storefront"
HEADERS = {
    "Authorization": f"Bearer {SANDBOX_TOKEN}",
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.url}/github", headers=HEADERS) as client:
        yield client


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.url}/_sandbox/github") as client:
        yield client


@pytest.fixture
def emulator(sandbox: SandboxServer) -> GitHubEmulator:
    emulator = sandbox.sandbox.emulators["github"]
    assert isinstance(emulator, GitHubEmulator)
    return emulator


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def assert_github_error(response: httpx.Response, status: int, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] == message
    assert body["documentation_url"].startswith("https://docs.github.com/")
    assert "x-ratelimit-limit" in response.headers
    return dict(body)


# --- authentication and headers ---------------------------------------------------------


def test_requests_without_a_valid_token_are_refused(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=f"{sandbox.url}/github") as anonymous:
        assert_github_error(anonymous.get(f"{REPO}/pulls"), 401, "Requires authentication")
        wrong = anonymous.get(f"{REPO}/pulls", headers={"Authorization": "Bearer ghp_wrong"})
        assert_github_error(wrong, 401, "Bad credentials")
        assert wrong.headers["x-ratelimit-limit"] == "60"
        legacy = anonymous.get(f"{REPO}/pulls", headers={"Authorization": f"token {SANDBOX_TOKEN}"})
        assert legacy.status_code == 200


def test_every_response_carries_rate_limit_headers(api: httpx.Client) -> None:
    first = api.get(f"{REPO}/git/ref/heads/main")
    second = api.get(f"{REPO}/contents/nothing-here")
    assert first.status_code == 200
    assert second.status_code == 404
    assert first.headers["x-ratelimit-limit"] == "5000"
    assert first.headers["x-ratelimit-remaining"] == "4999"
    assert second.headers["x-ratelimit-remaining"] == "4998"
    assert second.headers["x-ratelimit-used"] == "2"
    assert second.headers["x-ratelimit-resource"] == "core"
    assert int(first.headers["x-ratelimit-reset"]) > time.time()
    assert first.headers["x-github-request-id"] != second.headers["x-github-request-id"]
    free = api.get("/rate_limit")
    assert free.json()["resources"]["core"]["remaining"] == 4998
    assert free.json()["rate"] == free.json()["resources"]["core"]


def test_unsupported_api_version_is_refused(api: httpx.Client) -> None:
    response = api.get(f"{REPO}/pulls", headers={"X-GitHub-Api-Version": "2020-01-01"})
    assert_github_error(response, 400, "API version 2020-01-01 is not supported.")


def test_unknown_paths_and_methods_answer_github_404(api: httpx.Client) -> None:
    assert_github_error(api.get("/repos/royal-equips/unknown/pulls"), 404, "Not Found")
    assert_github_error(api.get(f"{REPO}/branches"), 404, "Not Found")
    assert_github_error(api.delete(f"{REPO}/pulls/1"), 404, "Not Found")
    assert_github_error(api.get(f"{REPO}/pulls/abc"), 404, "Not Found")


# --- rate limits -----------------------------------------------------------------------


def test_exhausted_primary_budget_answers_403_with_remaining_zero(
    api: httpx.Client, admin: httpx.Client
) -> None:
    reset = int(time.time()) + 900
    budget = admin.put("/rate_limit", json={"remaining": 0, "reset": reset})
    assert budget.json() == {"limit": 5000, "remaining": 0, "used": 5000, "reset": reset}
    limited = api.get(f"{REPO}/pulls")
    body = assert_github_error(limited, 403, limited.json()["message"])
    assert body["message"].startswith("API rate limit exceeded for user ID ")
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-reset"] == str(reset)
    assert "retry-after" not in limited.headers

    admin.put("/rate_limit", json={"exceeded_status": 429})
    assert api.get(f"{REPO}/pulls").status_code == 429
    admin.put("/rate_limit", json={"remaining": 3})
    assert api.get(f"{REPO}/pulls").headers["x-ratelimit-remaining"] == "2"


def test_secondary_rate_limit_knob(api: httpx.Client, admin: httpx.Client) -> None:
    admin.put("/secondary_rate_limit", json={"count": 1, "retry_after": 42})
    limited = api.post(f"{REPO}/issues/1/comments", json={"body": "hi"})
    body = assert_github_error(limited, 403, limited.json()["message"])
    assert body["message"].startswith("You have exceeded a secondary rate limit.")
    assert limited.headers["retry-after"] == "42"
    assert int(limited.headers["x-ratelimit-remaining"]) > 0
    assert api.post(f"{REPO}/issues/1/comments", json={"body": "hi"}).status_code == 201

    admin.put("/secondary_rate_limit", json={"count": 1, "retry_after": None, "status": 429})
    bare = api.get(f"{REPO}/pulls")
    assert bare.status_code == 429
    assert "retry-after" not in bare.headers


def test_content_creation_limit_is_a_secondary_limit(
    api: httpx.Client, emulator: GitHubEmulator
) -> None:
    emulator.set_rate_limit(content_creation_per_minute=2)
    for _ in range(2):
        assert api.post(f"{REPO}/issues/3/comments", json={"body": "x"}).status_code == 201
    third = api.post(f"{REPO}/issues/3/comments", json={"body": "x"})
    assert third.status_code == 403
    assert 0 < int(third.headers["retry-after"]) <= 61
    assert api.get(f"{REPO}/issues/3/comments").status_code == 200  # reads are not limited


# --- refs ------------------------------------------------------------------------------


def test_branch_ref_read_and_create(api: httpx.Client, sandbox: SandboxServer) -> None:
    main = api.get(f"{REPO}/git/ref/heads/main").json()
    assert main["ref"] == "refs/heads/main"
    assert main["object"]["type"] == "commit"
    sha = main["object"]["sha"]
    assert len(sha) == 40

    created = api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/agent/x-1", "sha": sha})
    assert created.status_code == 201
    assert created.json()["object"]["sha"] == sha
    assert created.headers["location"].endswith("/git/refs/heads/agent/x-1")
    assert api.get(f"{REPO}/git/ref/heads/agent/x-1").json()["ref"] == "refs/heads/agent/x-1"

    again = api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/agent/x-1", "sha": sha})
    assert_github_error(again, 422, "Reference already exists")
    assert_github_error(
        api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/y", "sha": "0" * 40}),
        422,
        "Object does not exist",
    )
    assert api.post(f"{REPO}/git/refs", json={"ref": "heads/y", "sha": sha}).status_code == 422
    bad_name = api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/a..b", "sha": sha})
    assert_github_error(bad_name, 422, "refs/heads/a..b is not a valid ref name.")
    assert_github_error(
        api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/z"}),
        422,
        'Invalid request.\n\n"sha" wasn\'t supplied.',
    )
    assert_github_error(api.get(f"{REPO}/git/ref/heads/nope"), 404, "Not Found")
    assert sandbox.sandbox.ledger.counts() == {"github.createRef": 1}


# --- contents --------------------------------------------------------------------------


def test_contents_read_files_and_directories(api: httpx.Client) -> None:
    readme = api.get(f"{REPO}/contents/README.md").json()
    assert readme["type"] == "file"
    assert readme["encoding"] == "base64"
    data = base64.b64decode(readme["content"])
    assert data.startswith(b"# Royal Equips storefront")
    assert readme["size"] == len(data)
    assert all(len(line) <= 60 for line in readme["content"].splitlines())

    products = api.get(f"{REPO}/contents/products").json()
    assert [p["name"] for p in products] == [
        "aurora-desk-lamp.json",
        "ceramic-pour-over-set.json",
        "nordic-throw-blanket.json",
    ]
    root = {e["name"]: e["type"] for e in api.get(f"{REPO}/contents").json()}
    assert root == {"README.md": "file", "products": "dir", "theme": "dir"}

    summer = api.get(
        f"{REPO}/contents/products/linen-beach-towel.json",
        params={"ref": "feature/summer-collection"},
    )
    assert json.loads(base64.b64decode(summer.json()["content"]))["handle"] == "linen-beach-towel"
    assert api.get(f"{REPO}/contents/products/linen-beach-towel.json").status_code == 404
    assert_github_error(
        api.get(f"{REPO}/contents/README.md", params={"ref": "nope"}),
        404,
        "No commit found for the ref nope",
    )


def test_contents_create_update_and_conflicts(api: httpx.Client, sandbox: SandboxServer) -> None:
    path = f"{REPO}/contents/products/new.json"
    created = api.put(path, json={"message": "Add", "content": b64(b"{}"), "branch": "main"})
    assert created.status_code == 201
    sha = created.json()["content"]["sha"]
    commit = created.json()["commit"]
    assert commit["message"] == "Add"
    assert commit["committer"]["name"] == "Royal Agent"
    assert api.get(f"{REPO}/git/ref/heads/main").json()["object"]["sha"] == commit["sha"]

    assert_github_error(
        api.put(path, json={"message": "Again", "content": b64(b"[]")}),
        422,
        'Invalid request.\n\n"sha" wasn\'t supplied.',
    )
    updated = api.put(
        path,
        json={
            "message": "Update",
            "content": b64(b"[]"),
            "sha": sha,
            "committer": {"name": "Maria", "email": "maria@example.com"},
        },
    )
    assert updated.status_code == 200
    assert updated.json()["commit"]["committer"]["name"] == "Maria"
    assert updated.json()["commit"]["parents"][0]["sha"] == commit["sha"]
    assert_github_error(
        api.put(path, json={"message": "Stale", "content": b64(b"1"), "sha": sha}),
        409,
        f"products/new.json does not match {sha}",
    )
    assert_github_error(
        api.put(path, json={"message": "m", "content": "not base64!"}),
        422,
        "content is not valid Base64",
    )
    assert_github_error(
        api.put(f"{REPO}/contents/products", json={"message": "m", "content": b64(b"x")}),
        422,
        "products is a directory",
    )
    assert_github_error(
        api.put(path, json={"message": "m", "content": b64(b"x"), "branch": "nope"}),
        404,
        "Branch nope not found",
    )
    assert_github_error(
        api.put(path, json={"content": b64(b"x")}),
        422,
        'Invalid request.\n\n"message" wasn\'t supplied.',
    )
    assert_github_error(
        api.put(path, json={"message": 5, "content": b64(b"x")}),
        422,
        "Invalid request.\n\nFor 'properties/message', 5 is not a string.",
    )
    assert_github_error(
        api.put(path, content=b"{nope", headers={"content-type": "application/json"}),
        400,
        "Problems parsing JSON",
    )
    assert sandbox.sandbox.ledger.counts() == {"github.createOrUpdateFileContents": 2}


# --- pull requests ---------------------------------------------------------------------


def test_pull_request_create_validation(api: httpx.Client, sandbox: SandboxServer) -> None:
    def create(**body: Any) -> httpx.Response:
        return api.post(f"{REPO}/pulls", json=body)

    main = api.get(f"{REPO}/git/ref/heads/main").json()["object"]["sha"]
    api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/empty", "sha": main})

    assert_github_error(
        create(title="t", base="main"), 422, 'Invalid request.\n\n"head" wasn\'t supplied.'
    )
    missing = assert_github_error(
        create(title="t", head="nope", base="main"), 422, "Validation Failed"
    )
    assert missing["errors"] == [{"resource": "PullRequest", "code": "invalid", "field": "head"}]
    fork = assert_github_error(
        create(title="t", head="someone:feature/summer-collection", base="main"),
        422,
        "Validation Failed",
    )
    assert fork["errors"][0]["field"] == "head"
    empty = assert_github_error(
        create(title="t", head="empty", base="main"), 422, "Validation Failed"
    )
    assert empty["errors"][0]["message"] == "No commits between main and empty"
    duplicate = assert_github_error(
        create(title="t", head="royal-equips:feature/summer-collection", base="main"),
        422,
        "Validation Failed",
    )
    assert duplicate["errors"][0]["message"] == (
        "A pull request already exists for royal-equips:feature/summer-collection."
    )
    assert_github_error(
        create(title="t", head="fix/readme-typo", base="main", draft="yes"),
        422,
        "Invalid request.\n\nFor 'properties/draft', \"yes\" is not a boolean.",
    )
    # The closed pull request #2 does not block a new one from the same branch.
    reopened = create(title="README again", head="fix/readme-typo", base="main", draft=True)
    assert reopened.status_code == 201
    pr = reopened.json()
    assert pr["number"] == 4
    assert pr["draft"] is True
    assert pr["head"]["label"] == "royal-equips:fix/readme-typo"
    assert pr["base"]["sha"] == main
    assert pr["commits"] == 1
    assert sandbox.sandbox.ledger.counts() == {"github.createRef": 1, "github.createPullRequest": 1}


def test_pull_request_list_filters_sort_and_link_pagination(
    api: httpx.Client, emulator: GitHubEmulator
) -> None:
    emulator.add_pull_requests(5)
    emulator.add_pull_requests(2, state="closed")
    open_prs = api.get(f"{REPO}/pulls").json()
    assert [p["number"] for p in open_prs] == [8, 7, 6, 5, 4, 1]
    closed = api.get(f"{REPO}/pulls", params={"state": "closed"}).json()
    assert sorted(p["number"] for p in closed) == [2, 9, 10]
    page = api.get(f"{REPO}/pulls", params={"state": "all", "per_page": 4, "page": 2})
    links = parse_link_header(page.headers["link"])
    assert set(links) == {"next", "last", "first", "prev"}
    assert "page=3" in links["next"]
    assert "page=3" in links["last"]
    assert "page=1" in links["first"]
    assert "per_page=4" in links["next"]
    assert "state=all" in links["next"]
    last = api.get(links["last"])
    assert [p["number"] for p in last.json()] == [1]  # 9 pull requests, 4 per page
    assert "next" not in parse_link_header(last.headers.get("link"))
    one_page = api.get(f"{REPO}/pulls", params={"per_page": 500})
    assert "link" not in one_page.headers
    by_head = api.get(f"{REPO}/pulls", params={"head": "royal-equips:feature/summer-collection"})
    assert [p["number"] for p in by_head.json()] == [1]
    popular = api.get(
        f"{REPO}/pulls", params={"state": "all", "sort": "popularity", "direction": "desc"}
    )
    assert [p["number"] for p in popular.json()][:2] == [1, 2]
    bad = assert_github_error(
        api.get(f"{REPO}/pulls", params={"state": "merged"}), 422, "Validation Failed"
    )
    assert bad["errors"][0]["field"] == "state"


def test_pull_request_get_and_update(api: httpx.Client, sandbox: SandboxServer) -> None:
    pr = api.get(f"{REPO}/pulls/1").json()
    assert pr["title"] == "Add summer collection: linen beach towel"
    assert pr["state"] == "open"
    assert pr["comments"] == 2
    assert pr["merged"] is False
    patched = api.patch(
        f"{REPO}/pulls/1", json={"title": "Summer", "body": None, "state": "closed"}
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Summer"
    assert patched.json()["body"] is None
    assert patched.json()["closed_at"] is not None
    reopened = api.patch(f"{REPO}/pulls/1", json={"state": "open"}).json()
    assert reopened["state"] == "open"
    assert reopened["closed_at"] is None
    unchanged = api.patch(f"{REPO}/pulls/1", json={"state": "open"})
    assert unchanged.status_code == 200
    bad_state = assert_github_error(
        api.patch(f"{REPO}/pulls/1", json={"state": "merged"}), 422, "Validation Failed"
    )
    assert bad_state["errors"][0]["field"] == "state"
    assert api.patch(f"{REPO}/pulls/1", json={"base": "nope"}).status_code == 422
    assert api.patch(f"{REPO}/pulls/99", json={"title": "x"}).status_code == 404
    assert sandbox.sandbox.ledger.counts() == {"github.updatePullRequest": 2}


def test_pushing_to_a_pull_request_branch_moves_its_head(api: httpx.Client) -> None:
    path = f"{REPO}/contents/products/linen-beach-towel.json"
    current = api.get(path, params={"ref": "feature/summer-collection"}).json()
    written = api.put(
        path,
        json={
            "message": "Size chart",
            "content": b64(b"{}"),
            "sha": current["sha"],
            "branch": "feature/summer-collection",
        },
    ).json()
    pr = api.get(f"{REPO}/pulls/1").json()
    assert pr["head"]["sha"] == written["commit"]["sha"]
    assert pr["commits"] == 2


# --- issue comments --------------------------------------------------------------------


def test_issue_comments(
    api: httpx.Client, emulator: GitHubEmulator, sandbox: SandboxServer
) -> None:
    seeded = api.get(f"{REPO}/issues/1/comments").json()
    assert [c["user"]["login"] for c in seeded] == ["royal-agent", "maria-approver"]
    created = api.post(f"{REPO}/issues/3/comments", json={"body": "Stock replenished."})
    assert created.status_code == 201
    assert created.json()["body"] == "Stock replenished."
    assert created.json()["issue_url"].endswith("/issues/3")
    assert [c["body"] for c in api.get(f"{REPO}/issues/3/comments").json()][-1] == (
        "Stock replenished."
    )
    emulator.add_issue_comments(2, 10)
    page = api.get(f"{REPO}/issues/2/comments", params={"per_page": 5})
    assert len(page.json()) == 5
    assert "page=3" in parse_link_header(page.headers["link"])["last"]
    recent = api.get(f"{REPO}/issues/1/comments", params={"since": "2026-01-06T12:00:00Z"})
    assert len(recent.json()) == 1
    assert api.get(f"{REPO}/issues/1/comments", params={"since": "yesterday"}).status_code == 422
    assert_github_error(
        api.post(f"{REPO}/issues/1/comments", json={}),
        422,
        'Invalid request.\n\n"body" wasn\'t supplied.',
    )
    assert api.post(f"{REPO}/issues/1/comments", json={"body": "  "}).status_code == 422
    assert_github_error(
        api.post(f"{REPO}/issues/42/comments", json={"body": "x"}), 404, "Not Found"
    )
    assert sandbox.sandbox.ledger.counts() == {"github.createIssueComment": 1}


# --- admin and reset -------------------------------------------------------------------


def test_admin_bulk_seeding_and_reset(
    api: httpx.Client, admin: httpx.Client, sandbox: SandboxServer
) -> None:
    added = admin.post("/repos/royal-equips/storefront/pulls", json={"count": 3})
    assert added.json() == {"numbers": [4, 5, 6]}
    comments = admin.post("/repos/royal-equips/storefront/issues/4/comments", json={"count": 2})
    assert len(comments.json()["ids"]) == 2
    assert admin.post("/repos/nobody/nothing/pulls", json={"count": 1}).status_code == 404
    assert len(api.get(f"{REPO}/pulls").json()) == 4
    assert sandbox.sandbox.ledger.counts() == {}  # seeding is not an API mutation

    assert admin.post("/reset").json() == {"status": "reset"}
    assert [p["number"] for p in api.get(f"{REPO}/pulls", params={"state": "all"}).json()] == [
        2,
        1,
    ]
    assert admin.get("/rate_limit").json()["remaining"] == 4999


# --- robustness ------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_bodies = st.dictionaries(
    st.sampled_from(
        [
            "ref",
            "sha",
            "message",
            "content",
            "branch",
            "title",
            "head",
            "base",
            "body",
            "state",
            "draft",
            "committer",
        ]
    ),
    _json_values,
    max_size=5,
)
_targets = st.sampled_from(
    [
        ("POST", "/git/refs"),
        ("PUT", "/contents/products/fuzz.json"),
        ("POST", "/pulls"),
        ("PATCH", "/pulls/1"),
        ("POST", "/issues/1/comments"),
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=_targets, body=_bodies | _json_values)
def test_bad_input_never_causes_a_server_error(
    api: httpx.Client, target: tuple[str, str], body: Any
) -> None:
    method, path = target
    response = api.request(method, f"{REPO}{path}", json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) >= {"message", "documentation_url"}
