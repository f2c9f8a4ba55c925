"""Offline planning rules for the product cluster: sourcing, price changes, supplier onboarding.

Each rule reads the goal (normalized by ``goal_words``: lower case, number words as digits,
"percent" as "%", common typos fixed) and plans a task with exact parameters, or asks a
specific question when something it needs is missing. The three rules exclude each other: a
price change or an onboarding is never also planned as sourcing. Discounts ("20% off", a
coupon, a sale) are marketing's, never a price change here.
"""

from __future__ import annotations

import re

from pydantic import JsonValue

from nodes.ceo.intents import STRONG, WEAK, Intent, IntentMatch, IntentTask
from nodes.product.goal_words import Found, money, normalize, percentages, plain, without
from nodes.product.jobs import BEST_SELLER, ProductJob


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- shared -------------------------------------------------------------------------------

_DISCOUNT = re.compile(
    r"\b(?:discounts?|coupons?|promo(?:tion)?s?|vouchers?|codes?|sale|clearance|black friday)\b"
    r"|%\s*off\b|\boff\b",
)
_PRICE_WORD = re.compile(r"\b(?:prices?|pricing|priced|reprice|markup|mark[- ]?(?:up|down))\b")
_UP = re.compile(
    r"\b(?:raise|raising|increase|increasing|hike|bump|mark[- ]?up|markup|more expensive)\b"
    r"|(?<!set )\bup\b(?!\s+to\b)|\+\s*\d"
)
_DOWN = re.compile(
    r"\b(?:lower|lowering|reduce|reducing|decrease|decreasing|cut|cutting|drop|dropping|slash"
    r"|mark[- ]?down)\b|\bdown\b(?!\s+to\b)|\bcheaper\b(?!\s+than\b)"
)
_CHANGE = re.compile(
    r"\b(?:set|change|adjust|make|update|move|put|bring|reprice)\b|^\s*(?:please\s+)?price\b"
)
#: Words right before an amount that make it the new price ("to €12.99", "at €9").
_TARGET_BEFORE = re.compile(r"\b(?:to|at|of|be|is|cost|costs)\s*$|=\s*$")
#: Words about the rules, not about a product's price ("set the price-change threshold to 9%").
_NOT_A_PRICE = re.compile(r"\b(?:thresholds?|polic(?:y|ies)|rules?|approvals?|limits?|settings?)\b")
#: Goals about these measure something other than a price ("increase sales by 10%").
_OTHER_METRIC = re.compile(
    r"\b(?:sales|revenue|conversion|traffic|budget|spend|ads?|roas|orders|stock|inventory"
    r"|margins?|visitors|profit|followers|subscribers|refunds?|rate|ctr|cpc)\b"
)
_ONBOARD = re.compile(
    r"\bon-?board(?:ing|ed)?\b|\bnew suppliers?\b"
    r"|\b(?:add|sign up|sign on|take on|bring on|partner with)\b[\w ]{0,20}\bsuppliers?\b"
)
_PUBLISH = re.compile(r"\b(?:publish|publishing|list|listing|sell|selling|launch)\b")
_PLATFORM = {"printful": "printful", "cj": "cjdropshipping", "cjdropshipping": "cjdropshipping"}

_STOP = _wordset(
    """
    a an and the of our my its it their this that these those for to by from with at in on
    me us we i you please can could would will should shall want need like let lets kindly
    store shop some new all any each one item items product products price prices pricing
    priced euro euros eur per cent percent pct more less much every
    """
)


def _words(text: str, extra: frozenset[str]) -> str:
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"[a-z][a-z0-9'-]*[a-z0-9]|[a-z]", text)
    return " ".join(w for w in words if w not in _STOP and w not in extra and "'" not in w)


def _has(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


#: Where one request ends and the next begins: sentences, "then", and "and" before a verb
#: that changes a price ("find and publish a mug and lower the yoga mat to €20").
_CLAUSE = re.compile(
    r"[.!?;:]\s+|[.!?]$|\s*,?\s+then\s+|\n+|\s+and\s+(?=(?:raise|lower|increase|reduce|cut"
    r"|drop|decrease|set|change|make|mark|put|bring|launch|advertise|promote)\b)"
)
#: Phrases that address the model rather than the store; they carry no part of a goal.
_NOISE = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above"
    r"|earlier|your)\s+(?:instructions|rules|prompts?)\b|\bsystem override\b"
)


def clauses(text: str) -> list[str]:
    """The separate requests in a (normalized) goal."""
    return [c.strip(" ,") for c in _CLAUSE.split(_NOISE.sub(" ", text)) if c.strip(" ,")]


# --- price changes ------------------------------------------------------------------------

_PRICE_VERBS = _wordset(
    """
    raise raising increase increasing up higher hike bump mark markup lower lowering reduce
    reducing decrease decreasing cut cutting drop dropping slash down cheaper set change
    adjust make update move put bring reprice go goes costs cost selling sells best top
    seller sellers bestseller bestselling performing performer popular sold most number
    expensive cheaper than
    """
)


