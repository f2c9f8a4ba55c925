"""Replay runs on the clock of the recording: what a node derives from "now" (a checkout's age,
today's P&L dates) is what it was when the cassette was made, however much later CI replays it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.cassettes import read_label
from evals.runner import CASSETTES_DIR, replay_clock


def test_the_replay_clock_starts_when_the_case_was_recorded() -> None:
    clock = replay_clock({"recorded_at": "2026-01-02T03:04:05+00:00"})
    assert clock is not None
    first, second = clock(), clock()
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert start <= first <= second < start + timedelta(seconds=5)  # then at the real pace


def test_a_cassette_without_a_recording_time_replays_on_the_real_clock() -> None:
    assert replay_clock({}) is None


def test_every_shipped_cassette_says_when_it_was_recorded() -> None:
    cassettes = sorted(CASSETTES_DIR.glob("*/*.yaml"))
    assert cassettes
    missing = [p.name for p in cassettes if "recorded_at" not in read_label(p)]
    assert not missing, f"re-record these with `royal eval --record`: {missing}"
