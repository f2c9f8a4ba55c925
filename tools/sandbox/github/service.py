"""What each emulated endpoint does to the state, with GitHub's validation and errors.

Handlers pass in parsed JSON bodies and query values; everything here runs under one lock
(requests arrive on the server's thread, tests call the Python API from theirs).
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tools.sandbox.github import serialize
from tools.sandbox.github.errors import (
    DOCS_COMMENTS,
    DOCS_CONTENTS,
    DOCS_PULLS,
    DOCS_REFS,
    ApiError,
    invalid_request,
    not_found,
    validation_failed,
)
from tools.sandbox.github.inputs import (
    Body,
    optional_actor,
    optional_bool,
    optional_str,
    required_str,
)
from tools.sandbox.github.serialize import Json, Urls
from tools.sandbox.github.store import (
    Actor,
    CommentRecord,
    PullRequestRecord,
    Repository,
    User,
    is_valid_branch_name,
)
from tools.sandbox.ledger import MutationLedger

SERVICE = "github"
#: The user the sandbox token belongs to; it authors everything the agents do.
AGENT = User(login="royal-agent", id=90001)
AGENT_ACTOR = Actor(name="Royal Agent", email="agent@royal-equips.example")


class GitHubService:
    def __init__(self, ledger: MutationLedger, clock: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.repos: dict[str, Repository] = {}
        self._ledger = ledger
        self._clock = clock
        self._last_pull_id = 2_000_000_000
        self._last_comment_id = 3_000_000_000

    # --- helpers -----------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(int(self._clock()), UTC)

    def clear(self) -> None:
        self.repos.clear()
        self._last_pull_id = 2_000_000_000
        self._last_comment_id = 3_000_000_000

    def add_repository(self, full_name: str, repo_id: int, owner_id: int) -> Repository:
        owner, _, name = full_name.partition("/")
        repo = Repository(owner=owner, name=name, id=repo_id, owner_id=owner_id)
        self.repos[full_name.lower()] = repo
        return repo

    def repo(self, owner: str, name: str) -> Repository:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise not_found()
        return repo

    def record(self, operation: str, key: str) -> None:
        """Count an applied change in the sandbox's mutation ledger."""
        self._ledger.record(SERVICE, operation, key)

    def next_pull_id(self) -> int:
        self._last_pull_id += 1
        return self._last_pull_id

    def next_comment_id(self) -> int:
        self._last_comment_id += 1
        return self._last_comment_id

    def move_branch(self, repo: Repository, branch: str, sha: str, when: datetime) -> None:
        """Point ``branch`` at ``sha``; open pull requests from it follow, as on GitHub."""
        repo.branches[branch] = sha
        for pr in repo.pulls.values():
            if pr.state == "open" and pr.head_ref == branch:
                pr.head_sha = sha
                pr.updated_at = when

    # --- refs --------------------------------------------------------------------------

    def get_branch_ref(self, owner: str, name: str, branch: str, urls: Urls) -> Json:
        repo = self.repo(owner, name)
        sha = repo.branches.get(branch)
        if sha is None:
            raise not_found(DOCS_REFS)
        return serialize.ref(repo, branch, sha, urls)

    def create_ref(self, owner: str, name: str, body: Body, urls: Urls) -> Json:
        repo = self.repo(owner, name)
        ref = required_str(body, "ref", DOCS_REFS)
        sha = required_str(body, "sha", DOCS_REFS)
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(
                422,
                "Reference name must start with 'refs/' and contain at least two slashes.",
                documentation_url=DOCS_REFS,
            )
        if not ref.startswith("refs/heads/"):
            raise ApiError(
                422,
                "The sandbox only creates branches (refs/heads/…).",
                documentation_url=DOCS_REFS,
            )
        branch = ref.removeprefix("refs/heads/")
        if not is_valid_branch_name(branch):
            raise ApiError(422, f"{ref} is not a valid ref name.", documentation_url=DOCS_REFS)
        if branch in repo.branches:
            raise ApiError(422, "Reference already exists", documentation_url=DOCS_REFS)
        if sha not in repo.commits:
            raise ApiError(422, "Object does not exist", documentation_url=DOCS_REFS)
        repo.branches[branch] = sha
        self._ledger.record(SERVICE, "createRef", f"{repo.full_name}:{ref}")
        return serialize.ref(repo, branch, sha, urls)

    # --- contents ----------------------------------------------------------------------

    def get_contents(
        self, owner: str, name: str, path: str, ref: str | None, urls: Urls
    ) -> Json | list[Json]:
        repo = self.repo(owner, name)
        ref_name = ref or repo.default_branch
        sha = repo.resolve(ref_name)
        if sha is None:
            raise ApiError(
                404, f"No commit found for the ref {ref_name}", documentation_url=DOCS_CONTENTS
            )
        tree = repo.commits[sha].tree
        path = path.strip("/")
        if path in tree:
            blob = tree[path]
            return serialize.file_contents(repo, path, repo.blobs[blob], blob, ref_name, urls)
        listing = _children(tree, path)
        if not listing:
            raise not_found(DOCS_CONTENTS)
        entries: list[Json] = []
        for child, is_dir in sorted(listing.items()):
            if is_dir:
                entries.append(serialize.directory_entry(repo, child, ref_name, urls))
            else:
                blob = tree[child]
                entries.append(
                    serialize.content_entry(
                        repo, child, blob, len(repo.blobs[blob]), ref_name, urls
                    )
                )
        return entries

    def put_contents(
        self, owner: str, name: str, path: str, body: Body, urls: Urls
    ) -> tuple[int, Json]:
        """Create (201) or update (200) a file with one new commit on the branch."""
        repo = self.repo(owner, name)
        path = path.strip("/")
        if not path:
            raise not_found(DOCS_CONTENTS)
        message = required_str(body, "message", DOCS_CONTENTS)
        encoded = required_str(body, "content", DOCS_CONTENTS)
        sha = optional_str(body, "sha", DOCS_CONTENTS)
        branch = optional_str(body, "branch", DOCS_CONTENTS) or repo.default_branch
        committer = optional_actor(body, "committer", DOCS_CONTENTS)
        author = optional_actor(body, "author", DOCS_CONTENTS)
        try:
            data = base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(
                422, "content is not valid Base64", documentation_url=DOCS_CONTENTS
            ) from exc
        head = repo.branches.get(branch)
        if head is None:
            raise ApiError(404, f"Branch {branch} not found", documentation_url=DOCS_CONTENTS)
        tree = repo.commits[head].tree
        if _children(tree, path):
            raise ApiError(422, f"{path} is a directory", documentation_url=DOCS_CONTENTS)
        current = tree.get(path)
        if current is not None and sha is None:
            raise invalid_request('"sha" wasn\'t supplied.', DOCS_CONTENTS)
        if sha is not None and sha != current:
            raise ApiError(409, f"{path} does not match {sha}", documentation_url=DOCS_CONTENTS)
        when = self.now()
        committer_actor = Actor(*committer) if committer else AGENT_ACTOR
        author_actor = Actor(*author) if author else committer_actor
        commit = repo.commit(head, {path: data}, message, author_actor, committer_actor, when)
        self.move_branch(repo, branch, commit.sha, when)
        self._ledger.record(
            SERVICE, "createOrUpdateFileContents", f"{repo.full_name}:{branch}:{path}"
        )
        blob = commit.tree[path]
        result = {
            "content": serialize.content_entry(repo, path, blob, len(data), branch, urls),
            "commit": serialize.commit(repo, commit, urls),
        }
        return (201 if current is None else 200), result

    # --- pull requests -----------------------------------------------------------------

    def create_pull(self, owner: str, name: str, body: Body, urls: Urls) -> Json:
        repo = self.repo(owner, name)
        title = required_str(body, "title", DOCS_PULLS)
        head = required_str(body, "head", DOCS_PULLS)
        base = required_str(body, "base", DOCS_PULLS)
        text = optional_str(body, "body", DOCS_PULLS)
        draft = optional_bool(body, "draft", DOCS_PULLS) or False
        can_modify = optional_bool(body, "maintainer_can_modify", DOCS_PULLS)
        if not title.strip():
            raise validation_failed(
                "PullRequest", field="title", code="missing_field", documentation_url=DOCS_PULLS
            )
        head_owner, _, head_ref = head.rpartition(":")
        if head_owner and head_owner.lower() != repo.owner.lower():
            raise validation_failed(
                "PullRequest", field="head", code="invalid", documentation_url=DOCS_PULLS
            )
        if head_ref not in repo.branches:
            raise validation_failed(
                "PullRequest", field="head", code="invalid", documentation_url=DOCS_PULLS
            )
        if base not in repo.branches:
            raise validation_failed(
                "PullRequest", field="base", code="invalid", documentation_url=DOCS_PULLS
            )
        head_sha, base_sha = repo.branches[head_ref], repo.branches[base]
        if repo.is_ancestor(head_sha, base_sha):
            raise validation_failed(
                "PullRequest",
                code="custom",
                message=f"No commits between {base} and {head_ref}",
                documentation_url=DOCS_PULLS,
            )
        if any(
            pr.state == "open" and pr.head_ref == head_ref and pr.base_ref == base
            for pr in repo.pulls.values()
        ):
            raise validation_failed(
                "PullRequest",
                code="custom",
                message=f"A pull request already exists for {repo.owner}:{head_ref}.",
                documentation_url=DOCS_PULLS,
            )
        when = self.now()
        pr = PullRequestRecord(
            id=self.next_pull_id(),
            number=repo.next_number(),
            title=title,
            body=text,
            head_ref=head_ref,
            head_sha=head_sha,
            base_ref=base,
            user=AGENT,
            draft=draft,
            maintainer_can_modify=bool(can_modify),
            created_at=when,
            updated_at=when,
        )
        repo.pulls[pr.number] = pr
        self._ledger.record(SERVICE, "createPullRequest", f"{repo.full_name}#{pr.number}")
        return serialize.pull_request(repo, pr, urls, detailed=True)

    def pull(self, owner: str, name: str, number: str) -> tuple[Repository, PullRequestRecord]:
        repo = self.repo(owner, name)
        pr = repo.pulls.get(int(number)) if number.isdigit() else None
        if pr is None:
            raise not_found(DOCS_PULLS)
        return repo, pr

    def list_pulls(
        self, owner: str, name: str, query: Mapping[str, str]
    ) -> tuple[Repository, list[PullRequestRecord]]:
        repo = self.repo(owner, name)
        state = _choice(query, "state", {"open", "closed", "all"}, "open")
        sort = _choice(query, "sort", {"created", "updated", "popularity", "long-running"}, None)
        default_direction = "desc" if sort in (None, "created") else "asc"
        direction = _choice(query, "direction", {"asc", "desc"}, default_direction)
        pulls = [pr for pr in repo.pulls.values() if state in ("all", pr.state)]
        head = query.get("head")
        if head and ":" in head:
            head_owner, _, head_ref = head.partition(":")
            pulls = [
                pr
                for pr in pulls
                if head_owner.lower() == repo.owner.lower() and pr.head_ref == head_ref
            ]
        if base := query.get("base"):
            pulls = [pr for pr in pulls if pr.base_ref == base]
        comment_counts = _comment_counts(repo)

        def key(pr: PullRequestRecord) -> tuple[Any, int]:
            if sort == "updated":
                return pr.updated_at, pr.number
            if sort == "popularity":
                return comment_counts.get(pr.number, 0), pr.number
            return pr.created_at, pr.number

        pulls.sort(key=key, reverse=direction == "desc")
        return repo, pulls

    def update_pull(self, owner: str, name: str, number: str, body: Body, urls: Urls) -> Json:
        repo, pr = self.pull(owner, name, number)
        title = optional_str(body, "title", DOCS_PULLS)
        state = optional_str(body, "state", DOCS_PULLS)
        base = optional_str(body, "base", DOCS_PULLS)
        can_modify = optional_bool(body, "maintainer_can_modify", DOCS_PULLS)
        has_body = "body" in body
        text = optional_str(body, "body", DOCS_PULLS)
        if title is not None and not title.strip():
            raise validation_failed(
                "PullRequest", field="title", code="missing_field", documentation_url=DOCS_PULLS
            )
        if state is not None and state not in ("open", "closed"):
            raise validation_failed(
                "PullRequest",
                field="state",
                code="invalid",
                value=state,
                documentation_url=DOCS_PULLS,
            )
        if base is not None and base not in repo.branches:
            raise validation_failed(
                "PullRequest", field="base", code="invalid", documentation_url=DOCS_PULLS
            )
        if state == "open" and pr.state == "closed" and pr.head_ref not in repo.branches:
            raise validation_failed(
                "PullRequest",
                code="custom",
                message="state cannot be changed. The head branch has been deleted.",
                documentation_url=DOCS_PULLS,
            )
        when = self.now()
        changed = False
        if title is not None and title != pr.title:
            pr.title, changed = title, True
        if has_body and text != pr.body:
            pr.body, changed = text, True
        if base is not None and base != pr.base_ref:
            pr.base_ref, changed = base, True
        if can_modify is not None and can_modify != pr.maintainer_can_modify:
            pr.maintainer_can_modify, changed = can_modify, True
        if state is not None and state != pr.state:
            pr.state, changed = state, True
            pr.closed_at = when if state == "closed" else None
            if state == "open":
                pr.head_sha = repo.branches[pr.head_ref]
        if changed:
            pr.updated_at = when
            self._ledger.record(SERVICE, "updatePullRequest", f"{repo.full_name}#{pr.number}")
        return serialize.pull_request(repo, pr, urls, detailed=True)

    # --- issue comments ----------------------------------------------------------------

    def create_comment(self, owner: str, name: str, number: str, body: Body, urls: Urls) -> Json:
        repo = self.repo(owner, name)
        target = repo.numbered(int(number)) if number.isdigit() else None
        if target is None:
            raise not_found(DOCS_COMMENTS)
        text = required_str(body, "body", DOCS_COMMENTS)
        if not text.strip():
            raise validation_failed(
                "IssueComment", field="body", code="missing_field", documentation_url=DOCS_COMMENTS
            )
        comment = self.add_comment(repo, target.number, text, AGENT, self.now())
        self._ledger.record(SERVICE, "createIssueComment", f"{repo.full_name}#{target.number}")
        return serialize.comment(repo, comment, urls)

    def list_comments(
        self, owner: str, name: str, number: str, query: Mapping[str, str]
    ) -> tuple[Repository, list[CommentRecord]]:
        repo = self.repo(owner, name)
        target = repo.numbered(int(number)) if number.isdigit() else None
        if target is None:
            raise not_found(DOCS_COMMENTS)
        comments = [c for c in repo.comments.values() if c.number == target.number]
        if since_raw := query.get("since"):
            try:
                since = datetime.fromisoformat(since_raw)
            except ValueError as exc:
                raise validation_failed(
                    "IssueComment",
                    field="since",
                    code="invalid",
                    value=since_raw,
                    documentation_url=DOCS_COMMENTS,
                ) from exc
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            comments = [c for c in comments if c.updated_at >= since]
        return repo, comments

    def add_comment(
        self, repo: Repository, number: int, text: str, author: User, when: datetime
    ) -> CommentRecord:
        comment = CommentRecord(
            id=self.next_comment_id(),
            number=number,
            body=text,
            user=author,
            created_at=when,
            updated_at=when,
        )
        repo.comments[comment.id] = comment
        return comment


def _children(tree: Mapping[str, str], directory: str) -> dict[str, bool]:
    """Immediate children of ``directory`` ('' is the root): path -> is a directory."""
    prefix = f"{directory}/" if directory else ""
    children: dict[str, bool] = {}
    for path in tree:
        if path.startswith(prefix):
            head, sep, _ = path[len(prefix) :].partition("/")
            children[posixpath.join(directory, head) if directory else head] = bool(sep)
    return children


def _comment_counts(repo: Repository) -> dict[int, int]:
    counts: dict[int, int] = {}
    for comment in repo.comments.values():
        counts[comment.number] = counts.get(comment.number, 0) + 1
    return counts


def _choice(
    query: Mapping[str, str], name: str, allowed: set[str], default: str | None
) -> str | None:
    value = query.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise validation_failed("PullRequest", field=name, code="invalid", value=value)
    return value