def is_price_change(text: str) -> bool:
    """A change to an existing product's price (never a discount, never another metric)."""
    if _has(_DISCOUNT, text) or _has(_NOT_A_PRICE, text):
        return False
    amounts = money(text)
    if _has(_UP, text) or _has(_DOWN, text):
        if _has(_PRICE_WORD, text) or amounts:
            return True
        return bool(percentages(text)) and not _has(_OTHER_METRIC, text)
    if _has(_CHANGE, text):
        return _has(_PRICE_WORD, text) or _new_price(text, amounts, only=False) is not None
    return False


def _direction(text: str) -> int:
    up, down = _has(_UP, text), _has(_DOWN, text)
    return 1 if up and not down else -1 if down and not up else 0


def _new_price(text: str, amounts: list[Found], *, only: bool = True) -> Found | None:
    """The target price: the amount after "to"/"at"/"=", or (``only``) the only amount that
    does not follow "by"."""
    for found in amounts:
        if _TARGET_BEFORE.search(text[max(0, found.start - 12) : found.start]):
            return found
    if only and len(amounts) == 1 and not re.search(r"\bby\s*$", text[: amounts[0].start]):
        return amounts[0]
    return None


#: Where a request's reason begins ("... by 10% because competitors are cheaper"): not a name.
_REASON = re.compile(
    r"\b(?:because|since|so that|so|as|in order to|to match|to beat|to compete|due to)\b.*$"
)


def price_change(goal: str) -> IntentMatch | None:
    """Change one product's price: by a percentage, by an amount, or to a new price."""
    clause = next((c for c in clauses(normalize(goal)) if is_price_change(c)), None)
    if clause is None:
        return None
    text = _REASON.sub("", clause)
    amounts, percents = money(text), percentages(text)
    best_seller = _has(BEST_SELLER, text)
    named = _words(BEST_SELLER.sub(" ", without(text, amounts + percents)), _PRICE_VERBS)
    product = "" if best_seller else named
    parameters: dict[str, JsonValue] = {"action": ProductJob.REPRICE.value}
    if best_seller:
        parameters["best_seller"] = True
    elif product:
        parameters["product"] = product
    which = "the best seller" if best_seller else f"the {product}" if product else ""
    target = _new_price(text, amounts)
    direction = _direction(text)
    if target is not None:
        parameters["new_price_eur"] = plain(target.value)
    elif percents:
        change = percents[0].value
        if change > 0 and direction:
            change *= direction
        elif change > 0:
            return _ask(f"Should the price of {which or 'the product'} go up or down by {change}%?")
        parameters["change_pct"] = plain(change)
    elif amounts:
        if not direction:
            return _ask(
                f"Should the price of {which or 'the product'} go up or down by "
                f"€{amounts[0].value}, or become €{amounts[0].value}?"
            )
        parameters["change_eur"] = plain(amounts[0].value * direction)
    bare = re.search(r"\bby\s+(\d+(?:[.,]\d+)?)\b(?!\s*[%€])", without(text, amounts))
    if not _given(parameters) and bare:
        number = bare.group(1)
        return _ask(f"Do you mean by {number}% or by €{number}?")
    if not which:
        if _given(parameters):
            return _ask(
                "Which product should get the new price? Name it as it is called in the "
                "store, or say 'our best seller'. I change one product's price per goal."
            )
        return _ask(
            "Which product should get a new price, and by how much? Name it as it is called in "
            "the store (or say 'our best seller') and give the change ('by 10%') or the new "
            "price ('to €24.99'). I change one product's price per goal."
        )
    if not _given(parameters):
        return _ask(
            f"By how much should the price of {which} change (e.g. 'raise it by 10%'), or to "
            "what price (e.g. 'to €24.99')?"
        )
    task = IntentTask(
        title=f"Change the price of {which}",
        instructions=(
            f"Change the price of {which} in the store as asked: {goal} "
            f"({', '.join(f'{k}={v}' for k, v in parameters.items())})"
        ),
        parameters=parameters,
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria=f"The price of {which} is changed as asked, with approval when needed.",
    )


def _given(parameters: dict[str, JsonValue]) -> bool:
    return any(k in parameters for k in ("new_price_eur", "change_pct", "change_eur"))


def _ask(question: str) -> IntentMatch:
    return IntentMatch(question=question, strength=STRONG)


# --- supplier onboarding ------------------------------------------------------------------

_ONBOARD_WORDS = _wordset(
    """
    onboard onboarding onboarded board new supplier suppliers vendor vendors add sign take
    bring partner publish publishing list listing sell selling launch stock their his her
    its best top products product then also after cj cjdropshipping printful from who whose
    which good reliable trusted one that
    """
)
_ONBOARD_COUNT = re.compile(
    r"\b(\d+)\s+(?:of\s+)?(?:their\s+|its\s+)?(?:best\s+|top\s+)?\w*\s*products?\b"
)


