"""What the runtime refuses, and why: errors every front end turns into its own answer.

The HTTP API maps them to status codes with a JSON ``detail`` (``server/api/errors.py``), the CLI
to one line and a non-zero exit, the console to a message on the page. The message is written
for the person who asked: it says what was refused and, where it can, what to do instead.
"""

from __future__ import annotations


class HostError(Exception):
    """A request the runtime will not carry out; ``str(error)`` says why."""


class NotFoundError(HostError):
    """What was asked for does not exist (or is not visible to the caller)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key} not found")


class ConflictError(HostError):
    """The request clashes with the current state: decided, expired, busy, gone."""


class ForbiddenError(HostError):
    """The caller is known but their role does not allow this."""


class InvalidRequestError(HostError):
    """The request itself is wrong (an edit that does not fit the action, a bad value)."""


class UnavailableError(HostError):
    """A service the request needs is not available right now; retrying later may work."""
