"""Rendering console pages: one Jinja2 environment (autoescaped), filters, the shared context."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from server.console.security import ConsoleUser

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

#: Pages load only this origin's script and styles, cannot be framed, and are not cached.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    """CommonMark (with tables) as HTML; raw HTML in the text is escaped, not passed through."""
    html: str = _markdown.render(text)
    return html


def title_of(payload: object) -> str | None:
    """What an audit entry's action is about: its title, or its arguments' title."""
    if not isinstance(payload, dict):
        return None
    args = payload.get("args")
    found = payload.get("title") or (args.get("title") if isinstance(args, dict) else None)
    return str(found) if found else None


def _when(value: datetime | str | None) -> str:
    """Every time on every page in one zone, UTC, and saying so (the scripts write the same)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.isoformat()


def _money(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"€{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


_PERIODS = {"day": "per day", "week": "per week", "month": "per month", "year": "per year"}


def _per(period: object) -> str:
    """What an estimate is per: "per month", "once", or that the agent did not say."""
    if period == "once":
        return "once"
    return _PERIODS.get(str(period), "(period not stated)")


def _percent(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{float(str(value)) * 100:.0f}%"
    except ValueError:
        return str(value)


def _risk(value: object) -> str:
    return str(value or "").lower() or "none"


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    when=_when,
    iso=_iso,
    money=_money,
    percent=_percent,
    per=_per,
    risk=_risk,
    pretty=_pretty,
    title_of=title_of,
    markdown=lambda text: Markup(markdown_html(str(text))),  # raw HTML in the text is escaped
)


def render(
    request: Request,
    template: str,
    user: ConsoleUser | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page, with what the layout needs (the user, their CSRF token, the current path)."""
    page = environment.get_template(template).render(
        request=request, user=user, path=request.url.path, **context
    )
    return HTMLResponse(page, status_code=status_code, headers=PAGE_HEADERS)
