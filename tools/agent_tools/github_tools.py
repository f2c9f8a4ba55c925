"""GitHub tools over the store's repository: read files and branches, propose changes as PRs."""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import (
    Facts,
    ReadTool,
    Summary,
    ToolArgs,
    WriteArgs,
    WriteTool,
    no_lookup,
)
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.spec import ToolSpec
from tools.github import GitHubNotFoundError

BRANCH = r"^[A-Za-z0-9._/-]+$"
MAX_FILE_CHARS = 200_000
GITHUB_WRITE = (ActionKind.GITHUB_WRITE,)


def _github_write(name: str, description: str) -> ToolSpec:
    return ToolSpec(
        name=name,
        description=description,
        service="github",
        access=Access.WRITE,
        action_kinds=GITHUB_WRITE,
    )


# --- reads ----------------------------------------------------------------------------------


class GetFileArgs(ToolArgs):
    path: str = Field(min_length=1, description="Path in the repository, e.g. 'README.md'.")
    ref: str | None = Field(default=None, description="Branch, tag or commit; default branch.")
    max_chars: int = Field(default=20_000, ge=100, le=MAX_FILE_CHARS)


async def _get_file(args: GetFileArgs, clients: ToolClients) -> Any:
    file = await clients.github.get_file(args.path, ref=args.ref)
    try:
        text = file.text
    except UnicodeDecodeError:
        return {"path": file.path, "sha": file.sha, "size": file.size, "binary": True}
    return {
        "path": file.path,
        "sha": file.sha,
        "size": file.size,
        "text": text[: args.max_chars],
        "truncated": len(text) > args.max_chars,
    }


GET_FILE = ReadTool(
    spec=ToolSpec(
        name="github_get_file",
        description="Read a text file from the store's GitHub repository (theme settings, "
        "product content) at a branch, with its blob sha.",
        service="github",
        access=Access.READ,
    ),
    args_model=GetFileArgs,
    run=_get_file,
)


class GetBranchArgs(ToolArgs):
    branch: str = Field(pattern=BRANCH, description="Branch name, e.g. 'main'.")


async def _get_branch(args: GetBranchArgs, clients: ToolClients) -> Any:
    ref = await clients.github.get_branch(args.branch)
    return {"branch": ref.branch, "sha": ref.sha}


GET_BRANCH = ReadTool(
    spec=ToolSpec(
        name="github_get_branch",
        description="Check whether a branch exists in the store's repository and read the "
        "commit it points at.",
        service="github",
        access=Access.READ,
    ),
    args_model=GetBranchArgs,
    run=_get_branch,
)


class ListPullRequestsArgs(ToolArgs):
    state: Literal["open", "closed", "all"] = "open"
    head: str | None = Field(default=None, description="Only PRs from this branch.")
    base: str | None = Field(default=None, description="Only PRs into this branch.")
    limit: int = Field(default=20, ge=1, le=100)


async def _list_pull_requests(args: ListPullRequestsArgs, clients: ToolClients) -> Any:
    found: list[dict[str, Any]] = []
    pulls = clients.github.list_pull_requests(
        state=args.state, head=args.head, base=args.base, per_page=args.limit
    )
    async with aclosing(pulls):
        async for pull in pulls:
            found.append(
                {
                    "number": pull.number,
                    "title": pull.title,
                    "state": pull.state,
                    "draft": pull.draft,
                    "head": pull.head.ref,
                    "base": pull.base.ref,
                    "url": pull.html_url,
                    "merged": pull.merged_at is not None,
                }
            )
            if len(found) >= args.limit:
                break
    return {"count": len(found), "pull_requests": found}


LIST_PULL_REQUESTS = ReadTool(
    spec=ToolSpec(
        name="github_list_pull_requests",
        description="List pull requests of the store's repository (number, title, branches, "
        "state), e.g. to find one already open for a change.",
        service="github",
        access=Access.READ,
    ),
    args_model=ListPullRequestsArgs,
    run=_list_pull_requests,
)


# --- github_create_branch -------------------------------------------------------------------


class CreateBranchArgs(WriteArgs):
    branch: str = Field(pattern=BRANCH, description="New branch, e.g. 'agent/summer-prices'.")
    from_branch: str = Field(default="main", pattern=BRANCH, description="Start point.")


@dataclass(frozen=True)
class BranchStart:
    from_branch: str
    sha: str


