"""Classification under the shipped policy: every seed threshold at its boundary; fail closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from policies import (
    DEFAULT_POLICY_PATH,
    KILL_SWITCH_REASON,
    Action,
    ActionKind,
    Disposition,
    PolicyEngine,
    PolicyFileError,
    Priority,
    RiskLevel,
    Role,
    can_decide,
    classify,
    load_policy,
    parse_policy,
    run_limit_violations,
)
from policies.classify import UNKNOWN_CURRENCY, UNMATCHED

POLICY = load_policy()
LOW, MEDIUM, HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH


def action(kind: str, **fields: Any) -> Action:
    base: dict[str, Any] = {"cluster": "ops", "agent": "tester", "tool": "tool", "kind": kind}
    return Action.model_validate(base | fields)


def level_of(kind: str, **fields: Any) -> RiskLevel:
    return classify(action(kind, **fields), POLICY).level


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", LOW),
        ("99", LOW),
        ("99.99", LOW),
        ("100", MEDIUM),
        ("500", MEDIUM),
        ("1000", MEDIUM),
        ("1000.01", HIGH),
        ("1001", HIGH),
    ],
)
def test_budget_adjustment_thresholds(amount: str, expected: RiskLevel) -> None:
    assert level_of("budget.adjust", amount=Decimal(amount)) is expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("119", MEDIUM),  # +19 %
        ("120", MEDIUM),  # +20 % exactly
        ("120.01", HIGH),
        ("121", HIGH),  # +21 %
        ("81", MEDIUM),  # -19 %
        ("80", MEDIUM),  # -20 %
        ("79", HIGH),  # -21 %
        ("100", MEDIUM),
    ],
)
def test_price_change_thresholds(after: str, expected: RiskLevel) -> None:
    prices = {"price_before": Decimal("100"), "price_after": Decimal(after)}
    assert level_of("price.change", **prices) is expected


def test_a_big_price_change_through_a_product_update_is_high() -> None:
    prices = {"price_before": Decimal("10"), "price_after": Decimal("13")}
    assert level_of("product.update", **prices) is HIGH
    assert level_of("product.update") is MEDIUM


@pytest.mark.parametrize(
    ("amount", "expected"), [("0.01", MEDIUM), ("50", MEDIUM), ("50.01", HIGH), ("75", HIGH)]
)
def test_refund_threshold(amount: str, expected: RiskLevel) -> None:
    assert level_of("refund.create", amount=Decimal(amount)) is expected


@pytest.mark.parametrize(
    ("amount", "expected"), [("10", MEDIUM), ("500", MEDIUM), ("500.01", HIGH), ("501", HIGH)]
)
def test_campaign_launch_threshold(amount: str, expected: RiskLevel) -> None:
    assert level_of("campaign.launch", amount=Decimal(amount)) is expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("99", LOW), ("100", MEDIUM), ("1000", MEDIUM), ("1000.01", HIGH), ("1001", HIGH)],
)
def test_expense_thresholds(amount: str, expected: RiskLevel) -> None:
    assert level_of("expense.create", amount=Decimal(amount)) is expected


@pytest.mark.parametrize(("amount", "expected"), [("1000", LOW), ("1001", HIGH)])
def test_supplier_order_threshold(amount: str, expected: RiskLevel) -> None:
    facts = {"amount": Decimal(amount), "supplier_id": "cj-7", "supplier_status": "proven"}
    assert level_of("supplier.order", **facts) is expected


@pytest.mark.parametrize(("pct", "expected"), [("10", MEDIUM), ("30", MEDIUM), ("30.01", HIGH)])
def test_discount_threshold(pct: str, expected: RiskLevel) -> None:
    assert level_of("discount.create", discount_pct=Decimal(pct)) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, MEDIUM),
        ({"confidence": 0.92, "margin_pct": Decimal("45")}, MEDIUM),
        ({"confidence": 0.6}, MEDIUM),
        ({"confidence": 0.59}, HIGH),
        ({"margin_pct": Decimal("20")}, MEDIUM),
        ({"margin_pct": Decimal("19.9")}, HIGH),
        ({"margin_pct": Decimal("-5")}, HIGH),
    ],
)
def test_new_product_additions(facts: dict[str, Any], expected: RiskLevel) -> None:
    assert level_of("product.create", **facts) is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("customer.reply", LOW),
        ("ab_test.create", LOW),
        ("inventory.set", LOW),
        ("fulfillment.create", LOW),
        ("campaign.variant", MEDIUM),
        ("product.publish", MEDIUM),
        ("github.write", MEDIUM),
        ("strategy.pivot", HIGH),
        ("market.entry", HIGH),
    ],
)
def test_fixed_levels(kind: str, expected: RiskLevel) -> None:
    assert level_of(kind) is expected


def test_new_supplier_onboarding_is_high() -> None:
    onboard = action("supplier.onboard", supplier_id="sup-9", supplier_status="new")
    result = classify(onboard, POLICY)
    assert result.level is HIGH
    assert result.requires_approval
    assert result.matched_rules == ("supplier-onboard", "supplier-new")
    assert result.approver_roles == (Role.APPROVER, Role.ADMIN)


@pytest.mark.parametrize("kind", ["product.create", "inventory.restock", "supplier.order"])
def test_any_action_using_a_new_supplier_is_high(kind: str) -> None:
    facts = {"supplier_id": "cj-new-1", "supplier_status": "new", "amount": Decimal("5")}
    result = classify(action(kind, **facts), POLICY)
    assert result.level is HIGH
    assert "supplier-new" in result.deciding_rules
    assert "Uses a supplier not yet onboarded: supplier cj-new-1 is new" in result.reasons


def test_reasons_name_the_supplier_when_the_action_does_but_never_rate_the_name() -> None:
    facts: dict[str, Any] = {"supplier_id": "cj-new-1", "supplier_status": "new"}
    named = classify(action("product.create", supplier_name="Acme Fitness", **facts), POLICY)
    plain = classify(action("product.create", **facts), POLICY)
    assert "Uses a supplier not yet onboarded: supplier Acme Fitness (cj-new-1) is new" in (
        named.reasons
    )
    assert (named.level, named.matched_rules) == (plain.level, plain.matched_rules)


def test_restock_from_a_proven_supplier_is_low_and_otherwise_high() -> None:
    proven = {"supplier_id": "cj-1", "supplier_status": "proven"}
    assert level_of("inventory.restock", **proven) is LOW
    unvetted = classify(action("inventory.restock", supplier_id="cj-1"), POLICY)
    assert unvetted.level is HIGH
    assert unvetted.flags == ("supplier-unvetted",)


def test_a_failing_supplier_is_high_flagged_critical_and_for_admins_only() -> None:
    result = classify(
        action("product.create", supplier_id="cj-3", supplier_status="failing"), POLICY
    )
    assert result.level is HIGH
    assert result.flags == ("supplier-failing",)
    assert result.priority is Priority.CRITICAL
    assert result.deadline == timedelta(hours=4)
    assert result.approver_roles == (Role.ADMIN,)
    assert not can_decide(Role.APPROVER, result)
    assert can_decide(Role.ADMIN, result)


def test_reasons_name_the_fact_and_the_limit() -> None:
    result = classify(action("refund.create", amount=Decimal("75")), POLICY)
    assert result.reasons == ("Refund above the €50 limit: amount €75.00 > €50",)
    assert result.matched_rules == ("refund-over-limit",)
    assert result.amount_eur == Decimal("75")


def test_foreign_amounts_are_converted_with_the_files_rates() -> None:
    # USD 0.86: USD 58 = €49.88 (≤ 50), USD 60 = €51.60 (> 50).
    assert level_of("refund.create", amount=Decimal("58"), currency="USD") is MEDIUM
    over = classify(action("refund.create", amount=Decimal("60"), currency="USD"), POLICY)
    assert over.level is HIGH
    assert over.amount_eur == Decimal("51.60")
    assert over.reasons == ("Refund above the €50 limit: amount €51.60 (USD 60.00) > €50",)


def test_an_amount_in_an_unknown_currency_fails_closed() -> None:
    result = classify(action("refund.create", amount=Decimal("1"), currency="JPY"), POLICY)
    assert result.level is HIGH
    assert UNKNOWN_CURRENCY in result.deciding_rules
    assert any("no EUR rate for JPY" in reason for reason in result.reasons)


def test_an_unknown_kind_fails_closed() -> None:
    result = classify(action("email.blast", amount=Decimal("1")), POLICY)
    assert result.level is HIGH
    assert result.requires_approval
    assert result.matched_rules == ()
    assert result.deciding_rules == (UNMATCHED,)
    assert result.reasons == ("no rule covers the kind email.blast (fail closed)",)
    assert result.approver_roles == (Role.ADMIN,)


def test_a_known_kind_whose_rules_all_miss_fails_closed() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "  - id: refund\n    description: Refund up to the €50 limit (executes, and notifies)\n"
        "    when: {kinds: [refund.create], amount_eur: {le: 50}}\n    level: MEDIUM\n",
        "",
    )
    policy = parse_policy(text)
    result = classify(action("refund.create", amount=Decimal("5")), policy)
    assert result.level is HIGH
    assert result.reasons == ("no rule for refund.create matches these facts (fail closed)",)


def test_escalation_rules_alone_do_not_cover_a_kind() -> None:
    result = classify(action("email.blast", supplier_id="cj-1", supplier_status="proven"), POLICY)
    assert result.level is HIGH
    assert UNMATCHED in result.deciding_rules


def test_every_builtin_kind_is_covered_by_the_shipped_policy() -> None:
    covered = {kind for rule in POLICY.rules for kind in rule.match.kinds or ()}
    assert {kind.value for kind in ActionKind} <= covered


def test_reads_are_never_gated() -> None:
    read = action("refund.create", access="read", amount=Decimal("10000"))
    for switch in (False, True):
        result = classify(read, POLICY, kill_switch=switch)
        assert result.level is LOW
        assert not result.requires_approval
        assert result.disposition is Disposition.EXECUTE
        assert result.kill_switch is switch


@pytest.mark.parametrize("kind", ["customer.reply", "github.write", "campaign.variant"])
def test_kill_switch_makes_every_write_wait(kind: str) -> None:
    normal = classify(action(kind), POLICY)
    switched = classify(action(kind), POLICY, kill_switch=True)
    assert not normal.requires_approval
    assert switched.requires_approval
    assert switched.disposition is Disposition.AWAIT_APPROVAL
    assert switched.kill_switch
    assert switched.level is normal.level
    assert switched.reasons[0] == KILL_SWITCH_REASON
    assert switched.deadline == timedelta(hours=4)
    assert switched.approver_roles == (Role.APPROVER, Role.ADMIN)


def test_kill_switch_keeps_a_high_actions_own_constraints() -> None:
    failing = action("product.create", supplier_id="cj-3", supplier_status="failing")
    result = classify(failing, POLICY, kill_switch=True)
    assert result.approver_roles == (Role.ADMIN,)
    assert result.priority is Priority.CRITICAL
    assert result.reasons[0] == KILL_SWITCH_REASON


def test_dispositions() -> None:
    assert classify(action("customer.reply"), POLICY).disposition is Disposition.EXECUTE
    medium = classify(action("github.write"), POLICY)
    assert medium.disposition is Disposition.EXECUTE_AND_NOTIFY
    high = classify(action("market.entry"), POLICY)
    assert high.disposition is Disposition.AWAIT_APPROVAL


def test_several_deciding_rules_take_the_soonest_deadline_and_top_priority() -> None:
    # refund-over-limit: 4h, HIGH; supplier-failing: 4h, CRITICAL, admin only; a pivot: 72h.
    pivot = classify(action("strategy.pivot"), POLICY)
    assert pivot.deadline == timedelta(hours=72)
    pivot_new = action("strategy.pivot", supplier_id="sup-1", supplier_status="new")
    result = classify(pivot_new, POLICY)
    assert set(result.deciding_rules) == {"strategy-pivot", "supplier-new"}
    assert result.deadline == timedelta(hours=24)
    assert result.approver_roles == (Role.ADMIN,)
    failing_refund = action(
        "refund.create", amount=Decimal("80"), supplier_id="s", supplier_status="failing"
    )
    assert classify(failing_refund, POLICY).priority is Priority.CRITICAL
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert result.deadline_from(start) == datetime(2026, 1, 2, tzinfo=UTC)


def test_lower_rules_still_explain_but_do_not_decide() -> None:
    result = classify(action("product.create", confidence=0.4), POLICY)
    assert result.matched_rules == ("product-create", "product-low-confidence")
    assert result.deciding_rules == ("product-low-confidence",)
    assert result.reasons[0].startswith("New product with low confidence: confidence 0.4 < 0.6")


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        ("approver", "refund.create", True),
        ("admin", "refund.create", True),
        ("operator", "refund.create", False),
        ("viewer", "refund.create", False),
        ("root", "refund.create", False),
        (Role.APPROVER, "strategy.pivot", False),
        (Role.ADMIN, "strategy.pivot", True),
    ],
)
def test_who_may_decide(role: str, kind: str, allowed: bool) -> None:
    result = classify(action(kind, amount=Decimal("80")), POLICY)
    assert can_decide(role, result) is allowed


def test_classification_is_serialisable_and_stamped_with_the_policy() -> None:
    result = classify(action("refund.create", amount=Decimal("75")), POLICY)
    assert result.policy_digest == POLICY.digest
    dumped = result.model_dump(mode="json")
    assert dumped["deadline"] == "PT4H"
    assert type(result).model_validate(dumped) == result


def test_run_limits_from_the_file() -> None:
    limits = POLICY.run_limits
    assert run_limit_violations(limits, llm_cost_eur=Decimal("2.00"), write_actions=25) == ()
    over = run_limit_violations(limits, llm_cost_eur=Decimal("2.01"), write_actions=26)
    assert over == (
        "LLM cost €2.01 exceeds the €2.00 per-run limit",
        "26 write actions exceed the per-run limit of 25",
    )
    assert limits.may_write(24)
    assert not limits.may_write(25)


def test_engine_classifies_with_its_kill_switch_and_reloads(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    engine = PolicyEngine.load(file)
    refund = action("refund.create", amount=Decimal("60"))
    assert engine.classify(refund).level is HIGH
    engine.kill_switch = True
    assert engine.classify(action("customer.reply")).requires_approval
    engine.kill_switch = False

    file.write_text(
        file.read_text().replace("{gt: 50}", "{gt: 100}").replace("{le: 50}", "{le: 100}")
    )
    old_digest = engine.policy.digest
    engine.reload()
    assert engine.policy.digest != old_digest
    assert engine.classify(refund).level is MEDIUM

    file.write_text("rules: [", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"policy\.yaml:1"):
        engine.reload()
    assert engine.classify(refund).level is MEDIUM  # the good policy stays in force
    assert engine.run_limits.max_write_actions == 25


def test_an_engine_around_a_policy_in_memory_has_nothing_to_reload() -> None:
    engine = PolicyEngine(POLICY)
    assert engine.classify(action("market.entry")).level is HIGH
    with pytest.raises(RuntimeError, match="in memory"):
        engine.reload()
