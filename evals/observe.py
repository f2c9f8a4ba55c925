"""What a case run left behind, read back into plain records for the scorers.

The trajectory comes from the audit log (``action.classified`` / ``approval.*`` /
``action.executed``) joined with approvals and the effects ledger; the route from the graph's
node updates; the store's final state from the Shopify mutations in the HTTP exchange log
(replay has no sandbox to ask, and the log is exactly what the store was told).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from evals.cassettes import Exchange
from storage import ApprovalRecord, AuditRecord, EffectRecord

_MUTATION = re.compile(r"^\s*mutation\b[^{]*\{\s*(?:\w+\s*:\s*)?(\w+)", re.S)


class ActualCall(BaseModel):
    """One write an agent proposed and what became of it."""

    task: str
    tool: str
    action: str
    args: dict[str, JsonValue]
    risk: str
    rules: list[str]
    reasons: list[str]
    approval: bool = False
    approval_id: str | None = None
    decision: str | None = None
    reclassified_risk: str | None = None
    executed_args: dict[str, JsonValue] | None = None
    outcome: str = "pending"
    idempotency_keys: list[str] = Field(default_factory=list)


class StoreProduct(BaseModel):
    title: str
    handle: str | None
    price: Decimal | None
    published: bool = False
    product_id: str | None = None


class StoreState(BaseModel):
    writes: dict[str, int] = Field(default_factory=dict)
    products: list[StoreProduct] = Field(default_factory=list)


def _task_of(dedupe_key: str | None) -> str | None:
    parts = (dedupe_key or "").split(":")
    return parts[1] if len(parts) >= 3 else None


def trajectory(
    audit: list[AuditRecord], approvals: list[ApprovalRecord], effects: list[EffectRecord]
) -> list[ActualCall]:
    """The proposed writes in the order they were first classified."""
    approval_task = {record.id: record.task_id for record in approvals}
    effect_task = {record.idempotency_key: record.task_id for record in effects}
    calls: dict[str, ActualCall] = {}
    for entry in audit:
        payload = entry.payload
        if entry.event == "action.classified":
            task = _task_of(entry.dedupe_key) or str(entry.id)
            rules = payload.get("rules")
            reasons = payload.get("reasons")
            level = str(payload.get("level"))
            if entry.dedupe_key and entry.dedupe_key.endswith(":reclassified") and task in calls:
                calls[task].reclassified_risk = level
                continue
            args = payload.get("args")
            calls[task] = ActualCall(
                task=task,
                tool=str(payload.get("tool")),
                action=entry.action_kind or "",
                args=args if isinstance(args, dict) else {},
                risk=level,
                rules=[str(r) for r in rules] if isinstance(rules, list) else [],
                reasons=[str(r) for r in reasons] if isinstance(reasons, list) else [],
            )
        elif entry.event in {"approval.requested", "approval.decided", "approval.expired"}:
            approval_id = str(payload.get("approval_id"))
            call = calls.get(approval_task.get(approval_id) or "")
            if call is None:
                continue
            call.approval = True
            call.approval_id = approval_id
            if entry.event == "approval.expired":
                call.decision, call.outcome = "expire", "expired"
            elif entry.event == "approval.decided":
                call.decision = str(payload.get("decision"))
                if call.decision == "reject":
                    call.outcome = "rejected"
        elif entry.event == "action.executed":
            key = str(payload.get("idempotency_key"))
            call = calls.get(effect_task.get(key, ""))
            if call is None:
                continue
            args = payload.get("args")
            call.executed_args = args if isinstance(args, dict) else None
            call.outcome = "executed"
            call.idempotency_keys.append(key)
    return list(calls.values())


def mutation_name(exchange: Exchange) -> tuple[str, dict[str, Any]] | None:
    """``(root field, variables)`` of a Shopify GraphQL mutation, else None."""
    if "graphql" not in exchange.uri or exchange.method != "POST":
        return None
    try:
        body = json.loads(exchange.request_body or "{}")
    except ValueError:
        return None
    query = body.get("query") if isinstance(body, dict) else None
    match = _MUTATION.match(query) if isinstance(query, str) else None
    if match is None:
        return None
    variables = body.get("variables")
    return match.group(1), variables if isinstance(variables, dict) else {}


def _succeeded(exchange: Exchange, root: str) -> tuple[bool, dict[str, Any]]:
    try:
        answer = json.loads(exchange.response_body or "{}")
    except ValueError:
        return False, {}
    data = (answer.get("data") or {}).get(root) if isinstance(answer, dict) else None
    if exchange.status >= 400 or not isinstance(data, dict) or data.get("userErrors"):
        return False, {}
    return True, data


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def store_state(exchanges: list[Exchange]) -> StoreState:
    """Successful Shopify writes, counted by mutation, and the products they left."""
    writes: Counter[str] = Counter()
    products: dict[str, StoreProduct] = {}
    for exchange in exchanges:
        found = mutation_name(exchange)
        if found is None:
            continue
        root, variables = found
        ok, data = _succeeded(exchange, root)
        if not ok:
            continue
        writes[f"shopify.{root}"] += 1
        if root == "productSet":
            given = variables.get("input") or variables.get("product") or {}
            product = data.get("product") or {}
            variants = given.get("variants") or [{}]
            key = str(product.get("id") or given.get("handle"))
            products[key] = StoreProduct(
                title=str(given.get("title")),
                handle=given.get("handle"),
                price=_decimal(variants[0].get("price")),
                product_id=product.get("id"),
            )
        elif root == "publishablePublish":
            target = products.get(str(variables.get("id")))
            if target is not None:
                target.published = True
        elif root == "productVariantsBulkUpdate":
            product_id = str(variables.get("productId"))
            prices = [v.get("price") for v in variables.get("variants") or []]
            target = products.setdefault(
                product_id,
                StoreProduct(title=product_id, handle=None, price=None, product_id=product_id),
            )
            if prices:
                target.price = _decimal(prices[0])
    return StoreState(writes=dict(writes), products=list(products.values()))
