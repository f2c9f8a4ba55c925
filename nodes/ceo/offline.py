"""The offline model's answers for the CEO: a plan from the goal's words, a report from facts.

Deterministic rules and templates stand in for a real model when no OPENAI_API_KEY is set;
they read only what the prompt gives a real model.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from nodes.offline_facts import json_after
from tools.llm import OfflineRequest

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "an": 1}
_PRODUCT_WORDS = re.compile(
    r"\b(products?|publish|source|sourcing|find|catalog|supplier|list(?:ing)?|sell|add)\b", re.I
)
_PRICE = re.compile(
    r"(?:under|below|less than|max(?:imum)?|up to|at most|<)\s*(?:€|eur\s*)?\s*(\d+(?:[.,]\d+)?)"
    r"\s*(?:€|eur(?:os?)?)?",
    re.I,
)
_COUNT = re.compile(
    r"\b(\d+|one|two|three|four|five|six|a|an)\s+(?:new\s+)?(?:\w+\s+)?products?\b", re.I
)
_MARGIN = re.compile(
    r"(\d+(?:\.\d+)?)\s*%\s*margin|margin\s*(?:of|at least)?\s*(\d+(?:\.\d+)?)\s*%", re.I
)
_FILLER = frozenset(
    [
        "find",
        "and",
        "publish",
        "publishing",
        "publish",
        "source",
        "new",
        "products",
        "product",
        "under",
        "below",
        "less",
        "than",
        "up",
        "to",
        "at",
        "most",
        "max",
        "maximum",
        "for",
        "me",
        "our",
        "the",
        "a",
        "an",
        "two",
        "three",
        "four",
        "five",
        "six",
        "one",
        "please",
        "store",
        "shop",
        "eur",
        "euro",
        "euros",
        "with",
        "margin",
        "of",
        "least",
        "some",
        "to",
        "in",
        "on",
        "it",
        "that",
        "this",
        "list",
        "add",
        "sell",
        "i",
        "want",
        "we",
        "need",
        "can",
        "you",
        "could",
        "would",
        "like",
        "items",
        "item",
    ]
)


def plan_responder(request: OfflineRequest) -> dict[str, Any]:
    """Goal text -> a product task with the operator's limits, or a clarifying question."""
    goal = request.last_human_text.removeprefix("Operator's goal:").strip()
    clusters = json_after(request.system_text, "capabilities each one has:") or []
    known = {c.get("id") for c in clusters if isinstance(c, dict)}
    if not _PRODUCT_WORDS.search(goal) or "product" not in known:
        return {
            "objective": goal,
            "tasks": [],
            "success_criteria": "",
            "clarifying_question": (
                "Which products should I work on? I can find, vet, price and publish products."
            ),
        }
    parameters: dict[str, Any] = {}
    count = _count(goal)
    if count:
        parameters["count"] = count
    price = _PRICE.search(goal)
    if price:
        parameters["max_price_eur"] = str(Decimal(price.group(1).replace(",", ".")))
    margin = _MARGIN.search(goal)
    if margin:
        parameters["target_margin_pct"] = margin.group(1) or margin.group(2)
    query = _query(goal)
    if query:
        parameters["query"] = query
    limits = ", ".join(f"{k}={v}" for k, v in parameters.items())
    return {
        "objective": goal,
        "tasks": [
            {
                "cluster": "product",
                "title": f"Source and publish {count or 1} product(s)",
                "instructions": f"Find, vet, price and publish products for: {goal} ({limits})",
                "parameters": parameters,
                "depends_on": [],
            }
        ],
        "success_criteria": "The products are live in the store at a healthy margin.",
        "clarifying_question": "",
    }


def _count(goal: str) -> int | None:
    match = _COUNT.search(goal)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def _query(goal: str) -> str:
    text = _PRICE.sub(" ", goal)
    text = _MARGIN.sub(" ", text)
    words = re.findall(r"[a-zA-Z][a-zA-Z-]+", text)
    kept = [w.lower() for w in words if w.lower() not in _FILLER]
    return " ".join(kept)


def summary_responder(request: OfflineRequest) -> str | None:
    """The CEO's report to the operator, from the reports and pending approvals it was given."""
    system = request.system_text
    if "The clusters have finished the work" not in system:
        return None
    reports = json_after(system, "risk level the policy engine assigned:") or []
    pending = json_after(system, "waiting for a human decision:") or []
    return render_summary(reports, pending)


def render_summary(reports: list[dict[str, Any]], pending: list[dict[str, Any]]) -> str:
    done, stopped, alerts = [], [], []
    for report in reports:
        alerts.extend(report.get("alerts", []))
        for item in report.get("items", []):
            line = f"**{item.get('title')}**"
            if item.get("price_eur"):
                line += f" at €{item['price_eur']}"
            if item.get("margin_pct"):
                line += f" (margin {item['margin_pct']}%)"
            if item.get("status") == "published":
                risk = item.get("risk_level")
                done.append(line + (f", risk {risk}" if risk else ""))
            else:
                reasons = "; ".join(item.get("reasons", [])) or item.get("status", "")
                stopped.append(f"{line}: {item.get('status')} — {reasons}")
    if done and not stopped and not pending:
        opening = "Goal met."
    elif done:
        opening = "Goal partly met."
    else:
        opening = "Goal not met yet."
    parts = [opening]
    if done:
        parts.append("**Done**\n" + "\n".join(f"- Published {line}" for line in done))
    if pending:
        parts.append(
            "**Waiting for approval**\n"
            + "\n".join(
                f"- {p.get('title')} ({p.get('risk_level')}, deadline {p.get('deadline')}): "
                f"`royal approvals approve {p.get('id')}`"
                for p in pending
            )
        )
    if stopped:
        parts.append("**Stopped or rejected**\n" + "\n".join(f"- {line}" for line in stopped))
    if alerts:
        parts.append("**Problems**\n" + "\n".join(f"- {alert}" for alert in alerts))
    if not reports:
        parts.append("No cluster work was needed for this message.")
    return "\n\n".join(parts)
