"""The emulated REST endpoints (paths exactly as GitHub's), behind auth and rate limits.

Every route of this router goes through ``GitHubRoute``: it checks the token, spends the
rate-limit budget, turns ``ApiError`` into GitHub's error body and stamps the ``x-ratelimit-*``
headers on every answer, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.responses import JSONResponse, RedirectResponse

from tools.sandbox.github import serialize
from tools.sandbox.github.app import AppRegistry
from tools.sandbox.github.errors import (
    DOCS_COMMENTS,
    DOCS_CONTENTS,
    DOCS_PULLS,
    DOCS_REFS,
    ApiError,
    invalid_request,
    not_found,
)
from tools.sandbox.github.git_data import DOCS_BLOBS, DOCS_COMMITS, DOCS_MERGE, DOCS_TREES, GitData
from tools.sandbox.github.hooks import DOCS_HOOKS, HookDispatcher, Outgoing
from tools.sandbox.github.inputs import read_body
from tools.sandbox.github.pagination import paginate
from tools.sandbox.github.ratelimit import Budget, RateLimiter
from tools.sandbox.github.serialize import Urls
from tools.sandbox.github.service import GitHubService

DEFAULT_API_VERSION = "2022-11-28"
SUPPORTED_API_VERSIONS = frozenset({DEFAULT_API_VERSION, "2026-03-10"})
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Gate(Protocol):
    """What the route class needs from the emulator: auth, budgets and request ids."""

    prefix: str
    service: GitHubService
    limiter: RateLimiter
    git: GitData
    hooks: HookDispatcher
    apps: AppRegistry

    def accepts(self, token: str) -> bool: ...

    def next_request_id(self) -> str: ...


def build_router(gate: Gate) -> APIRouter:
    router = APIRouter(route_class=_route_class(gate))
    service = gate.service

    def deliver(outgoing: list[Outgoing]) -> BackgroundTask | None:
        """Send webhook deliveries after the answer, as GitHub delivers asynchronously."""
        return BackgroundTask(gate.hooks.deliver, outgoing) if outgoing else None

    def urls(request: Request) -> Urls:
        return Urls(api=f"{str(request.base_url).rstrip('/')}{gate.prefix}")

    @router.get("/rate_limit")
    async def rate_limit(request: Request) -> Response:
        budget = gate.limiter.budget(_token(request))
        core = budget.as_json()
        return JSONResponse({"resources": {"core": core}, "rate": core})

    @router.get("/repos/{owner}/{repo}/git/ref/heads/{branch:path}")
    async def get_branch_ref(owner: str, repo: str, branch: str, request: Request) -> Response:
        with service.lock:
            return JSONResponse(service.get_branch_ref(owner, repo, branch, urls(request)))

    @router.post("/repos/{owner}/{repo}/git/refs")
    async def create_ref(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_REFS)
        with service.lock:
            data = service.create_ref(owner, repo, body, urls(request))
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.get("/repos/{owner}/{repo}/contents")
    async def get_root(owner: str, repo: str, request: Request) -> Response:
        return await get_contents(owner, repo, "", request)

    @router.get("/repos/{owner}/{repo}/contents/{path:path}")
    async def get_contents(owner: str, repo: str, path: str, request: Request) -> Response:
        ref = request.query_params.get("ref") or None
        with service.lock:
            return JSONResponse(service.get_contents(owner, repo, path, ref, urls(request)))

    @router.put("/repos/{owner}/{repo}/contents/{path:path}")
    async def put_contents(owner: str, repo: str, path: str, request: Request) -> Response:
        body = await read_body(request, DOCS_CONTENTS)
        with service.lock:
            status, data = service.put_contents(owner, repo, path, body, urls(request))
        return JSONResponse(data, status_code=status)

    @router.post("/repos/{owner}/{repo}/pulls")
    async def create_pull(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_PULLS)
        with service.lock:
            data = service.create_pull(owner, repo, body, urls(request))
            record, pr = service.pull(owner, repo, str(data["number"]))
            sent = gate.hooks.pull_request_event(record, pr, "opened", urls(request))
        return JSONResponse(
            data, status_code=201, headers={"location": data["url"]}, background=deliver(sent)
        )

    @router.get("/repos/{owner}/{repo}/pulls")
    async def list_pulls(owner: str, repo: str, request: Request) -> Response:
        with service.lock:
            record, pulls = service.list_pulls(owner, repo, request.query_params)
            page, link = paginate(pulls, request.url)
            data = [
                serialize.pull_request(record, pr, urls(request), detailed=False) for pr in page
            ]
        return JSONResponse(data, headers={"link": link} if link else None)

    @router.get("/repos/{owner}/{repo}/pulls/{number}")
    async def get_pull(owner: str, repo: str, number: str, request: Request) -> Response:
        with service.lock:
            record, pr = service.pull(owner, repo, number)
            return JSONResponse(serialize.pull_request(record, pr, urls(request), detailed=True))

    @router.patch("/repos/{owner}/{repo}/pulls/{number}")
    async def update_pull(owner: str, repo: str, number: str, request: Request) -> Response:
        body = await read_body(request, DOCS_PULLS)
        with service.lock:
            was_open = service.pull(owner, repo, number)[1].state == "open"
            data = service.update_pull(owner, repo, number, body, urls(request))
            record, pr = service.pull(owner, repo, number)
            sent: list[Outgoing] = []
            if was_open and pr.state == "closed":
                sent = gate.hooks.pull_request_event(record, pr, "closed", urls(request))
        return JSONResponse(data, background=deliver(sent))

    @router.get("/repos/{owner}/{repo}/pulls/{number}/files")
    async def pull_files(owner: str, repo: str, number: str, request: Request) -> Response:
        with service.lock:
            files = gate.git.pull_files(owner, repo, number, urls(request))
        page, link = paginate(files, request.url)
        return JSONResponse(page, headers={"link": link} if link else None)

    @router.put("/repos/{owner}/{repo}/pulls/{number}/merge")
    async def merge_pull(owner: str, repo: str, number: str, request: Request) -> Response:
        body = await read_body(request, DOCS_MERGE)
        with service.lock:
            record, pr, answer = gate.git.merge_pull(owner, repo, number, body, urls(request))
            sent = gate.hooks.pull_request_event(record, pr, "closed", urls(request))
        return JSONResponse(answer, background=deliver(sent))

    # --- git database ---------------------------------------------------------------------

    @router.get("/repos/{owner}/{repo}/git/commits/{sha}")
    async def get_commit(owner: str, repo: str, sha: str, request: Request) -> Response:
        with service.lock:
            return JSONResponse(gate.git.get_commit(owner, repo, sha, urls(request)))

    @router.get("/repos/{owner}/{repo}/git/trees/{ref:path}")
    async def get_tree(owner: str, repo: str, ref: str, request: Request) -> Response:
        recursive = request.query_params.get("recursive") not in (None, "", "0", "false")
        with service.lock:
            return JSONResponse(gate.git.get_tree(owner, repo, ref, recursive, urls(request)))

    @router.get("/repos/{owner}/{repo}/git/blobs/{sha}")
    async def get_blob(owner: str, repo: str, sha: str, request: Request) -> Response:
        with service.lock:
            return JSONResponse(gate.git.get_blob(owner, repo, sha, urls(request)))

    @router.post("/repos/{owner}/{repo}/git/blobs")
    async def create_blob(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_BLOBS)
        with service.lock:
            data = gate.git.create_blob(owner, repo, body, urls(request))
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.post("/repos/{owner}/{repo}/git/trees")
    async def create_tree(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_TREES)
        with service.lock:
            data = gate.git.create_tree(owner, repo, body, urls(request))
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.post("/repos/{owner}/{repo}/git/commits")
    async def create_commit(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_COMMITS)
        with service.lock:
            data = gate.git.create_commit(owner, repo, body, urls(request))
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.patch("/repos/{owner}/{repo}/git/refs/heads/{branch:path}")
    async def update_ref(owner: str, repo: str, branch: str, request: Request) -> Response:
        body = await read_body(request, DOCS_REFS)
        with service.lock:
            return JSONResponse(gate.git.update_ref(owner, repo, branch, body, urls(request)))

    # --- webhooks and the app -------------------------------------------------------------

    @router.post("/repos/{owner}/{repo}/hooks")
    async def create_hook(owner: str, repo: str, request: Request) -> Response:
        body = await read_body(request, DOCS_HOOKS)
        with service.lock:
            record = service.repo(owner, repo)
            data = gate.hooks.create(record, body, urls(request), service.now())
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.get("/app/installations/{installation_id}")
    async def get_installation(installation_id: str, request: Request) -> Response:
        installation = gate.apps.installation(installation_id)
        return JSONResponse(gate.apps.installation_json(installation, urls(request)))

    @router.post("/app/installations/{installation_id}/access_tokens")
    async def create_installation_token(installation_id: str, request: Request) -> Response:
        installation = gate.apps.installation(installation_id)
        return JSONResponse(gate.apps.create_token(installation), status_code=201)

    @router.post("/repos/{owner}/{repo}/issues/{number}/comments")
    async def create_comment(owner: str, repo: str, number: str, request: Request) -> Response:
        body = await read_body(request, DOCS_COMMENTS)
        with service.lock:
            data = service.create_comment(owner, repo, number, body, urls(request))
        return JSONResponse(data, status_code=201, headers={"location": data["url"]})

    @router.get("/repos/{owner}/{repo}/issues/{number}/comments")
    async def list_comments(owner: str, repo: str, number: str, request: Request) -> Response:
        with service.lock:
            record, comments = service.list_comments(owner, repo, number, request.query_params)
            page, link = paginate(comments, request.url)
            data = [serialize.comment(record, c, urls(request)) for c in page]
        return JSONResponse(data, headers={"link": link} if link else None)

    router.include_router(_install_page(gate))

    @router.api_route(
        "/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown(rest: str) -> Response:
        raise not_found()

    return router


def _install_page(gate: Gate) -> APIRouter:
    """``/apps/{slug}/installations/new``: a browser page on GitHub, not the API (no token)."""
    page = APIRouter()

    @page.get("/apps/{slug}/installations/new", include_in_schema=False, response_model=None)
    async def install(slug: str, request: Request) -> Response:
        with gate.service.lock:
            repo = next(iter(gate.service.repos.values()), None)
            if repo is None:
                raise not_found()
            installation = gate.apps.install(repo, gate.service.now())
        target = gate.apps.setup_redirect(installation, request.query_params.get("state"))
        if target is None:
            return JSONResponse({"installation_id": installation.id, "setup_action": "install"})
        return RedirectResponse(target, status_code=302)

    return page


def _route_class(gate: Gate) -> type[APIRoute]:
    class GitHubRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                return await _guard(gate, request, handler)

            return guarded

    return GitHubRoute


async def _guard(gate: Gate, request: Request, handler: Handler) -> Response:
    request_id = gate.next_request_id()
    budget: Budget | None = None
    try:
        token = _token(request)
        if token is not None and request.url.path.startswith(f"{gate.prefix}/app/"):
            gate.apps.check_jwt(token)  # the app's own endpoints take its JWT
        elif token is None or not gate.accepts(token):
            budget = gate.limiter.budget(None)
            message = "Requires authentication" if token is None else "Bad credentials"
            raise ApiError(401, message)
        version = request.headers.get("x-github-api-version")
        if version is not None and version not in SUPPORTED_API_VERSIONS:
            budget = gate.limiter.budget(token)
            raise ApiError(400, f"API version {version} is not supported.")
        if request.url.path.endswith("/rate_limit"):
            budget = gate.limiter.budget(token)  # does not count, as on GitHub
        else:
            budget = gate.limiter.admit(token, request.method, request_id)
        response = await handler(request)
    except ApiError as error:
        response = error.response()
    except RequestValidationError as error:
        response = invalid_request(str(error.errors()[:1])).response()
    if budget is not None:
        for name, value in budget.headers().items():
            response.headers.setdefault(name, value)
    response.headers["x-github-request-id"] = request_id
    version = request.headers.get("x-github-api-version", DEFAULT_API_VERSION)
    response.headers["x-github-api-version-selected"] = (
        version if version in SUPPORTED_API_VERSIONS else DEFAULT_API_VERSION
    )
    response.headers["x-github-media-type"] = "github.v3; format=json"
    return response


def _token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <t>`` or ``token <t>``."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None
