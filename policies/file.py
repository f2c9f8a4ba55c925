"""Loading the policy file, with errors that name the file, the line and the field.

The YAML is composed into nodes first (which carry line marks), then constructed and validated;
each pydantic error location (``("rules", 2, "level")``) is walked back through the nodes to the
line it came from, so an operator sees ``policy.yaml:14: rules[2].level: Input should be …``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policies.policy import Policy
from policies.schema import Loc, PolicyDocument

#: The shipped policy; ``ROYAL_POLICY_FILE`` points elsewhere to use an edited copy.
DEFAULT_POLICY_PATH: Final = Path(__file__).with_name("default_policy.yaml")

_MESSAGES: Final = {
    "extra_forbidden": "unknown field (not part of the policy schema; check the spelling)",
}


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem in a policy file. ``line`` is 1-based; ``path`` like ``rules[2].level``."""

    line: int | None
    path: str
    message: str

    def render(self, source: str) -> str:
        where = source if self.line is None else f"{source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PolicyFileError(ValueError):
    """The policy file cannot be used; the message lists every problem with its line and field."""

    def __init__(self, source: str, issues: Sequence[PolicyIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        super().__init__("\n".join(issue.render(source) for issue in self.issues))


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Load and validate a policy file (the shipped default when ``path`` is None)."""
    file = Path(path) if path is not None else DEFAULT_POLICY_PATH
    source = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PolicyFileError(source, [PolicyIssue(None, "", f"cannot read: {exc}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(source, [PolicyIssue(None, "", f"not UTF-8: {exc}")]) from exc
    return parse_policy(text, source=source, digest=hashlib.sha256(raw).hexdigest())


def parse_policy(text: str, *, source: str = "<string>", digest: str | None = None) -> Policy:
    """Validate policy YAML given as text; ``source`` names it in error messages."""
    root, data = _compose(text, source)
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        issues = [_issue(root, error["loc"], error["type"], error["msg"]) for error in exc.errors()]
        raise PolicyFileError(source, _sorted(issues)) from None
    problems = document.problems()
    if problems:
        issues = [_issue(root, loc, "semantic", message) for loc, message in problems]
        raise PolicyFileError(source, _sorted(issues))
    digest = digest or hashlib.sha256(text.encode()).hexdigest()
    return Policy.from_document(document, source=source, digest=digest)


def _compose(text: str, source: str) -> tuple[Node | None, Any]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        # Before construction, which flattens ``<<`` merges into the nodes in place.
        duplicates = list(_duplicate_keys(root))
        if duplicates:
            raise PolicyFileError(source, _sorted(duplicates))
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax error: {exc.problem or exc.context or 'unreadable'}"
        if exc.problem and exc.context:
            message += f" ({exc.context}"
            message += f" started on line {exc.context_mark.line + 1})" if exc.context_mark else ")"
        line = None if mark is None else mark.line + 1
        raise PolicyFileError(source, [PolicyIssue(line, "", message)]) from None
    except yaml.YAMLError as exc:
        raise PolicyFileError(source, [PolicyIssue(None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return root, data


def _duplicate_keys(root: Node | None) -> Iterator[PolicyIssue]:
    """PyYAML keeps the last of two equal keys silently; in a policy that hides a mistake."""
    seen: set[int] = set()
    stack: list[tuple[Node, Loc]] = [] if root is None else [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # aliases may share (or even cycle back to) a node
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.value == "<<":
                    continue
                line = key.start_mark.line + 1
                if key.value in first:
                    yield PolicyIssue(
                        line,
                        _render_path((*path, key.value)),
                        f"duplicate key (first on line {first[key.value]})",
                    )
                first.setdefault(key.value, line)
                stack.append((value, (*path, key.value)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))


def _issue(root: Node | None, loc: Loc, kind: str, message: str) -> PolicyIssue:
    line, depth = _locate(root, loc)
    shown = loc[: depth + 1] if kind == "missing" else loc[:depth]
    text = _MESSAGES.get(kind, message.removeprefix("Value error, "))
    # "…valid dictionary or instance of Match": the class name means nothing to the editor.
    text = text.split(" or instance of ")[0].replace("a valid tuple", "a list")
    if not loc and kind in {"model_type", "dict_type"}:
        text = "the file must be a YAML mapping with version, fx_to_eur, defaults, … and rules"
    return PolicyIssue(line, _render_path(shown), text)


def _locate(root: Node | None, loc: Loc) -> tuple[int | None, int]:
    """The line of the deepest node on ``loc`` and how many parts of ``loc`` exist in the file."""
    if root is None:
        return 1, 0
    node, line, depth = root, root.start_mark.line + 1, 0
    for part in loc:
        child: Node | None = None
        if isinstance(node, MappingNode) and isinstance(part, str):
            for key, value in node.value:  # the last equal key wins, as in construction
                if isinstance(key, ScalarNode) and key.value == part:
                    child, line = value, key.start_mark.line + 1
        elif (
            isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node, depth = child, depth + 1
    return line, depth


def _render_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _sorted(issues: list[PolicyIssue]) -> list[PolicyIssue]:
    return sorted(issues, key=lambda issue: (issue.line or 0, issue.path))
