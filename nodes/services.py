"""Everything nodes use to act on the world, opened once and shared by the runs of a process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from nodes.approval.gate import GateServices
from nodes.offline import offline_registry
from policies import PolicyEngine
from settings import Settings, get_settings
from storage import (
    ApprovalRepository,
    AuditLog,
    Database,
    EffectsLedger,
    GoalRepository,
    NotificationRepository,
)
from storage.credentials import CredentialStore
from storage.crypto import keyring_from_settings
from tools.ads import AdsPlatform
from tools.ads.factory import build_ads
from tools.email import EmailProvider, build_email_provider
from tools.github import GitHubClient
from tools.helpdesk import Helpdesk, build_helpdesk
from tools.llm import ModelConfig, ResponderRegistry, Role, UsageSummary, UsageTracker, chat_model
from tools.reviews import ReviewsApp, build_reviews
from tools.shopify import ShopifyClient
from tools.suppliers import Supplier, build_suppliers


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Clients, model configuration, policy and repositories for one process."""

    settings: Settings
    shopify: ShopifyClient
    github: GitHubClient
    suppliers: Mapping[str, Supplier]
    models: ModelConfig
    policy: PolicyEngine
    database: Database
    credentials: CredentialStore
    helpdesk: Helpdesk
    responders: ResponderRegistry | None = None
    ads: AdsPlatform | None = None
    reviews: ReviewsApp | None = None
    email: EmailProvider | None = None
    clock: Callable[[], datetime] = utcnow
    _trackers: dict[str, UsageTracker] = field(default_factory=dict, repr=False)
    _models: dict[Role, BaseChatModel] = field(default_factory=dict, repr=False)

    @property
    def approvals(self) -> ApprovalRepository:
        return ApprovalRepository(self.database, clock=self.clock)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.database, clock=self.clock)

    @property
    def effects(self) -> EffectsLedger:
        return EffectsLedger(self.database, clock=self.clock)

    @property
    def notifications(self) -> NotificationRepository:
        return NotificationRepository(self.database, clock=self.clock)

    @property
    def goals(self) -> GoalRepository:
        return GoalRepository(self.database, clock=self.clock)

    def gate(self, *, kill_switch: bool | None = None) -> GateServices:
        return GateServices(
            policy=self.policy,
            approvals=self.approvals,
            audit=self.audit,
            effects=self.effects,
            notifications=self.notifications,
            clock=self.clock,
            kill_switch=kill_switch,
        )

    def chat_model(self, role: Role) -> BaseChatModel:
        """The role's model, built (and its provider logged) once per process."""
        if role not in self._models:
            self._models[role] = chat_model(role, self.models, registry=self.responders)
        return self._models[role]

    def usage(self, run_id: str | None) -> UsageTracker:
        """The run's token and cost tracker (one per run id, kept until ``end_run``)."""
        key = run_id or "default"
        if key not in self._trackers:
            self._trackers[key] = UsageTracker.from_config(self.models)
        return self._trackers[key]

    def end_run(self, run_id: str | None) -> None:
        self._trackers.pop(run_id or "default", None)

    def take_usage(self, run_id: str) -> UsageSummary | None:
        """What a run that stopped before the CEO's answer (an interrupt, an error) spent; its
        tracker is dropped. ``None`` when the run made no model call or already reported it."""
        tracker = self._trackers.pop(run_id, None)
        return None if tracker is None else tracker.summary()

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings | None = None,
        *,
        responders: ResponderRegistry | None = None,
        clock: Callable[[], datetime] = utcnow,
        database: Database | None = None,
    ) -> AsyncIterator[Services]:
        """Open clients and the database (migrated) from settings; close them on exit.

        An open ``database`` (e.g. the persistence's) is shared instead of opening another.
        """
        settings = settings or get_settings()
        async with AsyncExitStack() as stack:
            if database is None:
                database = Database.from_settings(settings)
                await database.open()
                stack.push_async_callback(database.close)
                await database.migrate()
            credentials = CredentialStore(database, keyring_from_settings(settings))
            shopify = ShopifyClient.from_settings(settings, credentials=credentials)
            stack.push_async_callback(shopify.aclose)
            github = GitHubClient.from_settings(settings, credentials=credentials)
            stack.push_async_callback(github.aclose)
            suppliers = build_suppliers(settings, credentials=credentials)
            for supplier in suppliers.values():
                stack.push_async_callback(supplier.aclose)
            ads = build_ads(settings)
            stack.push_async_callback(ads.aclose)
            helpdesk = build_helpdesk(settings)
            stack.push_async_callback(helpdesk.aclose)
            reviews = build_reviews(settings)
            stack.push_async_callback(reviews.aclose)
            email = build_email_provider(settings)
            stack.push_async_callback(email.aclose)
            policy = PolicyEngine.load(
                policy_file(settings), kill_switch=settings.royal_kill_switch
            )
            yield cls(
                settings=settings,
                shopify=shopify,
                github=github,
                suppliers=suppliers,
                models=_models(settings, policy),
                policy=policy,
                database=database,
                credentials=credentials,
                helpdesk=helpdesk,
                responders=responders or offline_registry(),
                ads=ads,
                reviews=reviews,
                email=email,
                clock=clock,
            )


def policy_file(settings: Settings) -> Path | None:
    """ROYAL_POLICY_FILE; else the policy an admin saved from the console (``policy.yaml`` in the
    data directory); else None, the shipped default."""
    if settings.royal_policy_file is not None:
        return settings.royal_policy_file
    saved = settings.royal_data_dir / "policy.yaml"
    return saved if saved.is_file() else None


def _models(settings: Settings, policy: PolicyEngine) -> ModelConfig:
    """The model configuration, with the stricter of the two per-run spend limits (settings'
    ROYAL_RUN_BUDGET_EUR and the policy file's run_limits.max_llm_cost_eur)."""
    config = ModelConfig.from_settings(settings)
    limits = [config.budget.max_cost_eur, policy.run_limits.max_llm_cost_eur]
    ceiling = min(limit for limit in limits if limit is not None)
    budget = config.budget.model_copy(update={"max_cost_eur": ceiling})
    return config.model_copy(update={"budget": budget})


_defaults: dict[int, tuple[Services, AsyncExitStack]] = {}
_locks: dict[int, asyncio.Lock] = {}


async def default_services() -> Services:
    """Services built from settings, once per event loop (a bare LangGraph runtime)."""
    loop = id(asyncio.get_running_loop())
    async with _locks.setdefault(loop, asyncio.Lock()):
        if loop not in _defaults:
            stack = AsyncExitStack()
            services = await stack.enter_async_context(Services.open())
            _defaults[loop] = (services, stack)
        return _defaults[loop][0]


async def close_default_services() -> None:
    """Close the services ``default_services`` opened for this event loop (tests, shutdown)."""
    entry = _defaults.pop(id(asyncio.get_running_loop()), None)
    if entry is not None:
        await entry[1].aclose()
