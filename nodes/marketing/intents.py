"""Offline planning rules for the marketing cluster: ad campaigns for a store product.

Each rule reads the goal (normalized by ``goal_words``) and plans a task with exact
parameters — the product as named, the campaign's total budget in EUR (a daily budget times
the days), the days it runs — or asks a specific question when the product or the budget is
missing. A goal that also publishes a product ("find and publish a mug and launch ads for it
with €300") hands the published product to the campaign: the ads wait for the product task.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import JsonValue

from nodes.ceo.intents import STRONG, Intent, IntentMatch, IntentTask
from nodes.marketing.jobs import MarketingJob
from nodes.product.goal_words import Found, money, normalize, plain, without
from nodes.product.intents import sourcing

_ADS = re.compile(
    r"\b(?:ads?|adverts?|advertis(?:e|es|ing|ement|ements)|ad campaigns?|campaigns?"
    r"|facebook|instagram|meta|promote|promoting)\b"
)
#: Discounts and codes are not ad campaigns, even when a goal calls them a promotion.
_NOT_ADS = re.compile(r"\b(?:discounts?|coupons?|codes?|vouchers?)\b|%\s*off\b")
_DAILY = re.compile(r"^\s*(?:a|per|/|each)\s*day\b|^\s*daily\b")
_DAYS = re.compile(r"\b(?:for\s+)?(\d+)\s*(days?|weeks?|months?)\b|\bfor\s+a\s+(day|week|month)\b")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_IT = re.compile(r"\b(?:for|of|promote|advertise)\s+(?:it|them|this|that)\b")
_FILLER = frozenset(
    " ".join(
        (
            "a an and the of our my its it their this that these those for to by from with at",
            "in on me us we i you please can could would will should want need like let lets",
            "kindly store shop new launch launching start starting run running create creating",
            "set up make ads ad adverts advert advertise advertising advertisement campaign",
            "campaigns facebook instagram meta promote promoting budget total spend spending",
            "euro euros eur per day days week weeks month months daily each some sales sale",
        )
    ).split(" ")
)


def _days(text: str) -> tuple[int | None, str]:
    match = _DAYS.search(text)
    if match is None:
        return None, text
    if match.group(3):
        days = _UNIT_DAYS[match.group(3)]
    else:
        unit = match.group(2).rstrip("s")
        days = int(match.group(1)) * _UNIT_DAYS[unit]
    return days, text[: match.start()] + " " + text[match.end() :]


def _product(text: str) -> str:
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", re.sub(r"'s\b", "", text))
    return " ".join(w for w in words if w not in _FILLER and not w.isdigit())


def _budget(text: str, amounts: list[Found], days: int) -> Decimal | None:
    if not amounts:
        return None
    first = amounts[0]
    if _DAILY.match(text[first.end :]):
        return first.value * days
    return first.value


def launch_ads(goal: str) -> IntentMatch | None:
    """Launch ads for one product with a total budget (daily × days when given per day)."""
    text = normalize(goal)
    if not _has_ads(text) or watch_ads(goal) is not None:
        return None
    clause = next((c for c in re.split(r"[.;!?]\s+|\s+then\s+", text) if _has_ads(c)), text)
    amounts = money(clause)
    days, rest = _days(without(clause, amounts))
    budget = _budget(clause, amounts, days or 7)
    handed_over = _IT.search(clause) is not None
    product = "" if handed_over else _product(rest)
    after: tuple[str, ...] = ()
    if not product:
        published = sourcing(goal)
        query = (
            published.tasks[0].parameters.get("query") if published and published.tasks else None
        )
        if isinstance(query, str) and query:
            product, after = query, ("product",)
    if not product:
        return _ask(
            "Which product should the ads promote? Name it as it is called in the store "
            "(e.g. 'Launch ads for the White Glossy Mug with €400')."
        )
    if budget is None:
        return _ask(
            f"What total budget should the campaign for the {product} have (e.g. 'with "
            "€300')? Campaigns above €500 need an approver's decision."
        )
    parameters: dict[str, JsonValue] = {
        "action": MarketingJob.LAUNCH_ADS.value,
        "product": product,
        "budget_eur": plain(budget),
    }
    if days:
        parameters["days"] = days
    task = IntentTask(
        title=f"Launch ads for the {product}",
        instructions=(
            f"Launch Meta ads for the {product} with a total budget of €{plain(budget)}: {goal} "
            f"({', '.join(f'{k}={v}' for k, v in parameters.items())})"
        ),
        parameters=parameters,
        after=after,
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria=f"Ads for the {product} run within the approved €{plain(budget)}.",
    )


_WATCH = re.compile(
    r"\broas\b|\bwatch(?:er)?\b|\boptimi[sz]e\b|\blos(?:ing|ers?)\b|\bwinn(?:ing|ers?)\b"
    r"|\bscale\b|\bpause\b|\bperformance\b|\bperforming\b|\bhow are\b"
)


def watch_ads(goal: str) -> IntentMatch | None:
    """The ROAS watcher: pause losing ads, scale winners within their approved budgets."""
    text = normalize(goal)
    if _WATCH.search(text) is None or (_ADS.search(text) is None and "roas" not in text):
        return None
    if is_seo(text):
        return None
    task = IntentTask(
        title="Watch the ads' ROAS",
        instructions=f"Run the ROAS watcher over the active campaigns: {goal} (action=watch_ads)",
        parameters={"action": MarketingJob.WATCH_ADS.value},
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria="Losing ads are paused, winners scaled within their approved budgets.",
    )


def _has_ads(text: str) -> bool:
    return _ADS.search(text) is not None and _NOT_ADS.search(text) is None and not is_seo(text)


def _ask(question: str) -> IntentMatch:
    return IntentMatch(question=question, strength=STRONG)


_AD_INTENTS = (
    Intent(
        cluster="marketing",
        name="launch_ads",
        match=launch_ads,
        examples=(
            "Launch ads for the White Glossy Mug with €400",
            "Advertise the Smart Jump Rope with €50 a day for 10 days",
        ),
    ),
    Intent(
        cluster="marketing",
        name="watch_ads",
        match=watch_ads,
        examples=("Check our ads' ROAS: pause the losers, scale the winners",),
    ),
)


# --- discounts ----------------------------------------------------------------------------

_DISCOUNT = re.compile(
    r"\b(?:discounts?|coupons?|promo codes?|discount codes?|vouchers?)\b|%\s*off\b|\bsale\b"
)
_ISO_DATE = re.compile(r"\b(20\d\d-\d\d-\d\d)\b")
_NAME = re.compile(r"\bfor\s+(?:a|an|the|our)?\s*([a-z][a-z ]{1,40}?)\s*(?:sale|$|,|\.|until)")
#: Applied at checkout without a code (``discountAutomaticBasicCreate``).
_AUTOMATIC = re.compile(r"\bautomatic(?:ally)?\b|\bwithout (?:a )?code\b|\bno code\b")
_PERCENT_ONLY = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")


def discount(goal: str) -> IntentMatch | None:
    """A discount code (or an automatic discount): the percentage, a name for the sale, and an
    end date (default 14 days)."""
    text = normalize(goal)
    if _DISCOUNT.search(text) is None or (_ADS.search(text) and "discount" not in text):
        return None
    percent = _PERCENT_ONLY.search(text)
    if percent is None:
        return _ask(
            "How big should the discount be (e.g. '10% off'), and until when? Discounts above "
            "30% need an approver's decision."
        )
    pct = Decimal(percent.group(1).replace(",", "."))
    parameters: dict[str, JsonValue] = {
        "action": MarketingJob.DISCOUNT.value,
        "discount_pct": plain(pct),
    }
    name = _NAME.search(text[percent.end() :])
    if name and name.group(1).strip() not in {"", "everything", "all", "the store", "store"}:
        words = name.group(1).strip()
        parameters["name"] = f"{words} sale" if "sale" in text and "sale" not in words else words
    elif "sale" in text:
        parameters["name"] = "sale"
    automatic = _AUTOMATIC.search(text) is not None
    if automatic:
        parameters["automatic"] = True
    ends = _ISO_DATE.search(text)
    if ends:
        parameters["ends_on"] = ends.group(1)
    else:
        days, _rest = _days(text)
        if days:
            parameters["days"] = days
    kind = "automatic discount" if automatic else "discount code"
    title = f"Create a {plain(pct)}% {kind}"
    task = IntentTask(
        title=title,
        instructions=f"{title}: {goal} ({', '.join(f'{k}={v}' for k, v in parameters.items())})",
        parameters=parameters,
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria=f"A {plain(pct)}% {kind} exists with an end date.",
    )


# --- SEO ----------------------------------------------------------------------------------

_SEO = re.compile(
    r"\bseo\b|\bsearch engines?\b|\bmeta (?:titles?|descriptions?)\b|\bgoogle (?:ranking|search)"
    r"|\bsearch results?\b"
)
_SEO_SUBJECT = re.compile(r"\b(?:seo|search engines?|meta \w+)\s+(?:of|for|on)\s+(.+)$")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ALL_PRODUCTS = _wordset(
    "all every our the store shop products product catalog catalogue items listings"
)
_SEO_FILLER = _wordset(
    "a an the of our my its for please and titles title descriptions description handles "
    "handle meta search engines engine results google ranking improve better"
)


def is_seo(text: str) -> bool:
    """Search-engine wording: an SEO goal, whatever else it mentions (meta, optimize)."""
    return _SEO.search(text) is not None


def seo(goal: str) -> IntentMatch | None:
    """SEO for the active products, or for one named product."""
    text = normalize(goal)
    if not is_seo(text):
        return None
    parameters: dict[str, JsonValue] = {"action": MarketingJob.SEO.value}
    subject = _SEO_SUBJECT.search(text)
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", subject.group(1)) if subject else []
    named = [w for w in words if w not in _SEO_FILLER]
    if named and not set(named) <= _ALL_PRODUCTS:
        parameters["product"] = " ".join(w for w in named if w not in {"products", "product"})
    which = f"the {parameters['product']}" if "product" in parameters else "the active products"
    task = IntentTask(
        title=f"Improve the SEO of {which}",
        instructions=f"Meta titles, descriptions and handles with the store's keywords: {goal} "
        f"({', '.join(f'{k}={v}' for k, v in parameters.items())})",
        parameters=parameters,
    )
    return IntentMatch(
        tasks=(task,),
        success_criteria=f"{which.capitalize()} have meta titles and descriptions with the "
        "words customers buy.",
    )


INTENTS = (
    *_AD_INTENTS,
    Intent(
        cluster="marketing",
        name="discount",
        match=discount,
        examples=("Create a 10% discount for a summer sale",),
    ),
    Intent(
        cluster="marketing",
        name="seo",
        match=seo,
        examples=("Improve the SEO of our products",),
    ),
)
