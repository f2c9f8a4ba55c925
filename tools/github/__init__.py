"""Typed async GitHub REST client: branches, files, pull requests and issue comments."""

from tools.github.client import GitHubClient
from tools.github.config import SANDBOX_TOKEN, GitHubConfig
from tools.github.errors import (
    GitHubAuthenticationError,
    GitHubConflictError,
    GitHubError,
    GitHubErrorDetail,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubReferenceExistsError,
    GitHubServerError,
    GitHubValidationError,
)
from tools.github.models import (
    CommitAuthor,
    FileCommit,
    FileContents,
    GitRef,
    IssueComment,
    NewIssueComment,
    NewPullRequest,
    PullRequest,
    PullRequestUpdate,
)
from tools.github.ratelimit import RateLimit

__all__ = [
    "SANDBOX_TOKEN",
    "CommitAuthor",
    "FileCommit",
    "FileContents",
    "GitHubAuthenticationError",
    "GitHubClient",
    "GitHubConfig",
    "GitHubConflictError",
    "GitHubError",
    "GitHubErrorDetail",
    "GitHubNotFoundError",
    "GitHubPermissionError",
    "GitHubRateLimitError",
    "GitHubReferenceExistsError",
    "GitHubServerError",
    "GitHubValidationError",
    "GitRef",
    "IssueComment",
    "NewIssueComment",
    "NewPullRequest",
    "PullRequest",
    "PullRequestUpdate",
    "RateLimit",
]
