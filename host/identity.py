"""Who acts: the principal behind a request, a CLI command or the system's own sweeps.

Every front end authenticates in its own way (API keys and tokens, console sessions, the local
user of the CLI) and hands the runtime a ``Principal``; the identity recorded on a decision is
always the principal's, never a field of the request.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.risk import Role

AuthMethod = Literal["api_key", "jwt", "session", "dev_open", "system", "cli"]


class Principal(BaseModel):
    """An authenticated caller: the identity recorded on what they do, and their role."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=255)
    role: Role
    method: AuthMethod

    def has(self, role: Role) -> bool:
        return self.role >= role


ANONYMOUS = Principal(subject="dev:anonymous", role=Role.ADMIN, method="dev_open")
SYSTEM = Principal(subject="system", role=Role.ADMIN, method="system")

#: Identities the server records for its own actors: no token may claim them.
RESERVED_SUBJECTS = ("system", "unknown", "key:", "dev:", "cli:")


def reserved(subject: str) -> bool:
    return subject in RESERVED_SUBJECTS or subject.startswith(RESERVED_SUBJECTS[2:])


def local_principal() -> Principal:
    """The user of this shell: local access to the CLI (and its database) is the
    authentication, as it is for any tool that can open the database itself."""
    return Principal(subject=f"cli:{getpass.getuser()}", role=Role.ADMIN, method="cli")


_current: ContextVar[Principal | None] = ContextVar("royal_principal", default=None)


def current_principal() -> Principal | None:
    """The principal of the work being done (set by the front end that started it)."""
    return _current.get()


def set_principal(principal: Principal) -> None:
    """Make ``principal`` current for the rest of this task (an HTTP request's handler)."""
    _current.set(principal)


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Run a block of work as ``principal`` (the sweeper, a CLI command)."""
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)
