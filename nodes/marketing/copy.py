"""Ad Copy Agent: platform-specific copy within each platform's limits, in several variants
(for A/B tests) and in the store's languages (English and Dutch).

The limits are the platforms' own: Meta shows a 40-character headline, 125 characters of
primary text and a 30-character description before truncating; TikTok's ad text is 1–100
characters; a Google responsive search ad takes 30-character headlines and 90-character
descriptions. ``AdCopy`` refuses copy over a limit, so an approver's edit cannot smuggle one in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Platform(StrEnum):
    META = "meta"
    TIKTOK = "tiktok"
    GOOGLE = "google"


@dataclass(frozen=True)
class Limits:
    headline: int
    primary_text: int
    description: int


LIMITS: dict[Platform, Limits] = {
    Platform.META: Limits(headline=40, primary_text=125, description=30),
    Platform.TIKTOK: Limits(headline=40, primary_text=100, description=0),
    Platform.GOOGLE: Limits(headline=30, primary_text=90, description=90),
}
LANGUAGES = ("en", "nl")


class AdCopy(BaseModel):
    """One variant of an ad's words for one platform and language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Platform = Platform.META
    language: str = Field(pattern=r"^[a-z]{2}$")
    headline: str = Field(min_length=1)
    primary_text: str = Field(min_length=1)
    description: str = ""

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        limits = LIMITS[self.platform]
        for name in ("headline", "primary_text", "description"):
            value: str = getattr(self, name)
            limit: int = getattr(limits, name)
            if len(value) > limit:
                raise ValueError(
                    f"{self.platform.value} {name.replace('_', ' ')} is {len(value)} characters; "
                    f"the limit is {limit}"
                )
        return self


#: Angles per language: (headline, primary text, description). {t} is the product, {p} the price.
_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "en": (
        ("{t}", "Meet the {t}: made for every day. Now €{p} with fast EU shipping.", "Shop now"),
        (
            "Only €{p}: {t}",
            "Thousands of happy customers love it. Get your {t} today.",
            "Limited stock",
        ),
        (
            "Treat yourself: {t}",
            "Upgrade your routine with the {t}. Free returns, 30 days.",
            "Free returns",
        ),
    ),
    "nl": (
        ("{t}", "Maak kennis met de {t}: voor elke dag. Nu €{p}, snel geleverd.", "Shop nu"),
        (
            "Slechts €{p}: {t}",
            "Duizenden blije klanten. Bestel vandaag je {t}.",
            "Beperkte voorraad",
        ),
        (
            "Verwen jezelf: {t}",
            "Jouw dag wordt beter met de {t}. Gratis retour, 30 dagen.",
            "Gratis retour",
        ),
    ),
}


def _fit(template: str, title: str, price: str, limit: int) -> str:
    """The template with the product's name shortened (at a word) until the line fits."""
    words = title.split()
    while True:
        text = template.format(t=" ".join(words), p=price)
        if len(text) <= limit or len(words) <= 1:
            return text[:limit] if limit else ""
        words = words[:-1]


def write_copy(
    title: str,
    price: Decimal | None,
    *,
    platform: Platform = Platform.META,
    languages: tuple[str, ...] | list[str] = LANGUAGES,
    variants: int = 2,
) -> list[AdCopy]:
    """``variants`` angles per language, each within the platform's limits."""
    limits = LIMITS[platform]
    shown = f"{price:.2f}".replace(".", ",") if price is not None else ""
    result: list[AdCopy] = []
    for language in languages:
        templates = _TEMPLATES.get(language)
        if templates is None:
            raise ValueError(
                f"no ad copy for language {language!r} (have: {', '.join(_TEMPLATES)})"
            )
        for headline, text, description in templates[:variants]:
            if price is None:
                headline, text = headline.replace("€{p}", "").strip(": "), text.replace(" €{p}", "")
            result.append(
                AdCopy(
                    platform=platform,
                    language=language,
                    headline=_fit(headline, title, shown, limits.headline),
                    primary_text=_fit(text, title, shown, limits.primary_text),
                    description=_fit(description, title, shown, limits.description),
                )
            )
    return result
