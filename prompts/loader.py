"""Prompt templates as files, loaded by name, each with a version and a content hash.

A template is ``prompts/templates/<name>.md``: YAML front matter, then a system section and an
optional human section, each opened by a marker line::

    ---
    version: 1.0.0
    description: Turn a goal into a plan.
    input_variables: [goal, clusters]
    history: history          # optional: where earlier chat turns go
    model_role: ceo           # optional: which model role normally runs it
    ---
    <!-- system -->
    You are … {{clusters}}
    <!-- human -->
    Goal: {{goal}}

Variables are ``{{name}}``; every variable used must be declared and every declared one used,
so a typo fails at load, not in production. Run metadata records ``version+sha256[:12]`` of
each prompt (:func:`prompt_versions`), so a run can be traced to the exact text it used.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import to_jsonable_python

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^<!--\s*(system|human)\s*-->[ \t]*$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n", re.DOTALL | re.MULTILINE)

Section = Literal["system", "human"]


class PromptError(Exception):
    """Base class of prompt loading and rendering errors."""


class PromptNotFoundError(PromptError, LookupError):
    def __init__(self, name: str, available: Sequence[str]) -> None:
        self.name = name
        self.available = list(available)
        super().__init__(
            f"no prompt named {name!r}; available: {', '.join(self.available) or '(none)'}"
        )


class PromptFormatError(PromptError, ValueError):
    """A template file is malformed; the message names the file and what is wrong."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        super().__init__(f"{path}: {detail}")


class PromptVariableError(PromptError, ValueError):
    """``render`` got missing or unknown variables."""

    def __init__(self, prompt: str, missing: Sequence[str], unexpected: Sequence[str]) -> None:
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        parts = []
        if self.missing:
            parts.append(f"missing variable(s): {', '.join(self.missing)}")
        if self.unexpected:
            parts.append(f"unknown variable(s): {', '.join(self.unexpected)}")
        super().__init__(f"prompt {prompt}: {'; '.join(parts)}")


class PromptMeta(BaseModel):
    """The front matter of a template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$", description="Bump on every change.")
    description: str = Field(min_length=1)
    input_variables: list[str] = Field(default_factory=list)
    history: str | None = Field(
        default=None, description="Variable holding earlier chat turns (a messages placeholder)."
    )
    model_role: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("input_variables")
    @classmethod
    def _identifiers(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not v.isidentifier()]
        if bad:
            raise ValueError(f"not identifiers: {', '.join(bad)}")
        if len(set(value)) != len(value):
            raise ValueError("declared more than once")
        return value


@dataclass(frozen=True, slots=True)
class RenderedPrompt:
    """A prompt with its variables filled in."""

    system: str
    human: str | None

    def messages(self, history: Sequence[BaseMessage] = ()) -> list[BaseMessage]:
        """System message, then ``history`` (earlier turns), then the human message."""
        out: list[BaseMessage] = [SystemMessage(self.system), *history]
        if self.human is not None:
            out.append(HumanMessage(self.human))
        return out


@dataclass(frozen=True, slots=True)
class Prompt:
    """One loaded template."""

    name: str
    version: str
    description: str
    sha256: str
    """Of the whole file, front matter included."""
    template: str
    """The body after the front matter, section markers included."""
    input_variables: tuple[str, ...]
    history: str | None
    model_role: str | None
    system_template: str
    human_template: str | None
    path: Path

    @property
    def version_tag(self) -> str:
        """``1.0.0+3fa2b9c04e1d``: the declared version and the content hash, for run metadata."""
        return f"{self.version}+{self.sha256[:12]}"

    def render(self, **variables: object) -> RenderedPrompt:
        """Fill the variables; every declared one must be given, and nothing else.

        Values that are not text (lists, dicts, pydantic models, numbers) are written as JSON,
        so the model sees exact numbers and field names.
        """
        declared = set(self.input_variables)
        missing = sorted(declared - variables.keys())
        unexpected = sorted(variables.keys() - declared)
        if missing or unexpected:
            raise PromptVariableError(f"{self.name!r} v{self.version}", missing, unexpected)
        values = {key: format_value(value) for key, value in variables.items()}

        def fill(template: str) -> str:
            return _VARIABLE.sub(lambda m: values[m.group(1)], template)

        human = None if self.human_template is None else fill(self.human_template)
        return RenderedPrompt(system=fill(self.system_template), human=human)

    def format_messages(
        self, history: Sequence[BaseMessage] = (), /, **variables: object
    ) -> list[BaseMessage]:
        """``render(**variables).messages(history)``."""
        return self.render(**variables).messages(history)

    def as_chat_prompt(self) -> ChatPromptTemplate:
        """The same prompt as a LangChain ``ChatPromptTemplate`` (f-string variables).

        It formats values with ``str()``; pass text (or use :func:`format_value`) for output
        identical to :meth:`render`. The history variable, if any, is an optional placeholder.
        """
        parts: list[Any] = [("system", _to_fstring(self.system_template))]
        if self.history is not None:
            parts.append(MessagesPlaceholder(self.history, optional=True))
        if self.human_template is not None:
            parts.append(("human", _to_fstring(self.human_template)))
        template = ChatPromptTemplate.from_messages(parts, template_format="f-string")
        template.metadata = {"prompt_name": self.name, "prompt_version": self.version_tag}
        return template


def format_value(value: object) -> str:
    """How a variable's value is written into a prompt."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump_json(indent=2)
    return json.dumps(to_jsonable_python(value), indent=2, ensure_ascii=False)


