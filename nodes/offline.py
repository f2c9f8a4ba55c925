"""The responders the offline model uses for this project's prompts, in one registry."""

from __future__ import annotations

from nodes.ceo.offline import plan_responder, summary_responder
from nodes.product.offline import business_case_responder, copy_responder
from tools.llm import CHAT, ResponderRegistry


def offline_registry() -> ResponderRegistry:
    return ResponderRegistry(
        {
            "Plan": plan_responder,
            "BusinessCase": business_case_responder,
            "ProductCopy": copy_responder,
            CHAT: summary_responder,
        }
    )
