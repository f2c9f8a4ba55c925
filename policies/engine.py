"""One loaded policy for a process: load once, classify many times, reload on demand."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from policies.action import Action
from policies.capability import can_decide
from policies.classify import Classification, classify
from policies.file import DEFAULT_POLICY_PATH, load_policy
from policies.policy import Policy
from policies.risk import Role
from policies.schema import RunLimits


class PolicyEngine:
    """Holds the current policy and the kill switch; what nodes receive through runtime context.

    ``reload()`` swaps the policy atomically: a classification in flight uses either the old or
    the new policy, never a mix, and a broken file leaves the old policy in force.
    """

    def __init__(
        self, policy: Policy, *, path: Path | None = None, kill_switch: bool = False
    ) -> None:
        self.path = path
        self.kill_switch = kill_switch
        self._policy = policy
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, *, kill_switch: bool = False
    ) -> PolicyEngine:
        """Load ``path`` (``ROYAL_POLICY_FILE``; the shipped default when None)."""
        file = Path(path) if path is not None else DEFAULT_POLICY_PATH
        return cls(load_policy(file), path=file, kill_switch=kill_switch)

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def run_limits(self) -> RunLimits:
        return self._policy.run_limits

    def reload(self) -> Policy:
        """Re-read the file; raises ``PolicyFileError`` and keeps the old policy if it is bad."""
        if self.path is None:
            raise RuntimeError("this engine holds a policy built in memory; there is no file")
        with self._lock:
            self._policy = load_policy(self.path)
            return self._policy

    def classify(self, action: Action) -> Classification:
        return classify(action, self._policy, kill_switch=self.kill_switch)

    def can_decide(self, role: Role | str, classification: Classification) -> bool:
        return can_decide(role, classification)