async def _branch_lookup(args: CreateBranchArgs, clients: ToolClients) -> BranchStart:
    return BranchStart(args.from_branch, await clients.github.get_branch_sha(args.from_branch))


def _branch_facts(args: CreateBranchArgs, start: BranchStart) -> Facts:
    if args.from_branch != start.from_branch:
        raise ToolInputError("the start branch cannot be changed when editing this write")
    return Facts(kind=ActionKind.GITHUB_WRITE)


def _branch_summary(args: CreateBranchArgs, start: BranchStart) -> Summary:
    return Summary(
        title=f"Create branch {args.branch}",
        description=f"Branch {args.branch} from {start.from_branch} at {start.sha[:12]}.",
        data_sources=(f"github:{start.from_branch}@{start.sha}",),
    )


async def _branch_perform(
    args: CreateBranchArgs, start: BranchStart, clients: ToolClients, _key: str
) -> Any:
    # exist_ok: a re-executed step finds its branch instead of failing.
    ref = await clients.github.create_branch(args.branch, sha=start.sha, exist_ok=True)
    return {"branch": ref.branch, "sha": ref.sha}


CREATE_BRANCH = WriteTool(
    spec=_github_write(
        "github_create_branch",
        "Create a branch in the store's repository from another branch (default 'main'), to "
        "commit changes on before opening a pull request.",
    ),
    args_model=CreateBranchArgs,
    lookup=_branch_lookup,
    facts=_branch_facts,
    summary=_branch_summary,
    perform=_branch_perform,
)


# --- github_put_file ------------------------------------------------------------------------


class PutFileArgs(WriteArgs):
    path: str = Field(min_length=1, description="Path in the repository.")
    content: str = Field(max_length=MAX_FILE_CHARS, description="The complete new file text.")
    message: str = Field(min_length=1, max_length=500, description="Commit message.")
    branch: str = Field(pattern=BRANCH, description="Branch to commit to (never 'main': use a PR).")

    @model_validator(mode="after")
    def _not_default_branch(self) -> Self:
        if self.branch in {"main", "master"}:
            raise ValueError("commit to a feature branch and open a pull request")
        return self


@dataclass(frozen=True)
class FileAt:
    """The blob at (path, branch) when the write was proposed; ``sha`` None: a new file."""

    path: str
    branch: str
    sha: str | None
    size: int | None


async def _file_lookup(args: PutFileArgs, clients: ToolClients) -> FileAt:
    try:
        current = await clients.github.get_file(args.path, ref=args.branch)
    except GitHubNotFoundError:
        return FileAt(args.path, args.branch, None, None)
    return FileAt(args.path, args.branch, current.sha, current.size)


def _file_facts(args: PutFileArgs, found: FileAt) -> Facts:
    if (args.path, args.branch) != (found.path, found.branch):
        raise ToolInputError("path and branch cannot be changed when editing this write")
    return Facts(kind=ActionKind.GITHUB_WRITE)


def _file_summary(args: PutFileArgs, found: FileAt) -> Summary:
    verb = "Create" if found.sha is None else "Update"
    before = "" if found.size is None else f" (was {found.size} bytes)"
    return Summary(
        title=f"{verb} {args.path} on {args.branch}",
        description=f"{verb} {args.path}: {len(args.content.encode())} bytes{before}. "
        f"Commit message: {args.message}",
        data_sources=(f"github:{args.branch}:{args.path}@{found.sha or 'new'}",),
    )


async def _file_perform(args: PutFileArgs, found: FileAt, clients: ToolClients, _key: str) -> Any:
    commit = await clients.github.put_file(
        args.path, args.content, message=args.message, sha=found.sha, branch=args.branch
    )
    return {"path": commit.content.path, "sha": commit.content.sha, "commit": commit.commit.sha}


PUT_FILE = WriteTool(
    spec=_github_write(
        "github_put_file",
        "Create or replace a text file on a feature branch of the store's repository (one "
        "commit). Create the branch first (github_create_branch); then open a pull request.",
    ),
    args_model=PutFileArgs,
    lookup=_file_lookup,
    facts=_file_facts,
    summary=_file_summary,
    perform=_file_perform,
)


# --- github_create_pull_request -------------------------------------------------------------


class CreatePullRequestArgs(WriteArgs):
    title: str = Field(min_length=1, max_length=256)
    head: str = Field(pattern=BRANCH, description="The branch with the changes.")
    base: str = Field(default="main", pattern=BRANCH, description="The branch to merge into.")
    body: str | None = Field(default=None, max_length=20_000, description="Markdown.")
    draft: bool = False


