"""Approval deadlines as written in the policy file: ``24h``-style or ISO-8601 (``PT24H``).

Years and months are refused: their length varies, and a deadline must mean one exact duration.
"""

from __future__ import annotations

import re
from datetime import timedelta

_SHORT = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_ISO = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")

#: Longer than this is almost certainly a typo (``240h`` meant as ``24h`` is still allowed).
MAX_DEADLINE = timedelta(days=90)


def parse_duration(text: str) -> timedelta:
    """``"24h"``, ``"1h30m"``, ``"3d"``, ``"PT24H"``, ``"P1DT12H"`` → a positive timedelta."""
    value = text.strip()
    match = _SHORT.fullmatch(value) or _ISO.fullmatch(value)
    if not value or match is None or not any(match.groups()) or value.endswith("T"):
        raise ValueError(
            f"{text!r} is not a duration; write e.g. '24h', '1h30m', '3d' or ISO-8601 'PT24H'"
        )
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if duration <= timedelta(0):
        raise ValueError("a deadline must be longer than zero")
    if duration > MAX_DEADLINE:
        raise ValueError(f"a deadline may be at most {format_duration(MAX_DEADLINE)}")
    return duration


def format_duration(duration: timedelta) -> str:
    """The compact form people write in the file: ``"24h"``, ``"3d"``, ``"1h30m"``."""
    total = int(duration.total_seconds())
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    # Whole days read better as hours below three days ("24h", "48h" rather than "1d", "2d").
    if len(parts) == 1 and parts[0].endswith("d") and duration < timedelta(days=3):
        return f"{int(duration.total_seconds()) // 3_600}h"
    return "".join(parts) or "0s"
