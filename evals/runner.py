"""Run one eval case: its fixture, its chat turns (or gate probe), the scripted human, and
everything the scorers need, with every HTTP call going through the case's cassette."""

from __future__ import annotations

import base64
import secrets
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, JsonValue

from evals import ads
from evals.case import Case, Decision, PolicyOverrides, Suite
from evals.cassettes import MODEL_HOST, SANDBOX_HOST, open_tape
from evals.observe import ActualCall, StoreState, store_state, trajectory
from evals.probe import build_probe_graph
from host import approvals, runs
from host.identity import Principal
from host.runtime import Runtime
from host.worker import USAGE_EVENT
from policies import PolicyEngine
from policies.risk import Role
from settings import Settings
from storage import ApprovalRecord
from storage.order_lines import OrderLineRepository, VariantSupplier
from storage.product_suppliers import NewOnboarding, SupplierRegistry
from storage.runs import RunRow
from tools.sandbox import FaultSettings, Sandbox, SandboxServer
from tools.sandbox.github import GitHubEmulator
from tools.sandbox.shopify import ShopifyEmulator
from tools.sandbox.shopify.online_store import LIVE_THEME_FILES
from tools.sandbox.shopify.order_admin import NewOrder, place_order

CASSETTES_DIR = Path(__file__).parent / "cassettes"
DEFAULT_POLICY = Path(__file__).parents[1] / "policies" / "default_policy.yaml"
#: Placeholder key sent to the scripted model server (and recorded as REDACTED anyway).
SCRIPTED_KEY = "sk-royal-eval-scripted"
CEO = "ceo"
PROBE = "probe"
#: Run slots: parallel cluster work happens inside a run, decisions are one at a time.
EVAL_WORKERS = 2
#: How far past an approval's deadline the scripted ``expire`` moves the sweep's clock.
EXPIRY_MARGIN = timedelta(seconds=1)


class Interrupted(BaseModel):
    """Where the graph paused for a human, and which rules made it pause."""

    approval_id: str
    tool: str
    action: str
    risk_level: str
    rules: list[str]
    reasons: list[str]
    decision: str | None = None


class CaseRun(BaseModel):
    """Everything one case produced."""

    case_id: str
    thread_id: str
    nodes: list[str] = Field(default_factory=list)
    clusters: list[str] = Field(default_factory=list)
    events: list[dict[str, JsonValue]] = Field(default_factory=list)
    interrupts: list[Interrupted] = Field(default_factory=list)
    calls: list[ActualCall] = Field(default_factory=list)
    store: StoreState = Field(default_factory=StoreState)
    reply: str = ""
    alerts: int = 0
    approvals: list[str] = Field(default_factory=list)
    audit_executed: dict[str, int] = Field(default_factory=dict)
    effects_applied: dict[str, int] = Field(default_factory=dict)
    executed_high_unapproved: list[str] = Field(default_factory=list)
    sandbox_writes: dict[str, int] | None = None
    run_info: dict[str, Any] = Field(default_factory=dict)
    tokens: int = 0
    cost_eur: str = "0"
    latency_s: float = 0.0
    problems: list[str] = Field(default_factory=list)
    error: str | None = None
    unused_decisions: int = 0
    ad_spend_eur: str | None = None
    ad_approved_eur: str | None = None
    ad_campaigns: int = 0


@dataclass
class Recording:
    """What ``--record`` records from: the sandbox and the scripted model unless configured."""

    sandbox: SandboxServer | None
    model_base_url: str | None
    real_model: bool
    settings: Settings


@dataclass
class RunOptions:
    record: bool = False
    cassettes: Path = CASSETTES_DIR
    recording: Recording | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="royal-eval-")))


def cassette_path(options: RunOptions, suite: Suite, case: Case) -> Path:
    return options.cassettes / suite.suite / f"{case.id}.yaml"


def _policy_file(overrides: PolicyOverrides, directory: Path) -> Path | None:
    if not overrides.rules:
        return None
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    known = {rule["id"]: rule for rule in data["rules"]}
    for rule_id, fields in overrides.rules.items():
        if rule_id not in known:
            raise ValueError(f"policy override names an unknown rule {rule_id!r}")
        known[rule_id].update(fields)
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    PolicyEngine.load(path)  # a bad override fails here, with the policy's own message
    return path