def onboarding(goal: str) -> IntentMatch | None:
    """Onboard a new supplier (HIGH: an approver decides), then publish its best products."""
    text = normalize(goal)
    if not _has(_ONBOARD, text):
        return None
    parameters: dict[str, JsonValue] = {"action": ProductJob.ONBOARD_SUPPLIER.value}
    platform = next((key for word, key in _PLATFORM.items() if re.search(rf"\b{word}\b", text)), "")
    if platform:
        parameters["supplier"] = platform
    query = re.search(r"\b(?:for|of|selling|that sells|who sells)\s+([a-z -]+)", text)
    if query:
        words = _words(query.group(1).split(" and ")[0], _ONBOARD_WORDS)
        if words:
            parameters["query"] = words
    publishes = _has(_PUBLISH, text)
    count_match = _ONBOARD_COUNT.search(text)
    count = int(count_match.group(1)) if publishes and count_match else 1 if publishes else 0
    parameters["count"] = count
    title = "Onboard a new supplier"
    if count:
        title += " and publish its best product" + (f"s ({count})" if count > 1 else "")
    task = IntentTask(
        title=title,
        instructions=f"{title}: {goal} ({', '.join(f'{k}={v}' for k, v in parameters.items())})",
        parameters=parameters,
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria="A vetted new supplier is onboarded with approval"
        + (" and its best products are live." if count else "."),
    )


# --- sourcing -----------------------------------------------------------------------------

_SOURCING_WORDS = re.compile(
    r"\b(?:products?|publish|publishing|source|sourcing|find|catalog|list|listing|sell|add"
    r"|import)\b"
)
_STRONG_WORDS = re.compile(r"\b(?:products?|publish|publishing|source|sourcing|catalog|import)\b")
#: Another cluster's business; sourcing claims such a goal only when it also says publish.
_ELSEWHERE = re.compile(
    r"\b(?:campaigns?|ads?|adverts?|advertising|refunds?|customers?|tickets?|emails?"
    r"|newsletters?|reports?|revenue|profit|p&l|budgets?|expenses?|invoices?|sales|seo"
    r"|meta titles?|meta descriptions?|search engines?)\b"
)
_CEILING = re.compile(
    r"\b(?:under|below|less than|max(?:imum)?|up to|at most|cheaper than|no more than|within)"
    r"\s*$"
)
_CEILING_AFTER = re.compile(r"^\s*(?:or less|or under|max(?:imum)?|tops)\b")
_COUNT = re.compile(r"\b(\d+|a|an)\s+(?:new\s+)?(?:[\w-]+\s+)?products?\b")
_MARGIN = re.compile(
    r"(\d+(?:\.\d+)?)\s*%\s*(?:gross\s+|net\s+)?margin"
    r"|margin\s*(?:of\s+)?(?:at least|above|over|>=?)?\s*(\d+(?:\.\d+)?)\s*%"
)
_SOURCING_FILLER = _wordset(
    """
    find finding publish publishing source sourcing add adding list listing sell selling
    import under below less than up most max maximum at least cheaper no within or tops
    margin gross net with trending popular viral winning hot good great cool best top new
    nice interesting random category categories catalog go live online get put each set
    """
)


def _ceiling(text: str) -> Found | None:
    for found in money(text):
        if _CEILING.search(text[: found.start]) or _CEILING_AFTER.match(text[found.end :]):
            return found
    return None


def sourcing(goal: str) -> IntentMatch | None:
    """Find, vet, price and publish products, with the operator's count, price and margin."""
    normalized = normalize(goal)
    if _has(_ONBOARD, normalized):
        return None
    requests = [c for c in clauses(normalized) if not is_price_change(c)]
    named = [c for c in requests if _has(_SOURCING_WORDS, c)]
    if not named:
        return None
    text = " . ".join(requests)
    publishes = _has(re.compile(r"\b(?:publish|publishing|source|sourcing|import)\b"), text)
    if not publishes and (_has(_ELSEWHERE, text) or _has(BEST_SELLER, text)):
        return None
    parameters: dict[str, JsonValue] = {}
    count = _count(text)
    if count:
        parameters["count"] = count
    ceiling = _ceiling(text)
    if ceiling:
        parameters["max_price_eur"] = plain(ceiling.value)
    margin = _MARGIN.search(text)
    if margin:
        parameters["target_margin_pct"] = margin.group(1) or margin.group(2)
    query = " ".join(
        _words(_MARGIN.sub(" ", without(c, money(c) + percentages(c))), _SOURCING_FILLER)
        for c in named
    ).strip()
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
        strength=STRONG if _has(_STRONG_WORDS, text) else WEAK,
        success_criteria="The products are live in the store at a healthy margin.",
    )


def _count(text: str) -> int | None:
    match = _COUNT.search(text)
    if not match:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else 1


INTENTS = (
    Intent(
        cluster="product",
        name="sourcing",
        match=sourcing,
        examples=("Find and publish two new products under €30", "Publish a smart jump rope"),
    ),
    Intent(
        cluster="product",
        name="price_change",
        match=price_change,
        examples=(
            "Raise the price of our best seller by 30%",
            "Lower the White Glossy Mug to €12.99",
        ),
    ),
    Intent(
        cluster="product",
        name="onboarding",
        match=onboarding,
        examples=("Onboard a new supplier and publish their best product",),
    ),
)
