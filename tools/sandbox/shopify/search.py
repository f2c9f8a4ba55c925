"""Shopify's search syntax for the ``query`` argument of connections.

Supports ``field:value`` terms with comparators (``created_at:>=2026-01-01``), quoted values,
trailing ``*`` prefix wildcards, comma lists (``status:active,draft``), plain words, implicit AND,
``OR``, ``NOT`` / ``-`` negation and parentheses. Each resource declares its filterable fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Generic, TypeAlias, TypeVar

T = TypeVar("T")


class Kind(Enum):
    TEXT = "text"  # case-insensitive substring
    EXACT = "exact"  # case-insensitive equality (or prefix with ``*``), comma lists allowed
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class FieldSpec(Generic[T]):
    kind: Kind
    values: Callable[[T], Iterable[Any]]


@dataclass(frozen=True)
class Term:
    field: str | None
    comparator: str
    value: str


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class All:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple[Node, ...]


Node: TypeAlias = Term | Not | All | AnyOf

_COMPARATORS = (">=", "<=", ">", "<", "=")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Node:
        # Anything after a stray ')' is ignored, as Shopify's lenient parser does.
        return self._or()

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _peek_word(self) -> str:
        self._skip_space()
        end = self.pos
        while end < len(self.text) and not self.text[end].isspace() and self.text[end] not in "()":
            end += 1
        return self.text[self.pos : end]

    def _or(self) -> Node:
        nodes = [self._and()]
        while self._peek_word() == "OR":
            self.pos += 2
            nodes.append(self._and())
        return nodes[0] if len(nodes) == 1 else AnyOf(tuple(nodes))

    def _and(self) -> Node:
        nodes: list[Node] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] == ")":
                break
            word = self._peek_word()
            if word == "OR":
                break
            if word == "AND":
                self.pos += 3
                continue
            nodes.append(self._unary())
        return nodes[0] if len(nodes) == 1 else All(tuple(nodes))

    def _unary(self) -> Node:
        self._skip_space()
        if self.pos >= len(self.text):
            return Term(None, ":", "")
        if self._peek_word() == "NOT":
            self.pos += 3
            return Not(self._unary())
        char = self.text[self.pos]
        if char == "-" and self.pos + 1 < len(self.text) and not self.text[self.pos + 1].isspace():
            self.pos += 1
            return Not(self._unary())
        if char == "(":
            self.pos += 1
            node = self._or()
            self._skip_space()
            if self.pos < len(self.text) and self.text[self.pos] == ")":
                self.pos += 1
            return node
        return self._term()

    def _quoted(self) -> str:
        quote = self.text[self.pos]
        end = self.text.find(quote, self.pos + 1)
        if end < 0:
            end = len(self.text)
        value = self.text[self.pos + 1 : end]
        self.pos = min(end + 1, len(self.text))
        return value

    def _bare(self) -> str:
        start = self.pos
        while (
            self.pos < len(self.text)
            and not self.text[self.pos].isspace()
            and self.text[self.pos] not in "()"
        ):
            self.pos += 1
        return self.text[start : self.pos]

    def _term(self) -> Term:
        if self.text[self.pos] in "\"'":
            return Term(None, ":", self._quoted())
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in "_."
        ):
            self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] == ":" and self.pos > start:
            name = self.text[start : self.pos].lower()
            self.pos += 1
            comparator = ":"
            for candidate in _COMPARATORS:
                if self.text.startswith(candidate, self.pos):
                    comparator = candidate
                    self.pos += len(candidate)
                    break
            if self.pos < len(self.text) and self.text[self.pos] in "\"'":
                value = self._quoted()
            else:
                value = self._bare()
            return Term(name, comparator, value)
        self.pos = start
        return Term(None, ":", self._bare())


def parse_query(text: str) -> Node | None:
    """The search expression in ``text``; ``None`` for an empty query."""
    if not text or not text.strip():
        return None
    return _Parser(text.strip()).parse()


def _parse_date(value: str) -> tuple[datetime, datetime] | None:
    """A value as a [start, end) UTC interval: a whole day for dates, an instant otherwise."""
    text = value.strip()
    lowered = text.lower()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if lowered in ("today", "yesterday"):
        start = today - timedelta(days=1 if lowered == "yesterday" else 0)
        return start, start + timedelta(days=1)
    if lowered == "now":
        now = datetime.now(UTC)
        return now, now
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start, start + timedelta(days=1)
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant, instant


def _compare(kind: Kind, comparator: str, actual: Any, wanted: str) -> bool:
    if kind is Kind.DATE:
        interval = _parse_date(wanted)
        if interval is None or not isinstance(actual, datetime):
            return False
        start, end = interval
        if comparator in (":", "="):
            return start <= actual < end if end > start else actual == start
        if comparator == ">":
            return actual >= end if end > start else actual > start
        if comparator == ">=":
            return actual >= start
        if comparator == "<":
            return actual < start
        return actual < end if end > start else actual <= start
    if kind is Kind.NUMBER:
        try:
            number = Decimal(wanted)
        except InvalidOperation:
            return False
        value = Decimal(actual)
        return {
            ":": value == number,
            "=": value == number,
            ">": value > number,
            ">=": value >= number,
            "<": value < number,
            "<=": value <= number,
        }[comparator]
    text = str(actual).casefold()
    needle = wanted.casefold()
    if kind is Kind.TEXT:
        return needle.rstrip("*") in text
    if needle.endswith("*"):
        return text.startswith(needle[:-1])
    return text == needle


def _matches_term(
    term: Term, record: T, fields: Mapping[str, FieldSpec[T]], default: Iterable[str]
) -> bool:
    if term.field is None or term.field not in fields:
        needle = term.value if term.field is None else f"{term.field}:{term.value}"
        return any(
            _compare(Kind.TEXT, ":", actual, needle)
            for name in default
            for actual in fields[name].values(record)
        )
    spec = fields[term.field]
    wanted_values = [term.value]
    if spec.kind is Kind.EXACT and term.comparator == ":" and "," in term.value:
        wanted_values = [v for v in term.value.split(",") if v]
    actual_values = list(spec.values(record))
    return any(
        _compare(spec.kind, term.comparator, actual, wanted)
        for actual in actual_values
        for wanted in wanted_values
    )


def matches(
    node: Node, record: T, fields: Mapping[str, FieldSpec[T]], default: Iterable[str]
) -> bool:
    """Whether ``record`` satisfies the search expression ``node``."""
    if isinstance(node, Term):
        return _matches_term(node, record, fields, tuple(default))
    if isinstance(node, Not):
        return not matches(node.node, record, fields, default)
    if isinstance(node, All):
        return all(matches(n, record, fields, default) for n in node.nodes)
    return any(matches(n, record, fields, default) for n in node.nodes)


def search(
    records: Iterable[T], query: str | None, fields: Mapping[str, FieldSpec[T]], default: list[str]
) -> list[T]:
    """The records matching ``query`` (all of them for an empty query)."""
    node = parse_query(query or "")
    if node is None:
        return list(records)
    return [r for r in records if matches(node, r, fields, default)]