def _settings(case: Case, options: RunOptions, data_dir: Path, label: dict[str, Any]) -> Settings:
    policy = _policy_file(case.policy, data_dir)
    common: dict[str, Any] = {
        "royal_data_dir": data_dir,
        "royal_policy_file": policy,
        "royal_kill_switch": case.policy.kill_switch,
        "database_url": None,
        "redis_url": None,
        "royal_env": "test",
        # The case's database lives and dies with its data directory; so does its key.
        "encryption_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        # A case's SKU mappings are its fixture's (supplier_mappings), not the demo shop's.
        "royal_sandbox_supplier_mapping": False,
    }
    if options.record and options.recording is not None:
        rec = options.recording
        base = rec.settings.model_dump()
        base.update(common)
        if rec.sandbox is not None:
            base.update(royal_sandbox_host=rec.sandbox.host, royal_sandbox_port=rec.sandbox.port)
        if not rec.real_model:
            base.update(openai_api_key=SCRIPTED_KEY, openai_base_url=rec.model_base_url)
        return Settings.model_validate(base)
    services = label.get("services", {})
    if any(mode != "sandbox" for mode in services.values()):
        raise RuntimeError(
            f"the cassette was recorded from real services ({services}); replay supports "
            "sandbox recordings only"
        )
    models = label.get("models", {})
    return Settings(
        **common,
        royal_sandbox_host="sandbox.test",
        royal_sandbox_port=80,
        openai_api_key=SCRIPTED_KEY,
        openai_base_url=label.get("model_base_url", f"{MODEL_HOST}/v1"),
        royal_model_ceo=models.get("ceo", "gpt-4o"),
        royal_model_cluster=models.get("cluster", "gpt-4o-mini"),
        royal_model_copywriting=models.get("copywriting", "gpt-4o-mini"),
        shopify_shop=None,
        shopify_access_token=None,
        shopify_api_key=None,
        shopify_api_secret=None,
        github_token=None,
        cj_api_key=None,
        printful_token=None,
    )


def recording_label(settings: Settings, recording: Recording) -> dict[str, Any]:
    return {
        "recorded_with": (
            "real OpenAI-compatible model" if recording.real_model else "scripted model server"
        )
        + " + "
        + ("royal sandbox" if recording.sandbox is not None else "real services"),
        "model_base_url": MODEL_HOST + "/v1"
        if not recording.real_model
        else settings.openai_base_url,
        "models": {
            "ceo": settings.royal_model_ceo,
            "cluster": settings.royal_model_cluster,
            "copywriting": settings.royal_model_copywriting,
        },
        "services": {
            "shopify": settings.shopify_mode.value,
            "github": settings.github_mode.value,
            "cj": settings.cj_mode.value,
            "printful": settings.printful_mode.value,
        },
        "sandbox_seed": settings.royal_sandbox_seed,
        "recorded_at": datetime.now(UTC).isoformat(),
    }


def replay_clock(label: dict[str, Any]) -> Callable[[], datetime] | None:
    """In replay, the services' clock as it was when the case was recorded (then running at
    the real pace): what a node derives from "now" (today's P&L dates, a checkout's age, a
    deadline) is what it was when the cassette was made, so the requests match it."""
    recorded = label.get("recorded_at")
    if not isinstance(recorded, str):
        return None
    start, began = datetime.fromisoformat(recorded), time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def _addresses(options: RunOptions) -> dict[str, str]:
    rec = options.recording
    if not options.record or rec is None:
        return {}
    found: dict[str, str] = {}
    if rec.sandbox is not None:
        found[rec.sandbox.url] = SANDBOX_HOST
    if rec.model_base_url is not None and not rec.real_model:
        found[rec.model_base_url.removesuffix("/v1")] = MODEL_HOST
    return found


def _prepare_sandbox(case: Case, options: RunOptions) -> None:
    rec = options.recording
    if not options.record or rec is None or rec.sandbox is None:
        return
    rec.sandbox.sandbox.reset()
    for service, faults in case.fixture.faults.items():
        rec.sandbox.sandbox.faults.set(service, FaultSettings(**faults.model_dump()))
    _push_theme_branches(case, rec.sandbox.sandbox)
    shop = rec.sandbox.sandbox.emulators["shopify"]
    assert isinstance(shop, ShopifyEmulator)
    for order in case.fixture.shop_orders:
        place_order(shop.store, NewOrder.model_validate(order))
    for title, text in case.fixture.product_descriptions.items():
        product = next(p for p in shop.store.products.values() if p.title == title)
        product.description_html += text


def _push_theme_branches(case: Case, sandbox: Sandbox) -> None:
    """Each fixture branch holds the live theme with the case's edits, as a developer pushes it."""
    github = sandbox.emulators["github"]
    assert isinstance(github, GitHubEmulator)
    for branch, edits in case.fixture.theme_branches.items():
        files = {f"theme/{name}": text for name, text in {**LIVE_THEME_FILES, **edits}.items()}
        github.write_files(branch, {path: text.encode() for path, text in files.items()}, "Theme")


