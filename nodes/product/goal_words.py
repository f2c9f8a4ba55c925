"""Reading the numbers in goals people type: amounts of money, percentages, counts.

``normalize`` makes the usual ways of writing the same thing look alike before the planning
rules read a goal: lower case, number words as digits ("twenty five" -> 25), "percent" / "per
cent" / "pct" as "%", and a few common typos of the words the rules look for ("publsh"). Money
is "€12.99", "12.99€", "€ 12,99", "12.99 euro(s)", "EUR 12.99" or "12.99 EUR"; "1,299.00" and
"1.299,00" are both one thousand two hundred ninety-nine.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[ -](?P<unit>{'|'.join(_UNITS)}))?"
    rf"|(?P<alone>{'|'.join(_UNITS)}))(?:[ -](?P<hundred>hundred))?\b"
)
_PERCENT_WORD = re.compile(r"\s*\b(?:percent|per cent|pct)\b")
#: Words the planning rules look for, and how far a typo may be from one (difflib's ratio).
VOCABULARY = (
    "publish", "product", "products", "supplier", "suppliers", "onboard", "increase",
    "decrease", "reduce", "discount", "source", "seller", "price", "prices",
)  # fmt: skip
TYPO_CUTOFF = 0.85
_WORD = re.compile(r"[a-z]+")

_AMOUNT = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_EURO_WORD = r"(?:eur(?:os?)?)\b"
_MONEY = re.compile(
    rf"€\s*(?P<a>{_AMOUNT})|(?P<b>{_AMOUNT})\s*(?:€|{_EURO_WORD})|\b{_EURO_WORD}\s*(?P<c>{_AMOUNT})"
)
_PERCENT = re.compile(rf"(?P<sign>[+-])?(?P<n>{_AMOUNT})\s*%")


def _number_word(match: re.Match[str]) -> str:
    if match["alone"]:
        value = _UNITS[match["alone"]]
    else:
        value = _TENS[match["tens"]] + (_UNITS[match["unit"]] if match["unit"] else 0)
    return str(value * 100 if match["hundred"] else value)


def _fix_typo(match: re.Match[str]) -> str:
    word = match.group(0)
    if len(word) < 5 or word in VOCABULARY:
        return word
    close = difflib.get_close_matches(word, VOCABULARY, n=1, cutoff=TYPO_CUTOFF)
    return close[0] if close else word


def normalize(goal: str) -> str:
    text = goal.lower().replace("’", "'").replace("‘", "'")
    text = _WORD.sub(_fix_typo, text)
    text = _NUMBER_WORD.sub(_number_word, text)
    return _PERCENT_WORD.sub("%", text)


def decimal_of(text: str) -> Decimal | None:
    """A written amount as a Decimal: the last separator before 1-2 digits is the decimal one."""
    last = max(text.rfind(","), text.rfind("."))
    decimals = len(text) - last - 1 if last >= 0 else 0
    if last >= 0 and decimals in (1, 2):
        whole, fraction = text[:last], text[last + 1 :]
    else:
        whole, fraction = text, ""
    digits = re.sub(r"[.,]", "", whole)
    try:
        return Decimal(f"{digits}.{fraction}" if fraction else digits)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Found:
    """A number in a goal, and where it was written."""

    value: Decimal
    start: int
    end: int


def money(text: str) -> list[Found]:
    """Every amount of euros in ``text`` (normalized), in order."""
    found = []
    for match in _MONEY.finditer(text):
        raw = match["a"] or match["b"] or match["c"]
        value = decimal_of(raw)
        if value is not None:
            found.append(Found(value, match.start(), match.end()))
    return found


def percentages(text: str) -> list[Found]:
    """Every percentage in ``text`` (normalized), signed when written with + or -."""
    found = []
    for match in _PERCENT.finditer(text):
        value = decimal_of(match["n"])
        if value is not None:
            found.append(
                Found(-value if match["sign"] == "-" else value, match.start(), match.end())
            )
    return found


def without(text: str, spans: list[Found]) -> str:
    """``text`` with the found numbers cut out (so their words are not read as a name)."""
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        text = text[: span.start] + " " + text[span.end :]
    return text


def plain(value: Decimal) -> str:
    """A Decimal as the plain string parameters carry ("30", "12.99", "-15")."""
    return f"{value.normalize():f}"
