"""The modify form, generated from the action's JSON schema (the interrupt's ``args_schema``):
one input per argument with the schema's constraints as HTML attributes (checked in the
browser), and the posted text turned back into typed arguments (checked again on the server by
``host.approval_rules.edit_errors`` before anything resumes)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import JsonValue

FieldKind = Literal["text", "textarea", "number", "decimal", "checkbox", "json"]
ARG_PREFIX = "arg."


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    value: str
    checked: bool
    required: bool
    nullable: bool
    description: str | None
    max_length: int | None
    min_length: int | None
    pattern: str | None
    minimum: float | None
    exclusive_minimum: float | None
    maximum: float | None

    @property
    def input_name(self) -> str:
        return ARG_PREFIX + self.name


def _types(schema: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found.update(str(t) for t in declared)
    for option in schema.get("anyOf", []) or []:
        if isinstance(option, Mapping):
            found |= _types(option)
    return found or {"string"}


def _bound(schema: Mapping[str, Any], key: str) -> Any:
    if key in schema:
        return schema[key]
    for option in schema.get("anyOf", []) or []:
        if isinstance(option, Mapping) and key in option:
            return option[key]
    return None


def _kind(name: str, schema: Mapping[str, Any], types: set[str]) -> FieldKind:
    plain = types - {"null"}
    if plain & {"array", "object"}:
        return "json"  # lists and objects (a product's variants) are edited as JSON text
    if plain == {"boolean"}:
        return "checkbox"
    if plain <= {"number", "integer"}:
        return "number"
    if {"number", "integer"} & plain:
        return "decimal"
    limit = _bound(schema, "maxLength")
    if name.endswith("_html") or (isinstance(limit, int) and limit > 255):
        return "textarea"
    return "text"


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2 if isinstance(value, (list, dict)) else None)


def fields_for(schema: Mapping[str, Any] | None, args: Mapping[str, Any]) -> list[FormField]:
    """One field per argument the schema declares (or per argument, as text, without one)."""
    properties: Mapping[str, Any] = (schema or {}).get("properties") or {
        name: {"type": "string"} for name in args
    }
    required = set((schema or {}).get("required") or [])
    fields = []
    for name, spec in properties.items():
        spec = spec if isinstance(spec, Mapping) else {}
        types = _types(spec)
        value = args.get(name)
        fields.append(
            FormField(
                name=name,
                label=str(spec.get("title") or name.replace("_", " ").capitalize()),
                kind=_kind(name, spec, types),
                value=_shown(value),
                checked=value is True,
                required=name in required,
                nullable="null" in types,
                description=spec.get("description"),
                max_length=_bound(spec, "maxLength"),
                min_length=_bound(spec, "minLength"),
                pattern=_bound(spec, "pattern"),
                minimum=_bound(spec, "minimum"),
                exclusive_minimum=_bound(spec, "exclusiveMinimum"),
                maximum=_bound(spec, "maximum"),
            )
        )
    return fields


def _typed(field: FormField, text: str | None) -> JsonValue:
    if field.kind == "checkbox":
        return text is not None
    text = (text or "").strip() if field.kind in ("number", "decimal") else (text or "")
    if text == "" and field.nullable:
        return None
    if field.kind in ("number", "json"):
        try:
            number: JsonValue = json.loads(text)
        except ValueError:
            return text  # the schema check reports it
        return number
    return text


def changed_args(
    schema: Mapping[str, Any] | None, args: Mapping[str, Any], form: Mapping[str, str]
) -> dict[str, JsonValue]:
    """The arguments the approver changed (typed), from the posted ``arg.*`` fields."""
    changed: dict[str, JsonValue] = {}
    for field in fields_for(schema, args):
        if field.kind != "checkbox" and field.input_name not in form:
            continue
        value = _typed(field, form.get(field.input_name))
        original = args.get(field.name)
        same_text = isinstance(value, str) and original is not None and value == _shown(original)
        if value != original and not (field.kind == "decimal" and same_text):
            changed[field.name] = value
    return changed