def _pull_facts(_args: CreatePullRequestArgs, _found: None) -> Facts:
    return Facts(kind=ActionKind.GITHUB_WRITE)


def _pull_summary(args: CreatePullRequestArgs, _found: None) -> Summary:
    return Summary(
        title=f"Open pull request {args.title!r}",
        description=f"{args.head} → {args.base}{' (draft)' if args.draft else ''}.\n\n"
        + (args.body or ""),
    )


async def _pull_perform(
    args: CreatePullRequestArgs, _found: None, clients: ToolClients, _key: str
) -> Any:
    # exist_ok: a re-executed step gets the PR it opened instead of GitHub's 422.
    pull = await clients.github.create_pull_request(
        title=args.title,
        head=args.head,
        base=args.base,
        body=args.body,
        draft=args.draft,
        exist_ok=True,
    )
    return {"number": pull.number, "url": pull.html_url, "state": pull.state}


CREATE_PULL_REQUEST = WriteTool(
    spec=_github_write(
        "github_create_pull_request",
        "Open a pull request from a branch into 'main' (or another base) so a human reviews "
        "and merges the change.",
    ),
    args_model=CreatePullRequestArgs,
    lookup=no_lookup,
    facts=_pull_facts,
    summary=_pull_summary,
    perform=_pull_perform,
)


# --- github_update_pull_request -------------------------------------------------------------


class UpdatePullRequestArgs(WriteArgs):
    number: int = Field(gt=0, description="Pull request number.")
    title: str | None = Field(default=None, min_length=1, max_length=256)
    body: str | None = Field(default=None, max_length=20_000)
    state: Literal["open", "closed"] | None = Field(
        default=None, description="'closed' closes it without merging."
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.title is None and self.body is None and self.state is None:
            raise ValueError("give a title, body or state to change")
        return self


def _update_facts(_args: UpdatePullRequestArgs, _found: None) -> Facts:
    return Facts(kind=ActionKind.GITHUB_WRITE)


def _update_summary(args: UpdatePullRequestArgs, _found: None) -> Summary:
    changes = [
        f"{name}: {value!r}"
        for name, value in (("title", args.title), ("state", args.state), ("body", args.body))
        if value is not None
    ]
    return Summary(title=f"Update pull request #{args.number}", description="\n".join(changes))


async def _update_perform(
    args: UpdatePullRequestArgs, _found: None, clients: ToolClients, _key: str
) -> Any:
    pull = await clients.github.update_pull_request(
        args.number, title=args.title, body=args.body, state=args.state
    )
    return {"number": pull.number, "url": pull.html_url, "state": pull.state}


UPDATE_PULL_REQUEST = WriteTool(
    spec=_github_write(
        "github_update_pull_request",
        "Change the title or description of a pull request, or close it without merging.",
    ),
    args_model=UpdatePullRequestArgs,
    lookup=no_lookup,
    facts=_update_facts,
    summary=_update_summary,
    perform=_update_perform,
)


# --- github_comment -------------------------------------------------------------------------


class CommentArgs(WriteArgs):
    number: int = Field(gt=0, description="Issue or pull request number.")
    body: str = Field(min_length=1, max_length=20_000, description="Markdown.")


def _comment_facts(_args: CommentArgs, _found: None) -> Facts:
    return Facts(kind=ActionKind.GITHUB_WRITE)


def _comment_summary(args: CommentArgs, _found: None) -> Summary:
    return Summary(title=f"Comment on #{args.number}", description=args.body)


async def _comment_perform(args: CommentArgs, _found: None, clients: ToolClients, _key: str) -> Any:
    comment = await clients.github.create_issue_comment(args.number, args.body)
    return {"id": comment.id, "url": comment.html_url}


COMMENT = WriteTool(
    spec=_github_write(
        "github_comment",
        "Post a comment on an issue or pull request of the store's repository.",
    ),
    args_model=CommentArgs,
    lookup=no_lookup,
    facts=_comment_facts,
    summary=_comment_summary,
    perform=_comment_perform,
)

GITHUB_READS = (GET_FILE, GET_BRANCH, LIST_PULL_REQUESTS)
GITHUB_WRITES = (CREATE_BRANCH, PUT_FILE, CREATE_PULL_REQUEST, UPDATE_PULL_REQUEST, COMMENT)
