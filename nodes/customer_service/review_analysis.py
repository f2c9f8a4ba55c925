"""Sentiment, topics and product issues of reviews, by code (no model, nothing to inject).

Sentiment comes from the star rating (a number Judge.me gives us), topics and defects from
keyword lists. A product issue is several negative reviews of one product naming the same
defect: the product cluster and the CEO hear about it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tools.reviews import Review

#: Negative reviews of one product naming the same defect before it is a product issue.
ISSUE_MIN_REVIEWS = 3
NEGATIVE_MAX_RATING = 2
POSITIVE_MIN_RATING = 4


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(words) + r")", re.I)


TOPICS: dict[str, re.Pattern[str]] = {
    "shipping": _words(
        "ship", "deliver", "arriv", "courier", "parcel", "package", "took (?:almost )?\\w+ weeks"
    ),
    "defect": _words(
        "broke",
        "broken",
        "defect",
        "faulty",
        "stopped working",
        "does(?:n't| not) work",
        "dead",
        "crack",
        "snapp",
        "leak",
        "tore",
        "torn",
        "ripp",
        "peel",
        "battery",
    ),
    "size": _words("size", "small", "too big", "large", "fit", "tight", "loose", "short", "long"),
    "price": _words("price", "expensive", "overpriced", "value", "money", "cheap"),
    "quality": _words("quality", "flimsy", "sturdy", "solid", "smell", "material", "durab"),
    "service": _words("support", "customer service", "refund", "return", "replace"),
}

#: The defect a negative review names (several alike on one product make an issue).
DEFECTS: dict[str, re.Pattern[str]] = {
    "battery or charging": _words("battery", "charg"),
    "stops working": _words(
        "stopped working", "does(?:n't| not) work", "dead on arrival", "won'?t turn on"
    ),
    "breaks": _words("broke", "broken", "snapp", "crack"),
    "leaks": _words("leak"),
    "tears": _words("tore", "torn", "ripp", "tear"),
    "peels": _words("peel"),
    "runs small": _words("too small", "runs small", "smaller than", "too short", "tight"),
}


class ReviewAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    review_id: int
    sentiment: Sentiment
    topics: list[str]
    defects: list[str]


class ProductIssue(BaseModel):
    """Several negative reviews of one product naming one defect."""

    model_config = ConfigDict(frozen=True)

    product_external_id: int
    product_title: str
    defect: str
    review_ids: list[int]


def sentiment_of(rating: int) -> Sentiment:
    if rating >= POSITIVE_MIN_RATING:
        return Sentiment.POSITIVE
    if rating <= NEGATIVE_MAX_RATING:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def analyse(review: Review) -> ReviewAnalysis:
    text = f"{review.title or ''}\n{review.body}"
    sentiment = sentiment_of(review.rating)
    defects = (
        [name for name, pattern in DEFECTS.items() if pattern.search(text)]
        if sentiment is Sentiment.NEGATIVE
        else []
    )
    return ReviewAnalysis(
        review_id=review.id,
        sentiment=sentiment,
        topics=[name for name, pattern in TOPICS.items() if pattern.search(text)],
        defects=defects,
    )


def product_issues(
    reviews: list[Review], analyses: dict[int, ReviewAnalysis]
) -> list[ProductIssue]:
    """Defects named by at least ``ISSUE_MIN_REVIEWS`` negative reviews of the same product."""
    named: dict[tuple[int, str], list[Review]] = defaultdict(list)
    for review in reviews:
        if review.product_external_id is None:
            continue
        for defect in analyses[review.id].defects:
            named[(review.product_external_id, defect)].append(review)
    return [
        ProductIssue(
            product_external_id=product,
            product_title=found[0].product_title or f"product {product}",
            defect=defect,
            review_ids=sorted(r.id for r in found),
        )
        for (product, defect), found in sorted(named.items())
        if len(found) >= ISSUE_MIN_REVIEWS
    ]


class ReviewToAnswer(BaseModel):
    """A review without the shop's reply, with what code found in it."""

    model_config = ConfigDict(frozen=True)

    review: Review
    analysis: ReviewAnalysis
