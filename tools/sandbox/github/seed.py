"""The demo repository every reset starts from, and bulk seeding for pagination tests.

Seeded facts (stable across resets, relied on by tests and docs):
- ``royal-equips/storefront`` (the ``GITHUB_REPO`` default), default branch ``main`` with
  README.md, products/aurora-desk-lamp.json, products/nordic-throw-blanket.json,
  products/ceramic-pour-over-set.json and theme/settings.json.
- Branch ``feature/summer-collection`` (adds products/linen-beach-towel.json) with open PR #1,
  two comments; branch ``fix/readme-typo`` with closed PR #2, one comment; open issue #3
  (a low-stock alert), one comment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tools.sandbox.github.service import AGENT, AGENT_ACTOR, GitHubService
from tools.sandbox.github.store import Actor, IssueRecord, PullRequestRecord, Repository, User

DEFAULT_REPO = "royal-equips/storefront"
REPO_ID = 812_000_001
OWNER_ID = 140_000_001
APPROVER = User(login="maria-approver", id=90002)
APPROVER_ACTOR = Actor(name="Maria Jansen", email="maria@royal-equips.example")
SEEDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


README = b"""# Royal Equips storefront

Theme settings and product content for the Royal Equips Shopify store.
Changes are proposed by the Royal Orchestrator agents as pull requests and
reviewed by a human approver before merge.

