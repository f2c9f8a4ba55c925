"""themes_ci: the live theme exported to the repository, a branch imported to an unpublished
staging theme and checked (Liquid syntax, JSON, required templates), and promoted on green
only: publishing a theme is HIGH, so it waits for an approver."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import Execute, GateStatus, ProposalContext
from nodes.catalog.common import catalog_action, gated, outcome_of, parameter, sync_repository
from nodes.catalog.models import Check, Outcome, OutcomeStatus, RepoProposal, ThemeImport
from nodes.catalog.state import CatalogState, ThemeInput
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from policies import Action, ActionKind
from storage.sync_schema import SyncDirection, SyncStatus
from tools.catalog import repository
from tools.github import GitHubError
from tools.shopify import ShopifyClient
from tools.shopify.errors import ShopifyError
from tools.themes import shopify as themes
from tools.themes.checks import THEME_DIR, check_theme, theme_files

PUBLISH_THEME_TOOL = "shopify.themePublish"

STAGE_THEME_TOOL = "shopify.themeFilesUpsert (staging theme)"

EXPORT_BRANCH = "theme-sync/live"


async def theme_export(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id = state["sync_id"]
    await sync.start(sync_id, SyncDirection.THEME, "theme export", thread_id=None)
    try:
        live = await themes.live_theme(services.shopify)
        files = await themes.read_files(services.shopify, live["id"])
        on_main = await repository.read_files(services.github, repository.BASE_BRANCH, THEME_DIR)
    except (ShopifyError, GitHubError) as exc:
        service = "Shopify" if isinstance(exc, ShopifyError) else "GitHub"
        await sync.finish(sync_id, SyncStatus.FAILED, f"{service} failed: {exc}")
        return {
            "failures": [
                ServiceFailure.of(service, "export the live theme", exc, "nothing exported")
            ]
        }
    wanted = {f"{THEME_DIR}/{name}": text for name, text in files.items()}
    changed: dict[str, str | None] = {p: t for p, t in wanted.items() if on_main.get(p) != t}
    if not changed:
        summary = f"The repository's theme/ already matches the live theme {live['name']}."
        await sync.finish(sync_id, SyncStatus.NOTHING, summary)
        return {"notes": [summary]}
    proposal = RepoProposal(
        branch=EXPORT_BRANCH,
        files=changed,
        message=f"Export the live theme {live['name']} ({len(changed)} file(s))",
        title=f"Theme export: {live['name']}",
        section=f"### Live theme {live['name']}\n\n"
        + "\n".join(f"- `{p}`" for p in sorted(changed)),
    )
    return {"proposal": proposal}


async def theme_import(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    sync_id = state["sync_id"]
    branch = str(parameter(state["task"], "branch", repository.BASE_BRANCH))
    await sync.start(sync_id, SyncDirection.THEME, f"theme import from {branch}", thread_id=None)
    try:
        found = await repository.read_files(services.github, branch, THEME_DIR)
    except GitHubError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"GitHub failed: {exc}")
        return {
            "failures": [
                ServiceFailure.of("GitHub", f"read theme/ on {branch}", exc, "nothing imported")
            ]
        }
    files = theme_files(found)
    if not files:
        summary = f"There is no theme/ directory on {branch}."
        await sync.finish(sync_id, SyncStatus.NOTHING, summary)
        return {"notes": [summary]}
    checks = [Check(name=c.name, passed=c.passed, detail=c.detail) for c in check_theme(files)]
    return {"theme": ThemeImport(branch=branch, files=files, checks=checks)}


class StageThemeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: str
    files: dict[str, str]


class PublishArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme_id: str
    theme: str


def stage_theme_action(args: StageThemeArgs) -> Action:
    return catalog_action(STAGE_THEME_TOOL, ActionKind.THEME_STAGE, args)


def _publish_action(args: PublishArgs) -> Action:
    return catalog_action(PUBLISH_THEME_TOOL, ActionKind.THEME_PUBLISH, args)


def staging_name(branch: str) -> str:
    return f"Royal staging ({branch})"


def stage_files(shopify: ShopifyClient) -> Execute:
    """The executor of a ``theme.stage`` action: files written to the named unpublished theme
    (duplicated from the live one the first time)."""

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = StageThemeArgs.model_validate(action.args)
        theme_id = await themes.staging_theme(shopify, chosen.theme)
        written = await themes.upsert_files(shopify, theme_id, chosen.files)
        return {"theme_id": theme_id, "written": written}

    return execute


async def theme_stage(state: ThemeInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    theme = state["theme"]
    args = StageThemeArgs(theme=staging_name(theme.branch), files=theme.files)
    execute = stage_files(services.shopify)

    context = ProposalContext(
        title=f"Import {theme.branch} to the unpublished theme {args.theme}",
        description=f"{len(theme.files)} file(s) from theme/ on {theme.branch}.",
        reasoning="A theme is tried on an unpublished copy before anything is published.",
        data_sources=[f"github:{services.github.config.repo}@{theme.branch}"],
    )
    try:
        gate = await gated(runtime, args, stage_theme_action, context, execute)
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", "write the staging theme", exc, "the theme was not staged"
        )
        return {"failures": [failure], "theme": None}
    outcome = outcome_of(gate, args.theme, f"{len(theme.files)} file(s) staged")
    result = gate.result if isinstance(gate.result, dict) else {}
    theme_id = result.get("theme_id")
    staged = theme.model_copy(update={"staged_id": theme_id}) if isinstance(theme_id, str) else None
    failed = [f"{c.name}: {c.detail}" for c in theme.checks if not c.passed]
    outcomes = [outcome]
    if failed:
        outcomes.append(
            Outcome(
                subject=args.theme,
                status=OutcomeStatus.STOPPED,
                detail="checks failed; not promoted",
                reasons=failed,
            )
        )
    return {"outcomes": outcomes, "theme": staged}


def route_theme(state: CatalogState) -> list[Send] | str:
    theme = state.get("theme")
    if theme is None:
        return "report"
    return [Send("theme_stage", {"theme": theme, "sync_id": state["sync_id"]})]


def route_publish(state: CatalogState) -> list[Send] | str:
    theme = state.get("theme")
    if theme is None or not theme.passed or theme.staged_id is None:
        return "theme_done"
    return [Send("theme_publish", {"theme": theme, "sync_id": state["sync_id"]})]


async def theme_publish(state: ThemeInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    sync = sync_repository(services)
    theme, sync_id = state["theme"], state["sync_id"]
    assert theme.staged_id is not None
    args = PublishArgs(theme_id=theme.staged_id, theme=staging_name(theme.branch))

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = PublishArgs.model_validate(action.args)
        published = await themes.publish(services.shopify, chosen.theme_id)
        return {"theme_id": published["id"], "role": published["role"]}

    passed = ", ".join(c.name for c in theme.checks)
    context = ProposalContext(
        title=f"Publish the theme {args.theme} to the live storefront",
        description=f"Every customer sees it at once. Checks passed: {passed}.",
        reasoning=f"The theme on {theme.branch} parsed and has every required template.",
        data_sources=[
            f"github:{services.github.config.repo}@{theme.branch}",
            f"shopify:{theme.staged_id}",
        ],
        risk_factors=["the live storefront changes for every visitor"],
    )
    try:
        gate = await gated(runtime, args, _publish_action, context, execute)
    except ShopifyError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"Shopify failed: {exc}")
        return {
            "failures": [
                ServiceFailure.of(
                    "Shopify", "publish the theme", exc, "the live theme is unchanged"
                )
            ]
        }
    status = SyncStatus.DONE if gate.status is GateStatus.EXECUTED else SyncStatus.FAILED
    await sync.finish(sync_id, status, f"Theme {args.theme}: {gate.status}")
    return {
        "outcomes": [
            outcome_of(gate, args.theme, "published" if gate.executed else "not published")
        ]
    }


async def theme_done(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    """A theme that was staged but not promoted still closes its sync record."""
    services = await services_of(runtime)
    theme = state.get("theme")
    if theme is None or not theme.passed:
        branch = theme.branch if theme is not None else "the branch"
        await sync_repository(services).finish(
            state["sync_id"], SyncStatus.FAILED, f"Theme from {branch}: not promoted"
        )
    return {}
