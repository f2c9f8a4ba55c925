"""The responders the offline model uses for this project's prompts, in one registry, and the
planning rules of every cluster (a new cluster adds its ``INTENTS`` here)."""

from __future__ import annotations

from nodes.catalog.intents import INTENTS as CATALOG_INTENTS
from nodes.ceo.intents import Intent
from nodes.ceo.offline import make_plan_responder, summary_responder
from nodes.customer_service.email_intents import INTENT as EMAIL_INTENT
from nodes.customer_service.intents import INTENTS as CUSTOMER_SERVICE_INTENTS
from nodes.customer_service.offline import support_reply_responder
from nodes.customer_service.review_intents import REVIEW_INTENTS
from nodes.finance.intents import INTENTS as FINANCE_INTENTS
from nodes.marketing.intents import INTENTS as MARKETING_INTENTS
from nodes.product.intents import INTENTS as PRODUCT_INTENTS
from nodes.product.offline import business_case_responder, copy_responder
from tools.llm import CHAT, ResponderRegistry

OFFLINE_INTENTS: tuple[Intent, ...] = (
    *PRODUCT_INTENTS,
    *CATALOG_INTENTS,
    *MARKETING_INTENTS,
    *FINANCE_INTENTS,
    *CUSTOMER_SERVICE_INTENTS,
    *REVIEW_INTENTS,
    EMAIL_INTENT,
)


def offline_registry() -> ResponderRegistry:
    return ResponderRegistry(
        {
            "Plan": make_plan_responder(OFFLINE_INTENTS),
            "BusinessCase": business_case_responder,
            "ProductCopy": copy_responder,
            "SupportReply": support_reply_responder,
            CHAT: summary_responder,
        }
    )
