"""The store's FAQ and policies (``faq.yaml`` beside this module): what the bot may quote."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

FAQ_FILE = Path(__file__).with_name("faq.yaml")


class FaqEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    when: list[list[str]] = Field(min_length=1)
    answer: str

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        return any(all(_has(lowered, word) for word in group) for group in self.when)


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase.lower())}", text) is not None


class StoreFaq(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    store: str
    support_email: str
    handling_days: int = Field(ge=0)
    entries: list[FaqEntry]

    def answers(self, text: str) -> list[FaqEntry]:
        return [entry for entry in self.entries if entry.matches(text)]


@functools.cache
def store_faq(path: Path = FAQ_FILE) -> StoreFaq:
    return StoreFaq.model_validate(yaml.safe_load(path.read_text()))