async def _seed_database(runtime: Runtime, case: Case) -> None:
    """The case's SKU -> supplier mappings and their onboarded vendors."""
    database = runtime.require_services().database
    for mapped in case.fixture.supplier_mappings:
        await OrderLineRepository(database).map_variant(
            VariantSupplier(
                sku=mapped.sku,
                supplier=mapped.supplier,
                product_id=mapped.product_id,
                variant_id=mapped.variant_id,
            )
        )
        await SupplierRegistry(database).onboard(
            NewOnboarding(
                platform=mapped.supplier,
                vendor_id=mapped.vendor_id,
                vendor_name=mapped.vendor_name,
            )
        )


@asynccontextmanager
async def _quiet() -> AsyncIterator[None]:
    with warnings.catch_warnings():
        # langchain-openai's structured output serialises its parsed pydantic object into a
        # field typed None, and pydantic warns about it; the value is still returned intact.
        warnings.filterwarnings("ignore", message="Pydantic serializer warnings")
        yield


async def run_case(suite: Suite, case: Case, options: RunOptions) -> CaseRun:
    """Run ``case`` to completion (or to an interrupt the script leaves pending), through the
    runtime's run path: every turn and every decision is a run that the workers execute, as in
    production."""
    run = CaseRun(case_id=case.id, thread_id=f"eval-{suite.suite}-{case.id}")
    data_dir = options.workdir / suite.suite / case.id
    data_dir.mkdir(parents=True, exist_ok=True)
    path = cassette_path(options, suite, case)
    started = time.perf_counter()
    try:
        label: dict[str, Any] = {}
        if not options.record:
            from evals.cassettes import read_label

            label = read_label(path)
        settings = _settings(case, options, data_dir, label)
        if options.record and options.recording is not None:
            label = recording_label(settings, options.recording)
        _prepare_sandbox(case, options)
        async with _quiet():
            with open_tape(path, _addresses(options), record=options.record, label=label) as tape:
                try:
                    async with Runtime.open(
                        settings, workers=EVAL_WORKERS, threads={run.thread_id}
                    ) as runtime:
                        clock = None if options.record else replay_clock(label)
                        if clock is not None:
                            runtime.require_services().clock = clock
                        await _seed_database(runtime, case)
                        await _drive(runtime, case, run)
                        await _collect(runtime, run)
                finally:
                    run.store = store_state(tape.exchanges)
                    run.problems.extend(tape.problems())
                    _sandbox_writes(run, options)
    except Exception as exc:  # a case that crashes is a failed case, not a crashed suite
        run.error = f"{type(exc).__name__}: {exc}"
    run.latency_s = round(time.perf_counter() - started, 3)
    return run


def _sandbox_writes(run: CaseRun, options: RunOptions) -> None:
    rec = options.recording
    if options.record and rec is not None and rec.sandbox is not None:
        counts = rec.sandbox.sandbox.ledger.counts()
        run.sandbox_writes = {k: v for k, v in counts.items() if k.startswith("shopify.")}


async def _drive(runtime: Runtime, case: Case, run: CaseRun) -> None:
    decisions = list(case.decisions)
    if case.kind == "chat":
        for index, text in enumerate(case.turns):
            await ads.deliver(runtime, [d for d in case.deliveries if d.before_turn == index])
            await _turn(runtime, run, CEO, {"messages": [{"role": "human", "content": text}]})
            await _decide(runtime, run, decisions)
    else:
        spec = case.probe if case.probe is not None else case.tool
        assert spec is not None
        runtime.add_graph(PROBE, build_probe_graph(spec).compile(name=PROBE))
        await _turn(runtime, run, PROBE, {})
        await _decide(runtime, run, decisions)
    run.unused_decisions = len(decisions)


async def _turn(runtime: Runtime, run: CaseRun, assistant_id: str, payload: Any) -> None:
    row = await runs.start(runtime, run.thread_id, assistant_id, input=payload)
    await _observe(runtime, run, row)


async def _observe(runtime: Runtime, run: CaseRun, row: RunRow) -> None:
    """Follow one run's events to its end: the nodes and clusters that ran, the actions, and
    what the run spent on models."""
    usage: dict[str, Any] | None = None
    async for event in runs.events(runtime, row):
        base, _, namespace = event.event.partition("|")
        if base == "updates" and isinstance(event.data, dict):
            prefix = "/".join(part.split(":")[0] for part in namespace.split("|") if part)
            for node in event.data:
                if node == "__interrupt__":
                    continue
                run.nodes.append(f"{prefix}/{node}" if prefix else node)
                if prefix and prefix.split("/")[0] not in run.clusters:
                    run.clusters.append(prefix.split("/")[0])
        elif base == "custom" and isinstance(event.data, dict):
            run.events.append(event.data)
        elif event.event == USAGE_EVENT and isinstance(event.data, dict):
            usage = event.data.get("total")
    finished = await runtime.store.get_run(row.run_id)
    if finished is not None and finished.status in ("error", "dead"):
        raise RuntimeError(f"run {row.run_id} failed: {finished.error}")
    if usage is None and finished is not None and finished.status == "success":
        # Ran to its answer: the CEO reported what the run spent in run_info.
        thread = await runtime.store.get_thread(run.thread_id)
        info = (thread.values or {}).get("run_info") if thread is not None else None
        found = info.get("usage") if isinstance(info, dict) else None
        usage = found.get("total") if isinstance(found, dict) else None
    if isinstance(usage, dict):
        run.tokens += int(usage.get("input_tokens") or 0) + int(usage.get("output_tokens") or 0)
        run.cost_eur = str(Decimal(run.cost_eur) + Decimal(str(usage.get("cost_eur") or "0")))