def _to_fstring(template: str) -> str:
    pieces: list[str] = []
    last = 0
    for match in _VARIABLE.finditer(template):
        pieces.append(_escape_braces(template[last : match.start()]))
        pieces.append("{" + match.group(1) + "}")
        last = match.end()
    pieces.append(_escape_braces(template[last:]))
    return "".join(pieces)


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


# --- loading ----------------------------------------------------------------------------------


def parse_prompt(name: str, path: Path) -> Prompt:
    """Read and validate one template file."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PromptFormatError(path, f"not UTF-8 ({exc})") from exc
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise PromptFormatError(path, "must start with '---' front matter closed by '---'")
    meta = _parse_meta(path, match.group(1))
    body = text[match.end() :]
    sections = _split_sections(path, body)
    system = sections.get("system")
    if not system:
        raise PromptFormatError(path, "needs a non-empty '<!-- system -->' section")
    human = sections.get("human")
    used = {m.group(1) for t in (system, human or "") for m in _VARIABLE.finditer(t)}
    declared = set(meta.input_variables)
    if meta.history is not None and (meta.history in declared or meta.history in used):
        raise PromptFormatError(
            path, f"history variable {meta.history!r} is a placeholder, not a {{{{variable}}}}"
        )
    if used - declared:
        raise PromptFormatError(
            path, f"uses undeclared variable(s): {', '.join(sorted(used - declared))}"
        )
    if declared - used:
        raise PromptFormatError(
            path, f"declares unused variable(s): {', '.join(sorted(declared - used))}"
        )
    return Prompt(
        name=name,
        version=meta.version,
        description=meta.description,
        sha256=hashlib.sha256(raw).hexdigest(),
        template=body,
        input_variables=tuple(meta.input_variables),
        history=meta.history,
        model_role=meta.model_role,
        system_template=system,
        human_template=human,
        path=path,
    )


def _parse_meta(path: Path, front_matter: str) -> PromptMeta:
    try:
        data = yaml.safe_load(front_matter)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise PromptFormatError(path, f"front matter is not valid YAML{where}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise PromptFormatError(path, "front matter must be a mapping of fields")
    try:
        return PromptMeta.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'front matter'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PromptFormatError(path, f"front matter: {problems}") from exc


def _split_sections(path: Path, body: str) -> dict[Section, str]:
    markers = list(_SECTION.finditer(body))
    if not markers:
        raise PromptFormatError(path, "no '<!-- system -->' marker after the front matter")
    if body[: markers[0].start()].strip():
        raise PromptFormatError(path, "text before the first section marker")
    sections: dict[Section, str] = {}
    for index, marker in enumerate(markers):
        role: Section = "system" if marker.group(1) == "system" else "human"
        if role in sections:
            raise PromptFormatError(path, f"more than one '{role}' section")
        end = markers[index + 1].start() if index + 1 < len(markers) else len(body)
        sections[role] = body[marker.end() : end].strip("\n").rstrip()
    if list(sections) not in (["system"], ["system", "human"]):
        raise PromptFormatError(path, "sections must be 'system' then optionally 'human'")
    return sections


class PromptLibrary:
    """The templates in one directory, parsed once and cached (a run sees one fixed text)."""

    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._cache: dict[str, Prompt] = {}

    def names(self) -> list[str]:
        return sorted(
            p.stem for p in self.directory.glob("*.md") if p.is_file() and _NAME.match(p.stem)
        )

    def load(self, name: str) -> Prompt:
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None:
            return cached
        path = self.directory / f"{name}.md"
        if not _NAME.match(name) or not path.is_file():
            raise PromptNotFoundError(name, self.names())
        prompt = parse_prompt(name, path)
        with self._lock:
            return self._cache.setdefault(name, prompt)

    def versions(self) -> dict[str, str]:
        """``{name: "version+sha[:12]"}`` for every template, for run metadata."""
        return {name: self.load(name).version_tag for name in self.names()}

    def clear(self) -> None:
        """Forget parsed templates (after editing files in a long-lived process)."""
        with self._lock:
            self._cache.clear()


default_library = PromptLibrary()


def load_prompt(name: str) -> Prompt:
    """The template ``prompts/templates/<name>.md``; unknown names list the available ones."""
    return default_library.load(name)


def prompt_versions() -> dict[str, str]:
    return default_library.versions()


def available_prompts() -> list[str]:
    return default_library.names()
