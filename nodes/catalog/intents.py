"""Offline planning rules for the catalog cluster: the catalog and theme as code, and the
inventory guard. A goal naming the repository, a theme or stock drift outranks the product
cluster's sourcing rule (which matches any goal that says "products")."""

from __future__ import annotations

import re

from pydantic import JsonValue

from nodes.catalog.models import Operation
from nodes.ceo.intents import STRONG, Intent, IntentMatch, IntentTask

SPECIFIC = STRONG + 1
"""Stronger than a sourcing match: "sync our products to GitHub" is not a sourcing task."""

_REPOSITORY = re.compile(
    r"\b(github|git|repo|repository|version control|as code|pull request)\b", re.I
)
_CATALOG = re.compile(r"\b(catalog(ue)?|products?|listings?)\b", re.I)
_SEND = re.compile(
    r"\b(export|sync|synchroni[sz]e|push|back ?up|backup|mirror|save|put|store|commit)\b", re.I
)
_THEME = re.compile(r"\btheme\b", re.I)
_THEME_IN = re.compile(
    r"\b(import|stage|test|deploy|promote|publish|preview|release|roll ?out|apply)\b", re.I
)
_THEME_OUT = re.compile(r"\b(export|back ?up|backup|save|snapshot|archive)\b", re.I)
_STOCK = re.compile(r"\b(inventory|stock)\b", re.I)
_DRIFT = re.compile(
    r"\b(drift|check|guard|audit|compare|mismatch|low|running low|out of|badges?|levels?)\b", re.I
)
_BRANCH = re.compile(r"\b(?:(?:from\s+)?branch|from)\s+[`'\"]?([A-Za-z0-9][\w./-]*)", re.I)
"""``branch x``, ``from branch x`` or ``from x``."""
_THRESHOLD = re.compile(
    r"\b(?:below|under|fewer than|less than|at most)\s+(\d+)\s*(?:units?|items?|pieces?)?\b", re.I
)
_NOT_BRANCHES = frozenset({"the", "a", "our", "github", "git", "repository", "repo", "shopify"})


def _task(operation: Operation, title: str, instructions: str, **extra: JsonValue) -> IntentTask:
    return IntentTask(
        title=title,
        instructions=instructions,
        parameters={"operation": operation.value, **extra},
    )


def catalog_export(goal: str) -> IntentMatch | None:
    """Export the catalog to the repository as a pull request."""
    if not (_REPOSITORY.search(goal) and _CATALOG.search(goal)) or _THEME.search(goal):
        return None
    if not (_SEND.search(goal) or "version control" in goal.lower() or "as code" in goal.lower()):
        return None
    return IntentMatch(
        tasks=(
            _task(
                Operation.EXPORT,
                "Export the catalog to the repository",
                "Render every Shopify product as a catalog file and propose the changes as a "
                f"pull request ({goal})",
            ),
        ),
        strength=SPECIFIC,
        success_criteria="Every product is a file in the repository, reviewed as a pull request.",
    )


def theme(goal: str) -> IntentMatch | None:
    """Export the live theme, or import a branch to a staging theme and promote it on green."""
    if not _THEME.search(goal):
        return None
    wants_out = _THEME_OUT.search(goal) and (_REPOSITORY.search(goal) or "live" in goal.lower())
    if wants_out and not _THEME_IN.search(goal):
        return IntentMatch(
            tasks=(
                _task(
                    Operation.THEME_EXPORT,
                    "Export the live theme to the repository",
                    f"Propose the live theme's files as a pull request ({goal})",
                ),
            ),
            strength=SPECIFIC,
            success_criteria="The live theme's files are in the repository.",
        )
    if not _THEME_IN.search(goal):
        return None
    # A git branch name never ends with a dot, so one there ends the sentence.
    named = (m.rstrip(".") for m in _BRANCH.findall(goal))
    branch = next((m for m in named if m.lower() not in _NOT_BRANCHES), "main")
    return IntentMatch(
        tasks=(
            _task(
                Operation.THEME_IMPORT,
                f"Stage and check the theme on {branch}",
                f"Import theme/ from {branch} to an unpublished staging theme, check it and "
                f"promote it only if the checks pass ({goal})",
                branch=branch,
            ),
        ),
        strength=SPECIFIC,
        success_criteria="The theme passed its checks and was promoted with approval.",
    )


def inventory_check(goal: str) -> IntentMatch | None:
    """Compare stock between suppliers, Shopify and the repository."""
    if not (_STOCK.search(goal) and _DRIFT.search(goal)) and not re.search(
        r"\b(low[- ]stock|out of stock|stock drift)\b", goal, re.I
    ):
        return None
    extra: dict[str, JsonValue] = {}
    threshold = _THRESHOLD.search(goal)
    if threshold:
        extra["low_stock_threshold"] = int(threshold.group(1))
    return IntentMatch(
        tasks=(
            _task(
                Operation.INVENTORY_CHECK,
                "Check stock drift",
                "Compare supplier stock, Shopify inventory and the repository; alert on drift "
                f"and badge low stock on the staging theme ({goal})",
                **extra,
            ),
        ),
        strength=SPECIFIC,
        success_criteria="Stock drift is reported and low stock is badged on the staging theme.",
    )


INTENTS = (
    Intent(
        cluster="catalog",
        name="catalog_export",
        match=catalog_export,
        examples=("Export the catalog to GitHub",),
    ),
    Intent(
        cluster="catalog",
        name="theme",
        match=theme,
        examples=("Import the theme from branch theme/summer and promote it",),
    ),
    Intent(
        cluster="catalog",
        name="inventory_check",
        match=inventory_check,
        examples=("Check inventory drift",),
    ),
)
