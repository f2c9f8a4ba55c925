"""Resolvers for the GitHub write tools and the catalog-as-code cluster's writes.

None of these writes sends its idempotency key to the service, so each is found by what its
recorded arguments set: a branch that exists, a commit with the write's message whose tree holds
the content, a pull request or comment with the write's title and body, a product, badge or
theme whose state equals the arguments. The catalog's proposal also carries its sync's id in its
commit message (``Royal-Sync: <id>``) and pull request body (``<!-- royal-sync:<id> -->``):
found in the branch's history, it ties the commit to the pull request.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from contextlib import aclosing
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel

from host.effect_resolvers.base import Resolution, Resolver
from nodes.catalog import promote, propose, stage
from nodes.catalog.badges import BADGE_TOOL, BadgeArgs
from nodes.catalog.themes import (
    PUBLISH_THEME_TOOL,
    STAGE_THEME_TOOL,
    PublishArgs,
    StageThemeArgs,
)
from nodes.services import Services
from storage.effects import EffectRecord
from tools.agent_tools.github_tools import (
    COMMENT,
    CREATE_BRANCH,
    CREATE_PULL_REQUEST,
    PUT_FILE,
    UPDATE_PULL_REQUEST,
    CommentArgs,
    CreateBranchArgs,
    CreatePullRequestArgs,
    PutFileArgs,
    UpdatePullRequestArgs,
)
from tools.catalog import shopify as catalog_shopify
from tools.catalog.merge import diff
from tools.catalog.model import CatalogProduct
from tools.catalog.repository import Proposal
from tools.github import GitHubClient, GitHubNotFoundError, PullRequest
from tools.github.git_models import GitCommit
from tools.themes import shopify as themes

HISTORY_LIMIT = 100
"""Commits read back from a branch's head when looking for a write's commit."""
CLOCK_SKEW = timedelta(minutes=5)
"""How much earlier than its ledger claim a pull request or comment may be stamped (GitHub's
clock against ours, and GitHub's whole seconds)."""
SHOWN_FIELDS = 4

ArgsT = TypeVar("ArgsT", bound=BaseModel)


def _args(record: EffectRecord, model: type[ArgsT]) -> ArgsT:
    """The write's recorded arguments; a row from before the ledger kept them cannot be told."""
    if record.args is None:
        raise LookupError(
            f"effect {record.idempotency_key} ({record.tool}) has no recorded arguments: "
            "check the service by hand"
        )
    return model.model_validate(record.args)


def _blob_sha(text: str) -> str:
    """The git blob id GitHub shows for a file with this text."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


async def _head(github: GitHubClient, branch: str) -> str | None:
    try:
        return await github.get_branch_sha(branch)
    except GitHubNotFoundError:
        return None


async def _find_commit(
    github: GitHubClient, head: str, wanted: Callable[[GitCommit], Awaitable[bool]]
) -> GitCommit | None:
    """The newest commit reachable from ``head`` (within ``HISTORY_LIMIT``) that is wanted."""
    queue, seen = deque([head]), set[str]()
    while queue and len(seen) < HISTORY_LIMIT:
        sha = queue.popleft()
        if sha in seen:
            continue
        seen.add(sha)
        commit = await github.get_commit(sha)
        if await wanted(commit):
            return commit
        queue.extend(parent.sha for parent in commit.parents)
    return None


async def _holds(github: GitHubClient, tree: str, files: Mapping[str, str | None]) -> bool:
    """Whether the tree has each file with its text (None: absent)."""
    blobs = (await github.get_tree(tree)).blobs()
    return all(
        blobs.get(path) == (None if text is None else _blob_sha(text))
        for path, text in files.items()
    )


# --- the GitHub write tools -----------------------------------------------------------------


async def _create_branch(record: EffectRecord, services: Services) -> Resolution:
    """The branch exists: the write accepts an existing branch too, and its start commit came
    from the lookup, not the args, so where it points is reported, not checked."""
    args = _args(record, CreateBranchArgs)
    try:
        ref = await services.github.get_branch(args.branch)
    except GitHubNotFoundError:
        return Resolution(applied=False, note=f"not applied: no branch {args.branch}")
    return Resolution(
        applied=True,
        result={"branch": ref.branch, "sha": ref.sha},
        note=f"applied: branch {ref.branch} exists at {ref.sha[:12]}",
    )


async def _put_file(record: EffectRecord, services: Services) -> Resolution:
    """A commit with the write's message that holds the content, or the content at the head."""
    args = _args(record, PutFileArgs)
    github, blob = services.github, _blob_sha(args.content)
    head = await _head(github, args.branch)
    if head is None:
        return Resolution(applied=False, note=f"not applied: no branch {args.branch}")

    async def wrote_it(commit: GitCommit) -> bool:
        return commit.message == args.message and await _holds(
            github, commit.tree.sha, {args.path: args.content}
        )

    commit = await _find_commit(github, head, wrote_it)
    result = {"path": args.path, "sha": blob, "commit": None if commit is None else commit.sha}
    if commit is not None:
        return Resolution(
            applied=True,
            result=result,
            note=f"applied: commit {commit.sha[:12]} wrote {args.path} on {args.branch}",
        )
    if await _holds(github, head, {args.path: args.content}):
        return Resolution(
            applied=True,
            result=result,
            note=f"applied: {args.path} on {args.branch} holds the content (no commit with "
            "its message among the latest commits)",
        )
    return Resolution(
        applied=False,
        note=f"not applied: {args.path} on {args.branch} does not hold the content and no "
        f"commit {args.message!r} wrote it",
    )


def _pull_result(pull: PullRequest) -> dict[str, object]:
    return {"number": pull.number, "url": pull.html_url, "state": pull.state}


async def _pulls(github: GitHubClient, head: str, base: str) -> list[PullRequest]:
    """Every pull request from ``head`` into ``base``, newest first."""
    found: list[PullRequest] = []
    listed = github.list_pull_requests(state="all", head=head, base=base, per_page=100)
    async with aclosing(listed):
        async for pull in listed:
            found.append(pull)
    return found


async def _create_pull_request(record: EffectRecord, services: Services) -> Resolution:
    """A pull request with its title and body from head into base, open or opened after the
    claim (an older closed one with the same text is someone else's)."""
    args = _args(record, CreatePullRequestArgs)
    since = record.created_at - CLOCK_SKEW
    for pull in await _pulls(services.github, args.head, args.base):
        mine = pull.state == "open" or pull.created_at >= since
        if mine and pull.title == args.title and (pull.body or "") == (args.body or ""):
            return Resolution(
                applied=True,
                result=_pull_result(pull),
                note=f"applied: pull request #{pull.number} {args.head} → {args.base} "
                f"({pull.state})",
            )
    return Resolution(
        applied=False,
        note=f"not applied: no pull request {args.title!r} from {args.head} into {args.base}",
    )


async def _update_pull_request(record: EffectRecord, services: Services) -> Resolution:
    """The pull request shows each field the write set."""
    args = _args(record, UpdatePullRequestArgs)
    try:
        pull = await services.github.get_pull_request(args.number)
    except GitHubNotFoundError:
        return Resolution(applied=False, note=f"not applied: no pull request #{args.number}")
    wanted = {"title": args.title, "body": args.body, "state": args.state}
    shown = {"title": pull.title, "body": pull.body or "", "state": pull.state}
    differ = [name for name, value in wanted.items() if value is not None and shown[name] != value]
    if differ:
        return Resolution(
            applied=False,
            note=f"not applied: pull request #{args.number} differs in {', '.join(differ)}",
        )
    return Resolution(
        applied=True,
        result=_pull_result(pull),
        note=f"applied: pull request #{args.number} has the "
        + ", ".join(name for name, value in wanted.items() if value is not None),
    )


async def _comment(record: EffectRecord, services: Services) -> Resolution:
    """A comment with its text, posted since the claim (less the clock skew)."""
    args = _args(record, CommentArgs)
    since = record.created_at - CLOCK_SKEW
    try:
        comments = services.github.list_issue_comments(args.number, since=since, per_page=100)
        async with aclosing(comments):
            async for comment in comments:
                if comment.body == args.body:
                    return Resolution(
                        applied=True,
                        result={"id": comment.id, "url": comment.html_url},
                        note=f"applied: comment {comment.id} on #{args.number}",
                    )
    except GitHubNotFoundError:
        return Resolution(
            applied=False, note=f"not applied: no issue or pull request #{args.number}"
        )
    return Resolution(
        applied=False,
        note=f"not applied: no comment with its text on #{args.number} since it was started",
    )


# --- the catalog cluster --------------------------------------------------------------------


def _comparable(product: CatalogProduct, collections: Mapping[str, str]) -> CatalogProduct:
    """What a ``productSet`` of ``product`` leaves visible: collections that exist only (the
    write drops others), and images by alt text (Shopify re-hosts the source URLs)."""
    return product.model_copy(
        update={
            "images": [
                image.model_copy(update={"url": "https://image"}) for image in product.images
            ],
            "collections": sorted(c for c in product.collections if c in collections),
        }
    )


def _differences(
    shown: CatalogProduct, wanted: CatalogProduct, collections: Mapping[str, str]
) -> list[str]:
    changes = diff(_comparable(shown, collections), _comparable(wanted, collections))
    return [change.field for change in changes]


def _differ_note(handle: str, fields: list[str]) -> str:
    more = f" and {len(fields) - SHOWN_FIELDS} more" if len(fields) > SHOWN_FIELDS else ""
    return f"not applied: {handle} on Shopify differs in {', '.join(fields[:SHOWN_FIELDS])}{more}"


async def _product_set(record: EffectRecord, services: Services) -> Resolution:
    """The live product (by id, or by handle when the write created it) has the written state."""
    args = _args(record, promote.ApplyArgs)
    wanted = CatalogProduct.model_validate(args.product)
    found = (
        await catalog_shopify.get_product(services.shopify, args.product_id)
        if args.product_id is not None
        else await catalog_shopify.get_by_handle(services.shopify, wanted.handle)
    )
    if found is None:
        return Resolution(
            applied=False, note=f"not applied: no product {args.product_id or wanted.handle}"
        )
    collections = await catalog_shopify.collection_ids(services.shopify)
    differ = _differences(found.product, wanted, collections)
    if differ:
        return Resolution(applied=False, note=_differ_note(wanted.handle, differ))
    return Resolution(
        applied=True,
        result={"product_id": found.id},
        note=f"applied: {wanted.handle} ({found.id}) has the written state",
    )


async def _staging_copy(record: EffectRecord, services: Services) -> Resolution:
    """The draft copy (by its handle) has the written state."""
    args = _args(record, stage.StageArgs)
    wanted = CatalogProduct.model_validate(args.product)
    found = await catalog_shopify.get_by_handle(services.shopify, args.staging_handle)
    if found is None:
        return Resolution(applied=False, note=f"not applied: no staging copy {args.staging_handle}")
    collections = await catalog_shopify.collection_ids(services.shopify)
    differ = _differences(found.product, wanted, collections)
    if differ:
        return Resolution(applied=False, note=_differ_note(args.staging_handle, differ))
    result = stage.StageResult(
        staging_id=found.id, failed_images=found.failed_images, collections=sorted(collections)
    )
    return Resolution(
        applied=True,
        result=result.model_dump(mode="json"),
        note=f"applied: staging copy {args.staging_handle} ({found.id}) has the written state",
    )


def _sync_of(commit: GitCommit, message: str) -> str | None:
    """The sync id a proposal's commit message carries after the proposal's own message."""
    prefix = f"{message}\n\nRoyal-Sync: "
    if not commit.message.startswith(prefix):
        return None
    return commit.message.removeprefix(prefix).split("\n", 1)[0].strip() or None


async def _propose(record: EffectRecord, services: Services) -> Resolution:
    """The proposal's commit on the branch and the pull request carrying its sync's marker;
    or, when the branch already held the files, the open pull request (or nothing to do)."""
    args = _args(record, propose.ProposeArgs)
    github = services.github
    if args.repository != github.config.repo:
        raise LookupError(
            f"the write went to {args.repository}; the client reads {github.config.repo}"
        )
    head = await _head(github, args.branch)
    if head is None:
        return Resolution(applied=False, note=f"not applied: no branch {args.branch}")

    async def committed(commit: GitCommit) -> bool:
        return _sync_of(commit, args.message) is not None and await _holds(
            github, commit.tree.sha, args.files
        )

    commit = await _find_commit(github, head, committed)
    pulls = await _pulls(github, args.branch, args.base)
    if commit is not None:
        return _proposed_commit(args, commit, pulls)
    if not await _holds(github, head, args.files):
        return Resolution(
            applied=False,
            note=f"not applied: {args.branch} does not hold the {len(args.files)} proposed "
            "file(s) and no commit of the proposal wrote them",
        )
    open_pull = next((p for p in pulls if p.state == "open"), None)
    if open_pull is None:
        return Resolution(
            applied=True,
            result=None,
            note=f"applied: nothing to propose ({args.branch} already holds the files and no "
            "pull request is open)",
        )
    return Resolution(
        applied=True,
        result=_proposal(open_pull, args.branch, None),
        note=f"applied: {args.branch} already held the files; pull request #{open_pull.number} "
        "is open",
    )


def _proposal(pull: PullRequest, branch: str, commit: str | None) -> dict[str, object]:
    done = Proposal(pull_request=pull.number, url=pull.html_url, branch=branch, commit_sha=commit)
    return done.model_dump(mode="json")


def _proposed_commit(
    args: propose.ProposeArgs, commit: GitCommit, pulls: list[PullRequest]
) -> Resolution:
    sync_id = _sync_of(commit, args.message)
    marker = f"<!-- royal-sync:{sync_id} -->"
    pull = next((p for p in pulls if marker in (p.body or "")), None)
    if pull is None:
        return Resolution(
            applied=False,
            note=f"partly applied: commit {commit.sha[:12]} is on {args.branch} but no pull "
            f"request into {args.base} carries sync {sync_id}; re-running its thread completes it",
        )
    return Resolution(
        applied=True,
        result=_proposal(pull, args.branch, commit.sha),
        note=f"applied: commit {commit.sha[:12]} on {args.branch}, pull request "
        f"#{pull.number} ({pull.state})",
    )


async def _badge(record: EffectRecord, services: Services) -> Resolution:
    """The product's ``royal_badges.low_stock`` metafield names the variants."""
    args = _args(record, BadgeArgs)
    found = await catalog_shopify.get_product(services.shopify, args.product_id)
    if found is None:
        return Resolution(applied=False, note=f"not applied: no product {args.product_id}")
    wanted = ", ".join(args.variants)
    shown = next((b["value"] for b in found.badges if b.get("key") == "low_stock"), None)
    if shown != wanted:
        return Resolution(
            applied=False,
            note=f"not applied: {args.handle}'s low-stock badge is {shown!r}, not {wanted!r}",
        )
    return Resolution(
        applied=True,
        result={"product_id": args.product_id},
        note=f"applied: {args.handle} has the low-stock badge for {wanted}",
    )


async def _theme_files(record: EffectRecord, services: Services) -> Resolution:
    """The theme of that name (unpublished first) holds every file with its text."""
    args = _args(record, StageThemeArgs)
    named = await themes.themes(services.shopify, names=[args.theme])
    theme = next((t for t in named if t["role"] != "MAIN"), named[0] if named else None)
    if theme is None:
        return Resolution(applied=False, note=f"not applied: no theme named {args.theme!r}")
    shown = await themes.read_files(services.shopify, theme["id"])
    differ = sorted(name for name, text in args.files.items() if shown.get(name) != text)
    if differ:
        return Resolution(
            applied=False,
            note=f"not applied: {len(differ)} of {len(args.files)} file(s) differ on the theme "
            f"{args.theme!r} (first: {differ[0]})",
        )
    return Resolution(
        applied=True,
        result={"theme_id": theme["id"], "written": len(args.files)},
        note=f"applied: the theme {args.theme!r} holds the {len(args.files)} file(s)",
    )


async def _theme_publish(record: EffectRecord, services: Services) -> Resolution:
    """The theme is the live one."""
    args = _args(record, PublishArgs)
    live = await themes.live_theme(services.shopify)
    if live["id"] != args.theme_id:
        return Resolution(
            applied=False,
            note=f"not applied: the live theme is {live['name']!r} ({live['id']}), not "
            f"{args.theme!r}",
        )
    return Resolution(
        applied=True,
        result={"theme_id": live["id"], "role": live["role"]},
        note=f"applied: {args.theme!r} is the live theme",
    )


RESOLVERS: Mapping[str, Resolver] = {
    CREATE_BRANCH.spec.name: _create_branch,
    PUT_FILE.spec.name: _put_file,
    CREATE_PULL_REQUEST.spec.name: _create_pull_request,
    UPDATE_PULL_REQUEST.spec.name: _update_pull_request,
    COMMENT.spec.name: _comment,
    promote.TOOL: _product_set,
    stage.TOOL: _staging_copy,
    propose.TOOL: _propose,
    BADGE_TOOL: _badge,
    STAGE_THEME_TOOL: _theme_files,
    PUBLISH_THEME_TOOL: _theme_publish,
}
