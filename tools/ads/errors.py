"""Errors of an ads platform, typed so nodes can explain them (an alert, a sentence)."""

from __future__ import annotations


class AdsError(Exception):
    """A call to an ads platform failed; ``code`` is the platform's own error code."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class AdsAuthError(AdsError):
    """The access token is missing, invalid or lacks the ad account's permission."""


class AdsRateLimitError(AdsError):
    """The platform throttled the app or the ad account; try again later."""


class AdsNotFoundError(AdsError):
    """The object (campaign, ad set, ad) does not exist on the platform."""
