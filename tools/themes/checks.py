"""What a theme must pass before it may be promoted: every Liquid file parses, every JSON file
is JSON, and the templates a storefront cannot do without are present."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from tools.themes.liquid import syntax_error

THEME_DIR = "theme"
REQUIRED = (
    ("layout/theme.liquid",),
    ("templates/index.json", "templates/index.liquid"),
    ("templates/product.json", "templates/product.liquid"),
    ("templates/collection.json", "templates/collection.liquid"),
    ("config/settings_schema.json",),
)


class ThemeCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    detail: str = ""


def check_theme(files: Mapping[str, str]) -> list[ThemeCheck]:
    """Checks over theme files keyed by their theme path (``layout/theme.liquid``)."""
    checks: list[ThemeCheck] = []
    for path, content in sorted(files.items()):
        if path.endswith(".liquid"):
            error = syntax_error(content)
            checks.append(
                ThemeCheck(name=f"liquid {path}", passed=error is None, detail=error or "parses")
            )
        elif path.endswith(".json"):
            try:
                json.loads(content)
            except ValueError as exc:
                checks.append(ThemeCheck(name=f"json {path}", passed=False, detail=str(exc)))
    for options in REQUIRED:
        present = next((p for p in options if p in files), None)
        checks.append(
            ThemeCheck(
                name=f"required {options[0].rsplit('.', 1)[0]}",
                passed=present is not None,
                detail=present or f"missing: one of {', '.join(options)}",
            )
        )
    return checks


def theme_files(repo_files: Mapping[str, str]) -> dict[str, str]:
    """Repository files under ``theme/`` keyed by their theme path."""
    prefix = f"{THEME_DIR}/"
    return {
        path.removeprefix(prefix): text
        for path, text in repo_files.items()
        if path.startswith(prefix)
    }
