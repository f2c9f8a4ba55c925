"""The Judge.me reviews API emulator (reviews, public replies, review requests)."""

from tools.sandbox.judgeme.emulator import JudgeMeEmulator, NewReview
from tools.sandbox.judgeme.store import JudgeMeStore

__all__ = ["JudgeMeEmulator", "JudgeMeStore", "NewReview"]
