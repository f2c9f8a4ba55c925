"""The offline model's answer for the support reply: the draft code already stated correctly."""

from __future__ import annotations

from typing import Any

from nodes.offline_facts import json_after
from tools.llm import OfflineRequest


def support_reply_responder(request: OfflineRequest) -> dict[str, Any]:
    facts = json_after(request.last_human_text, "Facts:") or {}
    return {"reply": str(facts.get("draft") or "")}
