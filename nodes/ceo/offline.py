"""The offline model's answers for the CEO: a plan from the goal's words, a report from facts.

Deterministic rules and templates stand in for a real model when no OPENAI_API_KEY is set;
they read only what the prompt gives a real model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from nodes.ceo.intents import Intent, plan_from_intents
from nodes.clusters import ItemOutcome, ServiceFailure
from nodes.offline_facts import json_after
from tools.llm import OfflineRequest

#: Cluster statuses that mean an item is done / waits, when a report item names no outcome.
_DONE_STATUSES = frozenset({"published", "executed", "done"})
_WAITING_STATUSES = frozenset({"waiting_for_approval", "pending"})


def make_plan_responder(intents: Sequence[Intent]) -> Callable[[OfflineRequest], dict[str, Any]]:
    """The ``Plan`` responder over the clusters' offline rules."""

    def plan_responder(request: OfflineRequest) -> dict[str, Any]:
        goal = request.last_human_text.removeprefix("Operator's goal:").strip()
        clusters = json_after(request.system_text, "capabilities each one has:") or []
        known = {str(c.get("id")) for c in clusters if isinstance(c, dict)}
        return plan_from_intents(goal, intents, known)

    return plan_responder


def summary_responder(request: OfflineRequest) -> str | None:
    """The CEO's report to the operator, from the reports and pending approvals it was given."""
    system = request.system_text
    if "The clusters have finished the work" not in system:
        return None
    reports = json_after(system, "risk level the policy engine assigned:") or []
    pending = json_after(system, "waiting for a human decision:") or []
    return render_summary(reports, pending)


def outcome_of(item: dict[str, Any]) -> ItemOutcome:
    if item.get("outcome") in ItemOutcome.__members__.values():
        return ItemOutcome(item["outcome"])
    status = str(item.get("status", ""))
    if status in _DONE_STATUSES:
        return ItemOutcome.DONE
    if status in _WAITING_STATUSES:
        return ItemOutcome.WAITING
    return ItemOutcome.FAILED if status == "failed" else ItemOutcome.STOPPED


def _item_line(item: dict[str, Any]) -> str:
    line = f"**{item.get('title')}**"
    if item.get("price_eur"):
        line += f" at €{item['price_eur']}"
    if item.get("margin_pct"):
        line += f" (margin {item['margin_pct']}%)"
    if item.get("detail"):
        line += f": {item['detail']}"
    return line


def render_summary(reports: list[dict[str, Any]], pending: list[dict[str, Any]]) -> str:
    """Per task: what was done, what waits, what stopped, and why anything failed."""
    done: list[str] = []
    stopped: list[str] = []
    problems: list[str] = []
    several = len(reports) > 1
    for report in reports:
        prefix = f"[{report.get('task')}] " if several else ""
        for failure in report.get("failures", []):
            problems.append(prefix + _failure_sentence(failure))
        problems.extend(prefix + str(alert) for alert in report.get("alerts", []))
        items = report.get("items", [])
        for item in items:
            outcome = outcome_of(item)
            status = str(item.get("status", ""))
            if outcome is ItemOutcome.DONE:
                risk = item.get("risk_level")
                done.append(
                    f"{prefix}{status.replace('_', ' ').capitalize()} {_item_line(item)}"
                    + (f", risk {risk}" if risk else "")
                )
            elif outcome is not ItemOutcome.WAITING:
                reasons = "; ".join(item.get("reasons", [])) or status
                stopped.append(f"{prefix}{_item_line(item)}: {status} — {reasons}")
        if not items and report.get("status") != "done":
            stopped.append(f"{prefix}{report.get('summary')}")
        elif not items:
            done.append(f"{prefix}{report.get('summary')}")
    failed = any(report.get("failures") for report in reports)
    if done and not stopped and not pending and not failed:
        opening = "Goal met."
    elif done:
        opening = "Goal partly met."
    elif failed:
        opening = "Goal not met: a service the work depends on failed (see Problems)."
    elif pending:
        opening = "Goal not met yet: it waits for an approver."
    else:
        opening = "Goal not met yet."
    parts = [opening]
    if done:
        parts.append("**Done**\n" + "\n".join(f"- {line}" for line in done))
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
    if problems:
        parts.append("**Problems**\n" + "\n".join(f"- {line}" for line in problems))
    if not reports:
        parts.append("No cluster work was needed for this message.")
    return "\n\n".join(parts)


def _failure_sentence(failure: Any) -> str:
    try:
        return ServiceFailure.model_validate(failure).sentence()
    except ValidationError:
        return str(failure)
