"""Shopify's waits that are not cost math come from the helpers every client shares."""

from __future__ import annotations

from tools.backoff import jittered_backoff, retry_after_seconds

__all__ = ["jittered_backoff", "retry_after_seconds"]
