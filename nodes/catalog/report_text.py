"""Readable descriptions of field changes, for pull requests, reports and approvals."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import JsonValue

from tools.catalog.merge import FieldChange

_SHOWN = 3
_TEXT_LIMIT = 60


def value_text(value: JsonValue) -> str:
    if value is None:
        return "—"
    text = str(value) if not isinstance(value, str) else value
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def change_lines(changes: Sequence[FieldChange], *, added: bool = False) -> str:
    """``title: A → B; variants[X].price: 10.00 → 11.00`` (the first few, then a count)."""
    if added:
        return "new file"
    shown = [f"{c.field}: {value_text(c.before)} → {value_text(c.after)}" for c in changes[:_SHOWN]]
    more = len(changes) - _SHOWN
    return "; ".join(shown) + (f"; and {more} more field(s)" if more > 0 else "")
