"""The effective configuration as rows: what the CLI prints and the README's table shows."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr

from settings import Settings


class ConfigRow(BaseModel):
    variable: str
    value: str
    default: str
    secret: bool
    description: str


def _render(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return "(set)"
    return str(value)


def configuration_rows(settings: Settings) -> list[ConfigRow]:
    """One row per environment variable; secret values are only ever shown as "(set)"."""
    rows: list[ConfigRow] = []
    for name, field in Settings.model_fields.items():
        is_secret = "SecretStr" in str(field.annotation)
        default = field.get_default(call_default_factory=True)
        rows.append(
            ConfigRow(
                variable=name.upper(),
                value=_render(getattr(settings, name)),
                default="(unset)" if default is None else _render(default),
                secret=is_secret,
                description=field.description or "",
            )
        )
    return rows


def markdown_table() -> str:
    """The README's configuration table, generated from the settings model."""
    lines = ["| Variable | Default | Secret | Meaning |", "| --- | --- | --- | --- |"]
    for row in configuration_rows(Settings.model_construct()):
        secret = "yes" if row.secret else ""
        lines.append(f"| `{row.variable}` | `{row.default}` | {secret} | {row.description} |")
    return "\n".join(lines)


def rewrite_readme(path: Path) -> None:
    """Replace the table between the README's config-table markers with a fresh one."""
    text = path.read_text()
    start = text.index(_TABLE_START)
    start = text.index("\n", start) + 1
    end = text.index(_TABLE_END)
    path.write_text(text[:start] + markdown_table() + "\n" + text[end:])


_TABLE_START = "<!-- config-table:start"
_TABLE_END = "<!-- config-table:end -->"

if __name__ == "__main__":
    rewrite_readme(Path(__file__).resolve().parents[1] / "README.md")
