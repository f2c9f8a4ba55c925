"""The offline model's generic answer: a valid instance of any JSON schema, built by rules.

Used only when no responder is registered for a schema. It is deterministic — the same schema
and conversation always give the same instance — and visibly generic: every generated string
starts with ``[offline]``. Values, in order of preference: ``const``, the field's default, the
first enum member, numbers found in the conversation's last human message (in order, when they
fit the field's bounds), then the smallest value the constraints allow.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import operator
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

#: Prefix of every string the generic filler writes.
GENERIC_MARK: Final = "[offline]"

_MAX_DEPTH: Final = 8
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SNIPPET_CHARS: Final = 120

_FORMAT_VALUES: Final[dict[str, str]] = {
    "date": "2000-01-01",
    "date-time": "2000-01-01T00:00:00Z",
    "time": "00:00:00",
    "duration": "PT0S",
    "email": "offline@example.com",
    "uri": "https://example.com/offline",
    "url": "https://example.com/offline",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
}


class SchemaFillError(ValueError):
    """The schema has a constraint the generic filler cannot satisfy."""


def fill_schema(schema: Mapping[str, Any], *, context: str, name: str = "") -> Any:
    """A deterministic instance of ``schema``, with text drawn from ``context``."""
    return _Filler(schema, context, name).fill(schema, path=name or "$", label=name, depth=0)


class _Filler:
    def __init__(self, root: Mapping[str, Any], context: str, name: str) -> None:
        self.root = root
        self.name = name
        snippet = " ".join(context.split())
        if len(snippet) > _SNIPPET_CHARS:
            snippet = snippet[: _SNIPPET_CHARS - 1].rstrip() + "…"
        self.snippet = snippet or "no input"
        self.numbers = [Decimal(m.replace(",", "")) for m in _NUMBER.findall(context)]
        self.next_number = 0
        self.seed = hashlib.sha256(f"{name}\n{context}".encode()).hexdigest()

    # -- dispatch -------------------------------------------------------------------------

    def fill(self, schema: Mapping[str, Any], *, path: str, label: str, depth: int) -> Any:
        schema = self.resolve(schema, path)
        if depth > _MAX_DEPTH:
            return self.shallow(schema, path)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "default" in schema:
            return copy.deepcopy(schema["default"])
        if schema.get("enum"):
            return copy.deepcopy(schema["enum"][0])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.first_branch(schema[key], path=path, label=label, depth=depth)
        if "allOf" in schema:
            return self.fill(self.merge(schema["allOf"], path), path=path, label=label, depth=depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"] or ["null"]
            kind = kinds[0]
        title = str(schema.get("title") or label)
        if kind == "object" or (kind is None and "properties" in schema):
            return self.object(schema, path=path, depth=depth)
        if kind == "array":
            return self.array(schema, path=path, label=title, depth=depth)
        if kind in {"integer", "number"}:
            return self.number(schema, path=path, integer=kind == "integer")
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return self.string(schema, path=path, label=title, variant=0)

    def resolve(self, schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
        seen: set[str] = set()
        while "$ref" in schema:
            ref = str(schema["$ref"])
            if ref in seen or not ref.startswith("#"):
                raise SchemaFillError(f"{path}: cannot resolve $ref {ref!r}")
            seen.add(ref)
            target: Any = self.root
            for part in ref.lstrip("#/").split("/") if ref != "#" else []:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings}
        return schema

    def merge(self, parts: list[Mapping[str, Any]], path: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for part in parts:
            part = self.resolve(part, path)
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                else:
                    merged[key] = value
        return merged

    def first_branch(
        self, branches: list[Mapping[str, Any]], *, path: str, label: str, depth: int
    ) -> Any:
        nullable = False
        errors: list[str] = []
        for branch in branches:
            resolved = self.resolve(branch, path)
            if resolved.get("type") == "null":
                nullable = True
                continue
            cursor = self.next_number
            try:
                return self.fill(resolved, path=path, label=label, depth=depth + 1)
            except SchemaFillError as exc:
                self.next_number = cursor
                errors.append(str(exc))
        if nullable:
            return None
        raise SchemaFillError("; ".join(errors) or f"{path}: no usable branch")

    def shallow(self, schema: Mapping[str, Any], path: str) -> Any:
        """Past the depth limit (recursive schemas): the emptiest value that is still valid."""
        if schema.get("type") == "array" and not schema.get("minItems"):
            return []
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        if schema.get("type") == "null" or any(b.get("type") == "null" for b in branches):
            return None
        raise SchemaFillError(f"{path}: schema recurses deeper than {_MAX_DEPTH} levels")

    # -- kinds ----------------------------------------------------------------------------

    def object(self, schema: Mapping[str, Any], *, path: str, depth: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        result: dict[str, Any] = {}
        for key, sub in properties.items():
            sub = self.resolve(sub, f"{path}.{key}")
            if key in required:
                result[key] = self.fill(sub, path=f"{path}.{key}", label=key, depth=depth + 1)
            elif "default" in sub:
                result[key] = copy.deepcopy(sub["default"])
        return result

    def array(self, schema: Mapping[str, Any], *, path: str, label: str, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        count = max(low, 1) if high is None else min(max(low, 1), int(high))
        prefix: list[Mapping[str, Any]] = list(schema.get("prefixItems") or [])
        items: Mapping[str, Any] = schema.get("items") or {}
        values: list[Any] = []
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else items
            sub = self.resolve(sub, f"{path}[{index}]")
            if _is_plain_string(sub):
                value: Any = self.string(sub, path=f"{path}[{index}]", label=label, variant=index)
            else:
                value = self.fill(sub, path=f"{path}[{index}]", label=label, depth=depth + 1)
            if schema.get("uniqueItems") and value in values:
                if len(values) >= low:
                    break
                raise SchemaFillError(f"{path}: cannot make {low} unique items")
            values.append(value)
        return values

    def number(self, schema: Mapping[str, Any], *, path: str, integer: bool) -> int | float:
        candidates = self.numbers[self.next_number :] + self.numbers[: self.next_number]
        for position, candidate in enumerate(candidates):
            if _fits_number(candidate, schema, integer):
                self.next_number = (self.next_number + position + 1) % max(len(self.numbers), 1)
                return _json_number(candidate)
        for candidate in _bound_candidates(schema, integer):
            if _fits_number(candidate, schema, integer):
                return _json_number(candidate)
        raise SchemaFillError(f"{path}: no {'integer' if integer else 'number'} fits {schema}")

    def string(self, schema: Mapping[str, Any], *, path: str, label: str, variant: int) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.UUID(hashlib.sha256(f"{self.seed}{path}".encode()).hexdigest()[:32]))
        if isinstance(fmt, str) and fmt in _FORMAT_VALUES:
            return _FORMAT_VALUES[fmt]
        suffix = f" #{variant + 1}" if variant else ""
        field = label.replace("_", " ").strip() or self.name or "value"
        candidates = [
            f"{GENERIC_MARK} {field}: {self.snippet}{suffix}",
            f"{GENERIC_MARK} {field}{suffix}",
            f"{self.snippet}{suffix}",
            field,
        ]
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        pattern = schema.get("pattern")
        for text in candidates:
            if len(text) < low:
                text = (text + " ") * (low // max(len(text) + 1, 1) + 1)
            if high is not None:
                text = text[: int(high)].rstrip() if len(text) > int(high) else text
            if len(text) < low:
                text = text.ljust(low, ".")
            if pattern is None or re.search(str(pattern), text):
                return text
        raise SchemaFillError(
            f"{path}: cannot generate a string matching pattern {pattern!r}; "
            "register an offline responder for this schema"
        )


_BOUND_CHECKS: Final[dict[str, Callable[[Decimal, Decimal], bool]]] = {
    "minimum": operator.ge,
    "maximum": operator.le,
    "exclusiveMinimum": operator.gt,
    "exclusiveMaximum": operator.lt,
}


def _bound(schema: Mapping[str, Any], key: str) -> Decimal | None:
    value = schema.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return None


def _is_plain_string(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and not ({"const", "default", "enum"} & schema.keys())


def _fits_number(value: Decimal, schema: Mapping[str, Any], integer: bool) -> bool:
    if integer and value != value.to_integral_value():
        return False
    for key, ok in _BOUND_CHECKS.items():
        bound = _bound(schema, key)
        if bound is not None and not ok(value, bound):
            return False
    step = schema.get("multipleOf")
    return not (isinstance(step, int | float) and step and value % Decimal(str(step)) != 0)


def _bound_candidates(schema: Mapping[str, Any], integer: bool) -> list[Decimal]:
    """Zero, then each bound moved just inside itself (onto the ``multipleOf`` grid if any)."""
    declared = _bound(schema, "multipleOf")
    step = declared or (Decimal(1) if integer else None)
    nudge = step or Decimal("0.01")
    out = [Decimal(0)]
    for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        exact = _bound(schema, key)
        if exact is None:
            continue
        if key in {"minimum", "exclusiveMinimum"}:
            value = exact if step is None else _ceil_to(exact, step)
            if key == "exclusiveMinimum" and value == exact:
                value += nudge
        else:
            value = exact if step is None else _floor_to(exact, step)
            if key == "exclusiveMaximum" and value == exact:
                value -= nudge
        out.append(value)
    return out


def _ceil_to(value: Decimal, step: Decimal) -> Decimal:
    return Decimal(math.ceil(value / step)) * step


def _floor_to(value: Decimal, step: Decimal) -> Decimal:
    return Decimal(math.floor(value / step)) * step


def _json_number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def schema_fingerprint(schema: Mapping[str, Any]) -> str:
    """Stable short hash of a schema (for deterministic ids)."""
    return hashlib.sha256(json.dumps(schema, sort_keys=True, default=str).encode()).hexdigest()
