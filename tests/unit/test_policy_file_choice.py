"""Which policy a process loads: ROYAL_POLICY_FILE, else the one an admin saved, else ours."""

from __future__ import annotations

from pathlib import Path

from nodes.services import policy_file
from server.console.policy_edit import edited_policy_path
from settings import Settings


def test_the_saved_policy_is_preferred_once_it_exists(tmp_path: Path) -> None:
    settings = Settings(royal_data_dir=tmp_path)
    assert policy_file(settings) is None  # the shipped default
    assert edited_policy_path(settings) == tmp_path / "policy.yaml"  # never the shipped file
    (tmp_path / "policy.yaml").write_text("version: 1\n")
    assert policy_file(settings) == tmp_path / "policy.yaml"


def test_an_explicit_policy_file_wins_and_is_the_one_edited(tmp_path: Path) -> None:
    chosen = tmp_path / "ops" / "risk.yaml"
    (tmp_path / "policy.yaml").write_text("version: 1\n")
    settings = Settings(royal_data_dir=tmp_path, royal_policy_file=chosen)
    assert policy_file(settings) == chosen
    assert edited_policy_path(settings) == chosen
