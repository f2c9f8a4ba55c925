"""Offline planning rules for the product cluster: sourcing and publishing goals."""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import JsonValue

from nodes.ceo.intents import STRONG, WEAK, Intent, IntentMatch, IntentTask

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "an": 1}
_SOURCING_WORDS = re.compile(
    r"\b(products?|publish|source|sourcing|find|catalog|supplier|list(?:ing)?|sell|add)\b", re.I
)
_STRONG_WORDS = re.compile(r"\b(products?|publish|source|sourcing|supplier|catalog)\b", re.I)
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


def sourcing(goal: str) -> IntentMatch | None:
    """Find, vet, price and publish products, with the operator's count, price and margin."""
    if not _SOURCING_WORDS.search(goal):
        return None
    parameters: dict[str, JsonValue] = {}
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
    task = IntentTask(
        title=f"Source and publish {count or 1} product(s)",
        instructions=f"Find, vet, price and publish products for: {goal} ({limits})",
        parameters=parameters,
    )
    return IntentMatch(
        tasks=(task,),
        strength=STRONG if _STRONG_WORDS.search(goal) else WEAK,
        success_criteria="The products are live in the store at a healthy margin.",
    )


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
    return " ".join(w.lower() for w in words if w.lower() not in _FILLER)


INTENTS = (
    Intent(
        cluster="product",
        name="sourcing",
        match=sourcing,
        examples=("Find and publish two new products under €30", "Publish a smart jump rope"),
    ),
)