- `products/` - one JSON file per product (copy, pricing notes, supplier)
- `theme/settings.json` - storefront theme settings
"""

MAIN_FILES: dict[str, bytes] = {
    "README.md": README,
    "products/aurora-desk-lamp.json": _json(
        {
            "handle": "aurora-desk-lamp",
            "title": "Aurora LED Desk Lamp",
            "price": "39.95",
            "currency": "EUR",
            "supplier": "cj-dropshipping",
            "tags": ["lighting", "office"],
        }
    ),
    "products/nordic-throw-blanket.json": _json(
        {
            "handle": "nordic-throw-blanket",
            "title": "Nordic Knit Throw Blanket",
            "price": "54.00",
            "currency": "EUR",
            "supplier": "printful",
            "tags": ["home", "textiles"],
        }
    ),
    "products/ceramic-pour-over-set.json": _json(
        {
            "handle": "ceramic-pour-over-set",
            "title": "Ceramic Pour-Over Coffee Set",
            "price": "29.50",
            "currency": "EUR",
            "supplier": "cj-dropshipping",
            "tags": ["kitchen", "coffee"],
        }
    ),
    "theme/settings.json": _json(
        {
            "colors": {"primary": "#1b2a4a", "accent": "#c9a227", "background": "#ffffff"},
            "typography": {"headings": "Playfair Display", "body": "Inter"},
            "announcement_bar": "Free shipping on orders over EUR 50",
            "show_reviews": True,
        }
    ),
}

SUMMER_FILE = (
    "products/linen-beach-towel.json",
    _json(
        {
            "handle": "linen-beach-towel",
            "title": "Linen Beach Towel",
            "price": "24.90",
            "currency": "EUR",
            "supplier": "cj-dropshipping",
            "tags": ["summer", "beach"],
        }
    ),
)


def seed(service: GitHubService) -> Repository:
    """Replace all state with the demo repository."""
    service.clear()
    repo = service.add_repository(DEFAULT_REPO, REPO_ID, OWNER_ID)
    t = SEEDED_AT
    root = repo.commit(
        None, MAIN_FILES, "Initial storefront content", APPROVER_ACTOR, APPROVER_ACTOR, t
    )
    repo.branches["main"] = root.sha

    summer = repo.commit(
        root.sha,
        dict([SUMMER_FILE]),
        "Add linen beach towel",
        AGENT_ACTOR,
        AGENT_ACTOR,
        t + timedelta(days=1),
    )
    repo.branches["feature/summer-collection"] = summer.sha
    typo = repo.commit(
        root.sha,
        {"README.md": README + b"\nSee docs/CONTRIBUTING.md for the review checklist.\n"},
        "Mention the review checklist",
        AGENT_ACTOR,
        AGENT_ACTOR,
        t + timedelta(days=2),
    )
    repo.branches["fix/readme-typo"] = typo.sha

    pr1 = _pull(
        service,
        repo,
        "Add summer collection: linen beach towel",
        "Adds the Linen Beach Towel (supplier: CJ, landed cost EUR 9.80).",
        "feature/summer-collection",
        summer.sha,
        t + timedelta(days=1, hours=1),
    )
    pr2 = _pull(
        service,
        repo,
        "README: mention the review checklist",
        None,
        "fix/readme-typo",
        typo.sha,
        t + timedelta(days=2, hours=1),
    )
    pr2.state = "closed"
    pr2.closed_at = pr2.updated_at = t + timedelta(days=3)

    issue = IssueRecord(
        number=repo.next_number(),
        title="Low stock: Aurora LED Desk Lamp",
        body="Supplier stock for aurora-desk-lamp fell below 20 units.",
        user=AGENT,
        created_at=t + timedelta(days=4),
    )
    repo.issues[issue.number] = issue

    service.add_comment(
        repo,
        pr1.number,
        "Margin check: 61% at EUR 24.90. Ready for review.",
        AGENT,
        t + timedelta(days=1, hours=2),
    )
    service.add_comment(
        repo,
        pr1.number,
        "Looks good, please add the size chart first.",
        APPROVER,
        t + timedelta(days=1, hours=5),
    )
    service.add_comment(
        repo,
        pr2.number,
        "Superseded by the docs rewrite; closing.",
        APPROVER,
        t + timedelta(days=3),
    )
    service.add_comment(
        repo,
        issue.number,
        "Reorder proposed to supplier CJ (200 units).",
        AGENT,
        t + timedelta(days=4, hours=1),
    )
    return repo


def _pull(
    service: GitHubService,
    repo: Repository,
    title: str,
    body: str | None,
    head: str,
    head_sha: str,
    when: datetime,
) -> PullRequestRecord:
    pr = PullRequestRecord(
        id=service.next_pull_id(),
        number=repo.next_number(),
        title=title,
        body=body,
        head_ref=head,
        head_sha=head_sha,
        base_ref=repo.default_branch,
        user=AGENT,
        draft=False,
        maintainer_can_modify=False,
        created_at=when,
        updated_at=when,
    )
    repo.pulls[pr.number] = pr
    return pr


def add_pull_requests(
    service: GitHubService, repo: Repository, count: int, *, state: str = "open"
) -> list[int]:
    """``count`` more pull requests, each on its own one-commit branch off the default branch."""
    numbers: list[int] = []
    base_sha = repo.branches[repo.default_branch]
    when = service.now()
    for _ in range(count):
        index = len(repo.pulls) + 1
        branch = f"sandbox/bulk-{index}"
        while branch in repo.branches:
            index += 1
            branch = f"sandbox/bulk-{index}"
        commit = repo.commit(
            base_sha,
            {f"sandbox/bulk-{index}.txt": f"change {index}\n".encode()},
            f"Sandbox change {index}",
            AGENT_ACTOR,
            AGENT_ACTOR,
            when,
        )
        repo.branches[branch] = commit.sha
        pr = _pull(service, repo, f"Sandbox change {index}", None, branch, commit.sha, when)
        if state == "closed":
            pr.state, pr.closed_at = "closed", when
        numbers.append(pr.number)
    return numbers


def add_issue_comments(
    service: GitHubService, repo: Repository, number: int, count: int
) -> list[int]:
    """``count`` more comments on issue or pull request ``number``."""
    if repo.numbered(number) is None:
        raise KeyError(f"{repo.full_name} has no issue or pull request #{number}")
    when = service.now()
    existing = sum(1 for c in repo.comments.values() if c.number == number)
    return [
        service.add_comment(repo, number, f"Sandbox comment {existing + i + 1}", AGENT, when).id
        for i in range(count)
    ]
