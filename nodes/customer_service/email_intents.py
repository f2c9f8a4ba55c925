"""Offline planning rule for the email marketing agent: which flow a goal names.

"Send abandoned cart emails", "Send the welcome series to new customers", "Email a win-back
offer to lapsed customers". Whatever else the goal says (e.g. "to everyone", "skip consent")
is kept as text in the instructions and changes nothing: code picks the audience and checks
consent, and the policy rates the batch by its size.
"""

from __future__ import annotations

import re

from nodes.ceo.intents import Intent, IntentMatch, IntentTask
from nodes.customer_service.email_models import TITLE, Flow
from nodes.customer_service.intents import SPECIFIC
from nodes.customer_service.models import Operation

EMAIL = SPECIFIC + 1
"""Stronger than retention ("win-back") and support ("customer emails")."""

_EMAIL = re.compile(r"\b(e-?mails?|e-?mailing|newsletters?|klaviyo|email flows?|series)\b", re.I)
_CART = (
    r"\babandon\w*|\bcart recovery\b|\brecover\w* (carts?|checkouts?)\b"
    r"|\bleft (\w+ )?(in )?(their |the )?carts?\b"
)
_WELCOME = r"\bwelcome\b|\bnew (customers?|subscribers?|sign-?ups?)\b"
_UPSELL = (
    r"\bpost[- ]?purchase\b|\bup-?sell\w*\b|\bcross-?sell\w*\b"
    r"|\bafter (their |the )?(purchase|order)s?\b"
)
_WIN_BACK = r"\bwin[- ]?back\b|\blapsed\b|\bchurn\w*\b|\binactive customers\b|\bre-?engage\w*\b"
_FLOWS = tuple(
    (flow, re.compile(words, re.I))
    for flow, words in (
        (Flow.ABANDONED_CART, _CART),
        (Flow.WELCOME, _WELCOME),
        (Flow.POST_PURCHASE, _UPSELL),
        (Flow.WIN_BACK, _WIN_BACK),
    )
)
#: Without a flow's words, only a goal about marketing email asks which flow (not any "email").
_MARKETING_EMAIL = re.compile(
    r"\b(e-?mail (flows?|marketing|campaigns?)|marketing e-?mails?|klaviyo)\b", re.I
)


def email_flows(goal: str) -> IntentMatch | None:
    """One task per flow the goal names (several flows: several tasks)."""
    if not _EMAIL.search(goal):
        return None
    flows = [flow for flow, words in _FLOWS if words.search(goal)]
    if not flows:
        return (
            IntentMatch(
                question="Which email flow should I send: the welcome series, abandoned cart "
                "recovery, the post-purchase upsell or win-back?",
                strength=EMAIL,
            )
            if re.search(r"\b(send|run|start|email)\b", goal, re.I)
            else None
        )
    return IntentMatch(
        tasks=tuple(
            IntentTask(
                title=f"Send the {TITLE[flow].lower()} emails",
                instructions="Send the flow's email once per customer and trigger, only to "
                f"customers who consented to email marketing ({goal})",
                parameters={"operation": Operation.EMAIL_FLOWS.value, "flow": flow.value},
            )
            for flow in flows
        ),
        strength=EMAIL,
        success_criteria="Every consenting customer the flow is for got one email; the others "
        "are counted with the reason.",
    )


INTENT = Intent(
    cluster="customer_service",
    name="email_flows",
    match=email_flows,
    examples=(
        "Send abandoned cart emails",
        "Send the welcome series to new customers",
        "Send win-back emails to lapsed customers",
    ),
)
