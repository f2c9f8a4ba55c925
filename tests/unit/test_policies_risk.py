"""Risk levels order by severity (not alphabetically), and deadlines parse to exact durations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policies import Priority, RiskLevel, Role, format_duration, parse_duration


def test_levels_order_by_severity_not_alphabet() -> None:
    assert RiskLevel.LOW < RiskLevel.MEDIUM < RiskLevel.HIGH
    assert max([RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.LOW]) is RiskLevel.HIGH
    assert sorted([RiskLevel.HIGH, RiskLevel.LOW, RiskLevel.MEDIUM]) == [
        RiskLevel.LOW,
        RiskLevel.MEDIUM,
        RiskLevel.HIGH,
    ]
    assert RiskLevel.HIGH >= RiskLevel.HIGH
    assert RiskLevel.LOW <= RiskLevel.LOW
    assert not RiskLevel.HIGH < RiskLevel.LOW


def test_levels_stay_plain_strings() -> None:
    assert RiskLevel.HIGH == "HIGH"
    by_value: dict[str, int] = {RiskLevel.LOW: 1}
    assert by_value["LOW"] == 1
    assert RiskLevel.MEDIUM < "HIGH"  # a level's value compares by severity too


def test_unrelated_enums_and_junk_do_not_compare() -> None:
    with pytest.raises(TypeError):
        _ = RiskLevel.LOW < Priority.CRITICAL
    with pytest.raises(ValueError, match="URGENT"):
        _ = RiskLevel.LOW < "URGENT"


def test_priority_and_role_orders() -> None:
    assert Priority.LOW < Priority.MEDIUM < Priority.HIGH < Priority.CRITICAL
    assert Role.VIEWER < Role.OPERATOR < Role.APPROVER < Role.ADMIN
    assert Role("approver") is Role.APPROVER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("45s", timedelta(seconds=45)),
        ("PT24H", timedelta(hours=24)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P2W", timedelta(weeks=2)),
        (" 4h ", timedelta(hours=4)),
    ],
)
def test_durations_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "h", "24", "24 hours", "P", "PT", "P1M", "P1Y", "1y", "0h", "PT0S", "91d", "-1h"]
)
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|zero|at most"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=24), "24h"),
        (timedelta(hours=48), "48h"),
        (timedelta(days=3), "3d"),
        (timedelta(hours=4), "4h"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=4, hours=2), "4d2h"),
    ],
)
def test_durations_format_compactly_and_round_trip(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text
    assert parse_duration(format_duration(duration)) == duration
