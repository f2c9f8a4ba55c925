"""Admins change the risk policy from the console: validated in full before anything is written,
written atomically, swapped into the running engine, and recorded in the audit log."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nodes.services import Services, policy_file
from policies.file import parse_policy
from policies.policy import Policy
from settings import Settings
from storage import ActorKind, AuditEntry


def edited_policy_path(settings: Settings) -> Path:
    """Where a saved policy goes: the file in force unless it is the shipped default, which is
    never overwritten (then ``policy.yaml`` in the data directory, which ``Services.open``
    prefers from then on)."""
    return policy_file(settings) or settings.royal_data_dir / "policy.yaml"


def current_text(services: Services) -> str:
    path = services.policy.path
    return "" if path is None else path.read_text(encoding="utf-8")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".policy-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def save_policy(services: Services, text: str, *, by: str) -> Policy:
    """Validate ``text`` (``PolicyFileError`` with every problem's line otherwise; nothing is
    written then), write it, make it the policy in force here and audit the change."""
    parse_policy(text, source="the submitted policy")
    previous = services.policy.policy.digest
    path = edited_policy_path(services.settings)
    _write_atomically(path, text)
    services.policy.path = path
    policy = services.policy.reload()
    await services.audit.append(
        AuditEntry(
            event="policy.changed",
            actor=by,
            actor_kind=ActorKind.HUMAN,
            payload={"file": str(path), "from_digest": previous, "to_digest": policy.digest},
        )
    )
    return policy
