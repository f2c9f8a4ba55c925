"""A bad policy file fails at load with the file, the line and the field; the shipped one loads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from policies import (
    DEFAULT_POLICY_PATH,
    Action,
    PolicyFileError,
    RiskLevel,
    classify,
    load_policy,
)

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
RULE_IDS = [rule.id for rule in load_policy().rules]


def rule_index(rule_id: str) -> int:
    return RULE_IDS.index(rule_id)


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first ``needle`` following ``after``."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def edit(old: str, new: str, *, after: str = "") -> str:
    start = DEFAULT_TEXT.index(after) if after else 0
    position = DEFAULT_TEXT.index(old, start)
    return DEFAULT_TEXT[:position] + new + DEFAULT_TEXT[position + len(old) :]


def load_text(tmp_path: Path, text: str) -> PolicyFileError:
    file = tmp_path / "policy.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(file)
    assert caught.value.source == str(file)
    return caught.value


def test_the_shipped_policy_loads() -> None:
    policy = load_policy()
    assert policy.source == str(DEFAULT_POLICY_PATH)
    assert policy.digest == hashlib.sha256(DEFAULT_POLICY_PATH.read_bytes()).hexdigest()
    assert len(policy.rules) == len(RULE_IDS) > 20
    assert policy.document.fx_to_eur["EUR"] == 1


#: (name, edited text, text on the expected line, its occurrence (1 = first), path, message)
Case = tuple[str, Callable[[], str], str, int, str, str]
CASES: list[Case] = [
    (
        "bad level",
        lambda: edit("level: MEDIUM", "level: URGENT", after="id: product-publish"),
        "level: URGENT",
        1,
        f"rules[{rule_index('product-publish')}].level",
        "Input should be 'LOW', 'MEDIUM' or 'HIGH'",
    ),
    (
        "unknown key",
        lambda: edit(
            "    level: MEDIUM", "    colour: red\n    level: MEDIUM", after="product-update"
        ),
        "colour: red",
        1,
        f"rules[{rule_index('product-update')}].colour",
        "unknown field (not part of the policy schema; check the spelling)",
    ),
    (
        "wrong scalar type",
        lambda: edit("max_write_actions: 25", "max_write_actions: many"),
        "max_write_actions: many",
        1,
        "run_limits.max_write_actions",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        "scalar instead of list",
        lambda: edit("approver_roles: [admin]", "approver_roles: admin", after="supplier-failing"),
        "approver_roles: admin",
        1,
        f"rules[{rule_index('supplier-failing')}].approver_roles",
        "Input should be a list",
    ),
    (
        "threshold not a number",
        lambda: edit("{gt: 50}", "{gt: fifty}"),
        "{gt: fifty}",
        1,
        f"rules[{rule_index('refund-over-limit')}].when.amount_eur.gt",
        "Input should be a valid decimal",
    ),
    (
        "missing field",
        lambda: edit("    description: Publishing a product to the storefront\n", ""),
        "- id: product-publish",
        1,
        f"rules[{rule_index('product-publish')}].description",
        "Field required",
    ),
    (
        "kind typo",
        lambda: edit(
            "kinds: [refund.create], amount_eur: {gt", "kinds: [refund.crate], amount_eur: {gt"
        ),
        "refund.crate",
        1,
        f"rules[{rule_index('refund-over-limit')}].when.kinds[0]",
        "unknown kind 'refund.crate'; declare it in custom_kinds or fix the typo",
    ),
    (
        "bad deadline",
        lambda: edit("deadline: 4h", "deadline: 4 hours", after="refund-over-limit"),
        "deadline: 4 hours",
        1,
        f"rules[{rule_index('refund-over-limit')}].deadline",
        "'4 hours' is not a duration; write e.g. '24h', '1h30m', '3d' or ISO-8601 'PT24H'",
    ),
    (
        "viewer as approver",
        lambda: edit("approver_roles: [admin]", "approver_roles: [viewer]", after="market-entry"),
        "approver_roles: [viewer]",
        1,
        f"rules[{rule_index('market-entry')}].approver_roles",
        "viewers can never decide approvals",
    ),
    (
        "duplicate rule id",
        lambda: edit("id: market-entry", "id: strategy-pivot"),
        "id: strategy-pivot",
        2,
        f"rules[{rule_index('market-entry')}].id",
        f"duplicate rule id 'strategy-pivot' (also rules[{rule_index('strategy-pivot')}])",
    ),
    (
        "bounds that never match",
        lambda: edit("{ge: 100, le: 1000}", "{ge: 1000, le: 100}"),
        "{ge: 1000, le: 100}",
        1,
        f"rules[{rule_index('budget-medium')}].when.amount_eur",
        "the bounds exclude every value, so the rule could never match",
    ),
    (
        "euro rate not 1",
        lambda: edit("  EUR: 1\n", "  EUR: 1.1\n"),
        "fx_to_eur:",
        1,
        "fx_to_eur",
        "must map EUR to 1 (amounts are compared in euros)",
    ),
    (
        "negative limit",
        lambda: edit("max_llm_cost_eur: 2.00", "max_llm_cost_eur: -1"),
        "max_llm_cost_eur: -1",
        1,
        "run_limits.max_llm_cost_eur",
        "Input should be greater than or equal to 0",
    ),
    (
        "duplicate key",
        lambda: edit(
            "    level: HIGH\n", "    level: HIGH\n    level: LOW  # dup\n", after="market-entry"
        ),
        "level: LOW  # dup",
        1,
        f"rules[{rule_index('market-entry')}].level",
        f"duplicate key (first on line {line_of(DEFAULT_TEXT, 'level: HIGH', 'market-entry')})",
    ),
]


@pytest.mark.parametrize(
    ("make_text", "needle", "occurrence", "path", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_files_name_the_line_and_the_field(
    tmp_path: Path,
    make_text: Callable[[], str],
    needle: str,
    occurrence: int,
    path: str,
    message: str,
) -> None:
    text = make_text()
    error = load_text(tmp_path, text)
    position = -1
    for _ in range(occurrence):
        position = text.index(needle, position + 1)
    line = text[:position].count("\n") + 1
    assert str(error) == f"{tmp_path / 'policy.yaml'}:{line}: {path}: {message}"
    assert [(issue.line, issue.path) for issue in error.issues] == [(line, path)]


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    text = edit("    when: {kinds: [customer.reply]}", "    when: {kinds: [customer.reply}")
    error = load_text(tmp_path, text)
    line = line_of(text, "[customer.reply}")
    assert str(error).startswith(f"{tmp_path / 'policy.yaml'}:{line}: YAML syntax error: ")


def test_several_problems_are_all_reported_in_file_order(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("max_write_actions: 25", "max_write_actions: x").replace(
        "level: LOW", "level: low"
    )
    error = load_text(tmp_path, text)
    lines = [issue.line or 0 for issue in error.issues]
    assert lines == sorted(lines)
    assert len(error.issues) == 1 + DEFAULT_TEXT.count("level: LOW")
    assert len(str(error).splitlines()) == len(error.issues)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file must be a YAML mapping with version, fx_to_eur, defaults, … and rules"),
        (
            "- a\n- b\n",
            "the file must be a YAML mapping with version, fx_to_eur, defaults, … and rules",
        ),
        ("version: 1\n", "defaults: Field required"),
        ("version: 2\n", "version: Input should be 1"),
    ],
)
def test_files_that_are_not_policies(tmp_path: Path, text: str, message: str) -> None:
    error = load_text(tmp_path, text)
    assert f"{tmp_path / 'policy.yaml'}:1: {message}" in str(error).splitlines()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"nope\.yaml: cannot read"):
        load_policy(tmp_path / "nope.yaml")


def test_custom_kinds_can_be_declared_and_ruled(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("custom_kinds: []", "custom_kinds: [email.broadcast]") + (
        "  - id: email-broadcast\n"
        "    description: Email to the whole customer list\n"
        "    when: {kinds: [email.broadcast]}\n"
        "    level: MEDIUM\n"
    )
    file = tmp_path / "policy.yaml"
    file.write_text(text, encoding="utf-8")
    policy = load_policy(file)
    broadcast = Action(cluster="marketing", agent="email", tool="klaviyo", kind="email.broadcast")
    assert classify(broadcast, policy).level is RiskLevel.MEDIUM
    clash = DEFAULT_TEXT.replace("custom_kinds: []", "custom_kinds: [refund.create]")
    error = load_text(tmp_path, clash)
    assert "custom_kinds[0]: 'refund.create' is already a built-in kind" in str(error)


def test_digest_follows_the_file_bytes(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    raised = DEFAULT_TEXT.replace("{gt: 50}", "{gt: 60}").replace("{le: 50}", "{le: 60}")
    file.write_text(raised, encoding="utf-8")
    edited = load_policy(file)
    assert edited.digest == hashlib.sha256(file.read_bytes()).hexdigest()
    assert edited.digest != load_policy().digest
    refund = Action(
        cluster="cs", agent="support", tool="shopify", kind="refund.create", amount=Decimal("55")
    )
    assert classify(refund, edited).level is RiskLevel.MEDIUM
    assert classify(refund, load_policy()).level is RiskLevel.HIGH


def test_anchors_and_merge_keys_are_not_mistaken_for_duplicates(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace(
        "  LOW:\n    approver_roles: [approver, admin]\n    deadline: 24h\n    priority: LOW\n",
        "  LOW: &low\n    approver_roles: [approver, admin]\n    deadline: 24h\n"
        "    priority: LOW\n",
    ).replace(
        "  MEDIUM:\n    approver_roles: [approver, admin]\n    deadline: 24h\n"
        "    priority: MEDIUM\n",
        "  MEDIUM:\n    <<: *low\n    priority: MEDIUM\n",
    )
    assert "<<: *low" in text
    file = tmp_path / "policy.yaml"
    file.write_text(text, encoding="utf-8")
    merged = load_policy(file)
    assert merged.document.defaults == load_policy().document.defaults
