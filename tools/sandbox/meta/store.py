"""The Meta emulator's state: one ad account's campaigns, ad sets, images, creatives and ads,
and the delivery (spend, purchases, purchase value) tests and evals simulate per ad.

Delivery obeys budgets as Meta does: an ad set never spends past its lifetime budget (a daily
budget allows its amount per day until the end time), and paused ads spend nothing, so the
emulator's total spend is what the budgets allowed, never more.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tools.sandbox.clock import EmulatorClock
from tools.sandbox.ledger import MutationLedger

FIRST_ID = 120_210_000_000_001
OBJECTIVES = frozenset({"OUTCOME_SALES", "OUTCOME_TRAFFIC", "OUTCOME_AWARENESS"})
STATUSES = frozenset({"ACTIVE", "PAUSED", "ARCHIVED", "DELETED"})
#: Meta's smallest budget for EUR accounts is about €1 a day (in cents).
MIN_BUDGET_MINOR = 100


class GraphError(Exception):
    """A Graph API error: ``{"error": {"message", "type", "code", "error_subcode"}}``."""

    def __init__(
        self,
        message: str,
        *,
        code: int = 100,
        subcode: int | None = None,
        status: int = 400,
        kind: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.subcode, self.status, self.kind = (
            message,
            code,
            subcode,
            status,
            kind,
        )

    def body(self, trace: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": trace,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def invalid(message: str) -> GraphError:
    return GraphError(f"Invalid parameter: {message}", code=100)


@dataclass
class Delivery:
    spend_minor: int = 0
    purchases: int = 0
    value_minor: int = 0


@dataclass
class Node:
    id: str
    type: str
    fields: dict[str, Any]
    created: datetime
    delivery: Delivery = field(default_factory=Delivery)


class MetaStore:
    def __init__(self, ledger: MutationLedger, clock: EmulatorClock) -> None:
        self._ledger = ledger
        self._clock = clock
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.nodes: dict[str, Node] = {}
            self.images: dict[str, dict[str, Any]] = {}
            self._ids = itertools.count(FIRST_ID)

    # --- objects ----------------------------------------------------------------------------

    def _new(self, type_: str, fields: dict[str, Any], operation: str) -> Node:
        node = Node(str(next(self._ids)), type_, fields, self._clock.now())
        self.nodes[node.id] = node
        self._ledger.record("meta", operation, node.id)
        return node

    def get(self, object_id: str, type_: str | None = None) -> Node:
        node = self.nodes.get(object_id)
        if node is None or (type_ is not None and node.type != type_):
            raise GraphError(
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation.",
                code=100,
                subcode=33,
                kind="GraphMethodException",
            )
        return node

    def of_type(self, type_: str, parent: str | None = None, key: str = "") -> list[Node]:
        return [
            n
            for n in self.nodes.values()
            if n.type == type_ and (parent is None or n.fields.get(key) == parent)
        ]

    def create_campaign(self, params: dict[str, str]) -> Node:
        name = _required(params, "name")
        objective = _required(params, "objective")
        if objective not in OBJECTIVES:
            raise invalid(f"objective must be one of {', '.join(sorted(OBJECTIVES))}")
        if "special_ad_categories" not in params:
            raise invalid("special_ad_categories is required (use [] for none)")
        with self._lock:
            return self._new(
                "campaign",
                {"name": name, "objective": objective, "status": _status(params)},
                "campaigns.create",
            )

    def create_ad_set(self, params: dict[str, str]) -> Node:
        name = _required(params, "name")
        campaign = self.get(_required(params, "campaign_id"), "campaign")
        daily, lifetime = params.get("daily_budget"), params.get("lifetime_budget")
        if (daily is None) == (lifetime is None):
            raise invalid("set exactly one of daily_budget and lifetime_budget")
        raw = daily if daily is not None else lifetime
        if raw is None or not raw.isdigit():
            raise invalid("budgets are integers in the account currency's minor units")
        budget = int(raw)
        if budget < MIN_BUDGET_MINOR:
            raise invalid(f"the budget must be at least {MIN_BUDGET_MINOR} (minor units)")
        end_time = params.get("end_time")
        if lifetime is not None and not end_time:
            raise invalid("end_time is required with lifetime_budget")
        for required in ("billing_event", "optimization_goal", "targeting"):
            _required(params, required)
        fields = {
            "name": name,
            "campaign_id": campaign.id,
            "status": _status(params),
            "daily_budget": budget if daily is not None else None,
            "lifetime_budget": budget if lifetime is not None else None,
            "end_time": end_time,
            "targeting": params["targeting"],
        }
        with self._lock:
            return self._new("adset", fields, "adsets.create")

    def upload_image(self, filename: str, content: bytes) -> dict[str, Any]:
        if not content.startswith(b"\x89PNG") and not content.startswith(b"\xff\xd8"):
            raise invalid("the image must be a PNG or JPEG file")
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        with self._lock:
            self.images[digest] = {"hash": digest, "name": filename, "bytes": len(content)}
            self._ledger.record("meta", "adimages.create", digest)
        return {"hash": digest, "url": f"https://scontent.example/{digest}.png"}

    def create_creative(self, params: dict[str, str], spec: dict[str, Any]) -> Node:
        link = spec.get("link_data")
        if not isinstance(link, dict) or not spec.get("page_id"):
            raise invalid("object_story_spec needs page_id and link_data")
        if link.get("image_hash") not in self.images:
            raise invalid("link_data.image_hash names no uploaded image")
        with self._lock:
            return self._new(
                "adcreative",
                {"name": params.get("name", ""), "object_story_spec": spec},
                "adcreatives.create",
            )

    def create_ad(self, params: dict[str, str], creative_id: str) -> Node:
        name = _required(params, "name")
        adset = self.get(_required(params, "adset_id"), "adset")
        self.get(creative_id, "adcreative")
        fields = {
            "name": name,
            "adset_id": adset.id,
            "campaign_id": adset.fields["campaign_id"],
            "creative_id": creative_id,
            "status": _status(params),
        }
        with self._lock:
            return self._new("ad", fields, "ads.create")

    def update(self, object_id: str, params: dict[str, str]) -> None:
        node = self.get(object_id)
        with self._lock:
            if "status" in params:
                node.fields["status"] = _status(params)
                self._ledger.record("meta", f"{node.type}s.status", object_id)
            for budget in ("daily_budget", "lifetime_budget"):
                if budget not in params:
                    continue
                if node.type != "adset" or node.fields.get(budget) is None:
                    raise invalid(f"{budget} cannot be set on this object")
                raw = params[budget]
                if not raw.isdigit() or int(raw) < MIN_BUDGET_MINOR:
                    raise invalid(f"{budget} must be an integer of at least {MIN_BUDGET_MINOR}")
                if int(raw) < self.spent(node.id):
                    raise invalid(f"{budget} cannot go below what the ad set already spent")
                node.fields[budget] = int(raw)
                self._ledger.record("meta", "adsets.budget", object_id)

    # --- delivery ---------------------------------------------------------------------------

    def spent(self, adset_id: str) -> int:
        return sum(ad.delivery.spend_minor for ad in self.of_type("ad", adset_id, "adset_id"))

    def allowance(self, adset: Node) -> int:
        """What the ad set may spend in total: its lifetime budget, or daily × days to end."""
        lifetime = adset.fields.get("lifetime_budget")
        if lifetime is not None:
            return int(lifetime)
        days = 30
        end = adset.fields.get("end_time")
        if end:
            span = datetime.fromisoformat(end) - adset.created
            days = max(1, math.ceil(span.total_seconds() / 86400))
        return int(adset.fields["daily_budget"]) * days

    def deliver(self, ad_id: str, spend: Decimal, purchases: int, value: Decimal) -> Delivery:
        """Simulate delivery: spend is cut at the ad set's budget; a paused ad spends nothing."""
        with self._lock:
            ad = self.get(ad_id, "ad")
            adset = self.get(ad.fields["adset_id"], "adset")
            campaign = self.get(ad.fields["campaign_id"], "campaign")
            running = all(n.fields["status"] == "ACTIVE" for n in (ad, adset, campaign))
            room = max(0, self.allowance(adset) - self.spent(adset.id))
            wanted = int((spend * 100).to_integral_value())
            spent = min(wanted, room) if running else 0
            share = Decimal(spent) / Decimal(wanted) if wanted else Decimal(1)
            ad.delivery.spend_minor += spent
            if running:
                ad.delivery.purchases += int(purchases * share)
                ad.delivery.value_minor += int((value * 100 * share).to_integral_value())
            return ad.delivery

    def total_spend_minor(self) -> int:
        return sum(ad.delivery.spend_minor for ad in self.of_type("ad"))


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise invalid(f"{name} is required")
    return value


def _status(params: dict[str, str]) -> str:
    status = params.get("status", "ACTIVE")
    if status not in STATUSES:
        raise invalid(f"status must be one of {', '.join(sorted(STATUSES))}")
    return status
