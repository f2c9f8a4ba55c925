"""Emulator of the GitHub REST subset the agents use (refs, contents, pulls, issue comments)."""

from tools.sandbox.github.emulator import GitHubEmulator
from tools.sandbox.github.seed import DEFAULT_REPO

__all__ = ["DEFAULT_REPO", "GitHubEmulator"]
