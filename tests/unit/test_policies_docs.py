"""docs/policies.md stays true: its tables and its error example come from the shipped policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import DEFAULT_POLICY_PATH, PolicyFileError, load_policy, parse_policy
from policies.docs import BEGIN, END, generated_block, main, replace_block

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_the_rules_tables_match_the_shipped_policy() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert generated_block(load_policy()) in text, (
        "regenerate: uv run python -m policies.docs --write docs/policies.md"
    )


def test_every_rule_and_threshold_is_in_the_tables() -> None:
    tables = generated_block(load_policy())
    for rule in load_policy().rules:
        assert f"| `{rule.id}` |" in tables
    for threshold in ("amount ≤ €50", "amount > €50", "price change > 20%", "amount > €500"):
        assert threshold in tables
    assert "amount ≥ €100 and ≤ €1000" in tables


def test_the_documented_error_is_what_the_loader_says() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    start = text.index("id: refund-over-limit")
    broken = text[:start] + text[start:].replace("level: HIGH", "level: URGENT", 1)
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(broken, source="policy.yaml")
    assert f"```text\n{caught.value}\n```" in DOC.read_text(encoding="utf-8")


def test_the_generator_rewrites_only_its_block(tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    target.write_text(f"intro\n{BEGIN}\nstale\n{END}\noutro\n", encoding="utf-8")
    assert main(["--write", str(target)]) == 0
    written = target.read_text(encoding="utf-8")
    assert written == replace_block(f"intro\n{BEGIN}\n{END}\noutro\n", load_policy())
    assert written.startswith("intro\n")
    assert written.endswith("\noutro\n")
    assert "stale" not in written