def _pending(interrupts: dict[str, Any]) -> list[dict[str, Any]]:
    """The thread's pending approval requests, in a stable order."""
    found = [
        item["value"]
        for items in interrupts.values()
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("value"), dict)
    ]
    return sorted(found, key=lambda value: (str(value.get("tool")), str(value.get("title"))))


async def _decide(runtime: Runtime, run: CaseRun, decisions: list[Decision]) -> None:
    """Answer pending interrupts from the script, one at a time as an approver does, through
    the approval lifecycle every front end uses, until none is left."""
    while True:
        thread = await runtime.thread(run.thread_id)
        pending = _pending(thread.interrupts)
        if not pending or not decisions:
            run.interrupts.extend(_interrupted(value, None) for value in pending)
            return
        value = pending[0]
        decision = decisions.pop(0)
        run.interrupts.append(_interrupted(value, decision.decision))
        approval_id = str(value["approval_id"])
        if decision.decision == "expire":
            record = await approvals.get(runtime, approval_id)
            assert record.deadline is not None, "an expiry needs a deadline"
            for expired in await approvals.sweep_once(runtime, record.deadline + EXPIRY_MARGIN):
                if expired.run_id is not None:
                    await _observe(runtime, run, await runs.existing(runtime, None, expired.run_id))
            continue
        approver = Principal(subject=decision.by, role=Role.ADMIN, method="session")
        decided = await approvals.decide(
            runtime,
            approver,
            approval_id,
            decision.decision,
            notes=decision.notes,
            changes=decision.args,
        )
        await _observe(runtime, run, await runs.existing(runtime, None, decided.run_id))


def _interrupted(value: dict[str, Any], decision: str | None) -> Interrupted:
    return Interrupted(
        approval_id=str(value.get("approval_id")),
        tool=str(value.get("tool")),
        action=str(value.get("action") or ""),
        risk_level=str(value.get("risk_level")),
        rules=[str(r) for r in value.get("matched_rules") or []],
        reasons=[str(r) for r in value.get("reasons") or []],
        decision=decision,
    )


async def _collect(runtime: Runtime, run: CaseRun) -> None:
    services = runtime.require_services()
    audit = (
        await services.audit.list(thread_id=run.thread_id, newest_first=False, limit=500)
    ).items
    approvals = (await services.approvals.list(thread_id=run.thread_id, limit=200)).items
    effects = await services.effects.list_for_thread(run.thread_id)
    run.calls = trajectory(audit, approvals, effects)
    run.alerts = sum(1 for entry in audit if entry.event == "alert")
    run.approvals = sorted(_approval_status(r) for r in approvals)
    executed: dict[str, int] = {}
    for entry in audit:
        if entry.event != "action.executed":
            continue
        key = str(entry.payload.get("idempotency_key"))
        executed[key] = executed.get(key, 0) + 1
        approved = entry.payload.get("approved") is True
        if entry.risk_level == "HIGH" and not approved:
            run.executed_high_unapproved.append(f"{entry.action_kind} ({key})")
    run.audit_executed = executed
    run.effects_applied = {}
    for effect in effects:
        if effect.status.value.lower() == "applied":
            run.effects_applied[effect.idempotency_key] = (
                run.effects_applied.get(effect.idempotency_key, 0) + 1
            )
    state = await runtime.served(CEO).graph.aget_state(
        {"configurable": {"thread_id": run.thread_id}}
    )
    values = state.values or {}
    messages = values.get("messages") or []
    run.reply = str(messages[-1].content) if messages else ""
    info = values.get("run_info") or {}
    run.run_info = info if isinstance(info, dict) else {}
    budget = await ads.spend_and_approved(runtime)
    if budget is not None:
        run.ad_spend_eur, run.ad_approved_eur = str(budget[0]), str(budget[1])
        run.ad_campaigns = budget[2]


def _approval_status(record: ApprovalRecord) -> str:
    if record.status.value.lower() == "approved" and record.modified_args is not None:
        return "modified"
    return record.status.value.lower()
