"""Product files: rendered deterministically, read back with errors that name file and line.

Rendering dumps the model in its field order as YAML (multi-line text as literal blocks), so
the same product always gives the same bytes. Reading composes the YAML node tree first, to
know the line of every key and list item, then validates; each problem is reported as
``catalog/products/<handle>.yaml:<line>: <field>: <message>``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from tools.catalog.model import CatalogProduct

CATALOG_DIR = "catalog/products"
SUFFIX = ".yaml"
HEADER = (
    "# A product of the store, synced with Shopify by Royal Orchestrator (docs/sync.md).\n"
    "# Edit it in a pull request; the merge is validated, staged and applied on Shopify.\n"
)

Location = tuple[str | int, ...]


def path_for(handle: str) -> str:
    return f"{CATALOG_DIR}/{handle}{SUFFIX}"


def handle_of(path: str) -> str | None:
    """The handle a catalog path names, or None for any other file."""
    directory, name = posixpath.split(path)
    if directory != CATALOG_DIR or not name.endswith(SUFFIX):
        return None
    return name.removesuffix(SUFFIX)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {where}{self.message}"


class CatalogFormatError(ValueError):
    """A product file that does not parse or validate; ``problems`` name file and line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class _Dumper(yaml.SafeDumper):
    """Block style, literal blocks for multi-line text, and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(product: CatalogProduct) -> str:
    """The file's text; equal products give equal text."""
    data = product.model_dump(mode="json")
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return HEADER + body


def load(text: str, path: str) -> CatalogProduct:
    """Parse and validate ``text`` read from ``path``; raises ``CatalogFormatError``."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CatalogFormatError(
            [Problem(path, line, "", f"not valid YAML: {exc.problem}")]
        ) from None
    if not isinstance(data, dict) or root is None:
        raise CatalogFormatError([Problem(path, 1, "", "expected a mapping of product fields")])
    lines = dict(_lines(root, ()))
    try:
        product = CatalogProduct.model_validate(data)
    except ValidationError as exc:
        raise CatalogFormatError(
            [
                Problem(
                    path, _line_of(lines, tuple(error["loc"])), _field(error["loc"]), error["msg"]
                )
                for error in exc.errors()
            ]
        ) from None
    expected = handle_of(path)
    if expected is not None and product.handle != expected:
        raise CatalogFormatError(
            [
                Problem(
                    path,
                    _line_of(lines, ("handle",)),
                    "handle",
                    f"{product.handle!r} does not match the file name ({expected!r})",
                )
            ]
        )
    return product


def _lines(node: yaml.Node, location: Location) -> Iterator[tuple[Location, int]]:
    """Every key and item of the document with its 1-based line."""
    yield location, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*location, str(key.value))
            yield child, key.start_mark.line + 1
            yield from ((loc, line) for loc, line in _lines(value, child) if loc != child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _lines(item, (*location, index))


def _line_of(lines: dict[Location, int], location: Location) -> int:
    """The line of ``location``, or of its nearest ancestor present in the file."""
    for end in range(len(location), -1, -1):
        found = lines.get(location[:end])
        if found is not None:
            return found
    return 1


def _field(location: Sequence[int | str]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts)
