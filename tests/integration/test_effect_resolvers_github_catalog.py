"""The sweeper's resolvers for GitHub writes and the catalog cluster's writes, against the GitHub
and Shopify emulators over real HTTP, on SQLite and PostgreSQL: each write is claimed through
the effects ledger and the process "dies" right after (or right before) the real client's
write, so the row stays STARTED; a sweep then records APPLIED with what the service shows, or
FAILED "not applied", and writes nothing itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import update

from host.effect_resolvers import RESOLVERS
from host.effects_sweep import SweepReport, sweep_once
from nodes.catalog import promote, propose, stage
from nodes.catalog.badges import BadgeArgs
from nodes.catalog.themes import PublishArgs, StageThemeArgs, stage_theme_action
from storage import EffectStatus
from storage.effects import EffectRecord
from storage.schema import effects
from tests.integration.effects_support import NOW, left_started
from tests.integration.pipeline_support import Engine, engine
from tests.integration.storage_support import BACKENDS
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import WriteTool
from tools.agent_tools.github_tools import (
    COMMENT,
    CREATE_BRANCH,
    CREATE_PULL_REQUEST,
    PUT_FILE,
    UPDATE_PULL_REQUEST,
)
from tools.catalog import repository
from tools.catalog import shopify as catalog_shopify
from tools.catalog.model import CatalogProduct
from tools.sandbox import SandboxServer
from tools.themes import shopify as themes

__all__ = ["engine"]

Write = Callable[[], Awaitable[object]]


async def crash(
    engine: Engine, key: str, tool: str, args: Mapping[str, Any] | BaseModel, write: Write | None
) -> None:
    """Claim ``key`` and die right after ``write`` (or before any write): left STARTED."""
    await left_started(engine, key, tool=tool, args=args, write=write)


async def crash_tool(
    engine: Engine, key: str, tool: WriteTool[Any, Any], args: dict[str, Any], *, landed: bool
) -> None:
    """A write tool's write as the approval gate runs it (its action's args, its execute)."""
    services = engine.services
    clients = ToolClients(shopify=services.shopify, github=services.github, suppliers={})
    prepared = await tool.prepare(args, clients, cluster="test", agent="test")
    action = prepared.action

    async def write() -> object:
        return await prepared.execute(action, key)

    await crash(engine, key, action.tool, action.args, write if landed else None)


async def sweep(engine: Engine, sandbox: SandboxServer) -> SweepReport:
    """One sweep, checked to write nothing to any emulator."""
    before = sandbox.sandbox.ledger.counts()
    report = await sweep_once(engine.runtime, grace=NOW)
    assert sandbox.sandbox.ledger.counts() == before
    return report


async def settled(engine: Engine, key: str, status: EffectStatus) -> EffectRecord:
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is status, effect
    if status is EffectStatus.FAILED:
        assert effect.error is not None
        assert effect.error.startswith("swept: not applied"), effect.error
    return effect


def outcome(report: SweepReport) -> tuple[list[str], list[str], list[str]]:
    return sorted(report.applied), sorted(report.not_applied), report.unresolved


# --- GitHub write tools ---------------------------------------------------------------------


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_github_create_branch(engine: Engine, sandbox: SandboxServer) -> None:
    await crash_tool(engine, "a-branch", CREATE_BRANCH, {"branch": "agent/kept"}, landed=True)
    await crash_tool(engine, "b-branch", CREATE_BRANCH, {"branch": "agent/lost"}, landed=False)

    assert outcome(await sweep(engine, sandbox)) == (["a-branch"], ["b-branch"], [])
    applied = await settled(engine, "a-branch", EffectStatus.APPLIED)
    main = await engine.services.github.get_branch_sha("main")
    assert applied.result == {"branch": "agent/kept", "sha": main}
    await settled(engine, "b-branch", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_github_put_file(engine: Engine, sandbox: SandboxServer) -> None:
    github = engine.services.github
    await github.create_branch("agent/files", from_branch="main")
    kept = {
        "path": "notes/kept.md",
        "content": "kept\n",
        "message": "Add notes",
        "branch": "agent/files",
    }
    lost = {
        "path": "README.md",
        "content": "# never\n",
        "message": "Rewrite",
        "branch": "agent/files",
    }
    await crash_tool(engine, "a-file", PUT_FILE, kept, landed=True)
    await crash_tool(engine, "b-file", PUT_FILE, lost, landed=False)
    # A later commit moves the branch on: the write is still found in its history.
    await github.put_file("notes/later.md", "later\n", message="Later", branch="agent/files")

    assert outcome(await sweep(engine, sandbox)) == (["a-file"], ["b-file"], [])
    applied = await settled(engine, "a-file", EffectStatus.APPLIED)
    file = await github.get_file("notes/kept.md", ref="agent/files")
    assert isinstance(applied.result, dict)
    assert applied.result["sha"] == file.sha
    written = await github.get_commit(str(applied.result["commit"]))
    assert written.message == "Add notes"
    await settled(engine, "b-file", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_github_create_pull_request(engine: Engine, sandbox: SandboxServer) -> None:
    github = engine.services.github
    await github.create_branch("agent/pr", from_branch="main")
    await github.put_file("notes/pr.md", "pr\n", message="For the PR", branch="agent/pr")
    closed = await github.get_pull_request(2)  # seeded, closed long before these writes
    kept = {"title": "Agent notes", "head": "agent/pr", "body": "Please review."}
    lost = {"title": closed.title, "head": closed.head.ref, "body": closed.body}
    await crash_tool(engine, "a-pr", CREATE_PULL_REQUEST, kept, landed=True)
    await crash_tool(engine, "b-pr", CREATE_PULL_REQUEST, lost, landed=False)

    assert outcome(await sweep(engine, sandbox)) == (["a-pr"], ["b-pr"], [])
    applied = await settled(engine, "a-pr", EffectStatus.APPLIED)
    assert isinstance(applied.result, dict)
    pull = await github.get_pull_request(int(str(applied.result["number"])))
    assert (pull.title, pull.head.ref, applied.result["state"]) == (
        "Agent notes",
        "agent/pr",
        "open",
    )
    await settled(engine, "b-pr", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_github_update_pull_request(engine: Engine, sandbox: SandboxServer) -> None:
    kept = {"number": 1, "title": "Summer collection (ready)"}
    lost = {"number": 1, "body": "A body never sent."}
    await crash_tool(engine, "a-update", UPDATE_PULL_REQUEST, kept, landed=True)
    await crash_tool(engine, "b-update", UPDATE_PULL_REQUEST, lost, landed=False)

    assert outcome(await sweep(engine, sandbox)) == (["a-update"], ["b-update"], [])
    applied = await settled(engine, "a-update", EffectStatus.APPLIED)
    assert isinstance(applied.result, dict)
    assert (applied.result["number"], applied.result["state"]) == (1, "open")
    await settled(engine, "b-update", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_github_comment(engine: Engine, sandbox: SandboxServer) -> None:
    github = engine.services.github
    seeded = [c async for c in github.list_issue_comments(3)]
    kept = {"number": 3, "body": "Restock ordered."}
    lost = {"number": 3, "body": seeded[0].body}  # the same text, posted before the claim
    await crash_tool(engine, "a-comment", COMMENT, kept, landed=True)
    await crash_tool(engine, "b-comment", COMMENT, lost, landed=False)

    assert outcome(await sweep(engine, sandbox)) == (["a-comment"], ["b-comment"], [])
    applied = await settled(engine, "a-comment", EffectStatus.APPLIED)
    comments = [c async for c in github.list_issue_comments(3)]
    assert isinstance(applied.result, dict)
    (posted,) = [c for c in comments if c.body == "Restock ordered."]
    assert applied.result == {"id": posted.id, "url": posted.html_url}
    await settled(engine, "b-comment", EffectStatus.FAILED)


# --- the catalog cluster --------------------------------------------------------------------


async def shop_products(engine: Engine) -> list[catalog_shopify.ShopProduct]:
    return [p async for p in catalog_shopify.iter_products(engine.services.shopify)]


async def set_product(
    engine: Engine, item: catalog_shopify.ShopProduct | None, product: CatalogProduct
) -> str:
    """``productSet`` as the promotion step sends it."""
    shopify = engine.services.shopify
    data = catalog_shopify.set_input(
        product,
        collections=await catalog_shopify.collection_ids(shopify),
        variant_ids=None if item is None else item.variant_ids,
        badges=() if item is None else item.badges,
    )
    return await catalog_shopify.set_product(
        shopify, data, product_id=None if item is None else item.id
    )


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_product_set(engine: Engine, sandbox: SandboxServer) -> None:
    item = (await shop_products(engine))[0]
    kept = item.product.model_copy(update={"title": "Promoted title", "tags": ["promoted"]})
    lost = item.product.model_copy(update={"title": "A title never written"})
    new = item.product.model_copy(update={"handle": "never-created"})
    kept_args = promote.ApplyArgs(product_id=item.id, product=kept.model_dump(mode="json"))
    lost_args = promote.ApplyArgs(product_id=item.id, product=lost.model_dump(mode="json"))
    new_args = promote.ApplyArgs(product_id=None, product=new.model_dump(mode="json"))

    async def write() -> object:
        return await set_product(engine, item, kept)

    await crash(engine, "a-set", promote.TOOL, kept_args, write)
    await crash(engine, "b-set", promote.TOOL, lost_args, None)
    await crash(engine, "c-set", promote.TOOL, new_args, None)

    assert outcome(await sweep(engine, sandbox)) == (["a-set"], ["b-set", "c-set"], [])
    applied = await settled(engine, "a-set", EffectStatus.APPLIED)
    assert applied.result == {"product_id": item.id}
    failed = await settled(engine, "b-set", EffectStatus.FAILED)
    assert "differs in title" in str(failed.error)
    await settled(engine, "c-set", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_staging_copy(engine: Engine, sandbox: SandboxServer) -> None:
    first, second = (await shop_products(engine))[:2]
    kept = catalog_shopify.staging_copy(first.product)
    lost = catalog_shopify.staging_copy(second.product)

    async def write() -> object:
        return await set_product(engine, None, kept)

    kept_args = stage.StageArgs(staging_handle=kept.handle, product=kept.model_dump(mode="json"))
    lost_args = stage.StageArgs(staging_handle=lost.handle, product=lost.model_dump(mode="json"))
    await crash(engine, "a-stage", stage.TOOL, kept_args, write)
    await crash(engine, "b-stage", stage.TOOL, lost_args, None)

    assert outcome(await sweep(engine, sandbox)) == (["a-stage"], ["b-stage"], [])
    applied = await settled(engine, "a-stage", EffectStatus.APPLIED)
    copy = await catalog_shopify.get_by_handle(engine.services.shopify, kept.handle)
    assert copy is not None
    result = stage.StageResult.model_validate(applied.result)
    assert result.staging_id == copy.id
    collections = await catalog_shopify.collection_ids(engine.services.shopify)
    assert result.collections == sorted(collections)
    await settled(engine, "b-stage", EffectStatus.FAILED)


def proposal_args(engine: Engine, branch: str, files: dict[str, str | None]) -> propose.ProposeArgs:
    return propose.ProposeArgs(
        repository=engine.services.github.config.repo,
        branch=branch,
        base=repository.BASE_BRANCH,
        title=f"Catalog sync on {branch}",
        message="Sync the catalog from Shopify",
        files=files,
    )


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_propose_pull_request(engine: Engine, sandbox: SandboxServer) -> None:
    github = engine.services.github
    kept = proposal_args(engine, "catalog-sync/shopify", {"catalog/products/a.yaml": "a: 1\n"})
    partial = proposal_args(engine, "catalog-sync/partial", {"catalog/products/b.yaml": "b: 2\n"})
    lost = proposal_args(engine, "catalog-sync/lost", {"catalog/products/c.yaml": "c: 3\n"})

    async def write() -> object:  # as the proposal step's execute does
        return await repository.propose(
            github,
            branch=kept.branch,
            files=kept.files,
            message=f"{kept.message}\n\nRoyal-Sync: sync-a",
            title=kept.title,
            section="### Changed on Shopify",
            marker="<!-- royal-sync:sync-a -->",
        )

    async def commit_only() -> object:  # died between the commit and the pull request
        await github.create_branch(partial.branch, from_branch="main")
        return await github.commit_files(
            partial.branch, partial.files, f"{partial.message}\n\nRoyal-Sync: sync-b"
        )

    await crash(engine, "a-propose", propose.TOOL, kept, write)
    await crash(engine, "b-propose", propose.TOOL, partial, commit_only)
    await crash(engine, "c-propose", propose.TOOL, lost, None)

    report = await sweep(engine, sandbox)
    assert outcome(report) == (["a-propose"], ["b-propose", "c-propose"], [])
    applied = await settled(engine, "a-propose", EffectStatus.APPLIED)
    done = repository.Proposal.model_validate(applied.result)
    pull = await github.get_pull_request(done.pull_request)
    assert pull.head.ref == kept.branch
    assert "<!-- royal-sync:sync-a -->" in (pull.body or "")
    assert done.commit_sha == await github.get_branch_sha(kept.branch)
    effect = await engine.services.effects.get("b-propose")
    assert effect is not None
    assert effect.status is EffectStatus.FAILED
    assert str(effect.error).startswith("swept: partly applied"), effect.error
    await settled(engine, "c-propose", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_low_stock_badge(engine: Engine, sandbox: SandboxServer) -> None:
    first, second = (await shop_products(engine))[:2]
    tool = "shopify.productUpdate (badge metafield)"
    kept = BadgeArgs(product_id=first.id, handle=first.product.handle, variants=["A", "B"])
    lost = BadgeArgs(product_id=second.id, handle=second.product.handle, variants=["C"])

    async def write() -> object:
        shopify = engine.services.shopify
        await catalog_shopify.set_low_stock_badge(shopify, kept.product_id, kept.variants)
        return None

    await crash(engine, "a-badge", tool, kept, write)
    await crash(engine, "b-badge", tool, lost, None)

    assert outcome(await sweep(engine, sandbox)) == (["a-badge"], ["b-badge"], [])
    applied = await settled(engine, "a-badge", EffectStatus.APPLIED)
    assert applied.result == {"product_id": first.id}
    await settled(engine, "b-badge", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_staging_theme_files(engine: Engine, sandbox: SandboxServer) -> None:
    shopify = engine.services.shopify
    files = {"snippets/royal-note.liquid": "<p>note</p>\n"}
    kept = StageThemeArgs(theme="Royal staging", files=files)
    lost = StageThemeArgs(theme="Royal staging", files={"snippets/other.liquid": "<p>x</p>\n"})
    absent = StageThemeArgs(theme="Royal staging (never)", files=files)
    tool = stage_theme_action(kept).tool

    async def write() -> object:  # as stage_files executes it
        theme_id = await themes.staging_theme(shopify, kept.theme)
        return await themes.upsert_files(shopify, theme_id, kept.files)

    await crash(engine, "a-theme", tool, kept, write)
    await crash(engine, "b-theme", tool, lost, None)
    await crash(engine, "c-theme", tool, absent, None)

    assert outcome(await sweep(engine, sandbox)) == (["a-theme"], ["b-theme", "c-theme"], [])
    applied = await settled(engine, "a-theme", EffectStatus.APPLIED)
    (staging,) = await themes.themes(shopify, names=["Royal staging"])
    assert applied.result == {"theme_id": staging["id"], "written": 1}
    await settled(engine, "b-theme", EffectStatus.FAILED)
    await settled(engine, "c-theme", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_catalog_theme_publish(engine: Engine, sandbox: SandboxServer) -> None:
    shopify = engine.services.shopify
    first = await themes.staging_theme(shopify, "Royal staging (a)")
    second = await themes.staging_theme(shopify, "Royal staging (b)")
    kept = PublishArgs(theme_id=first, theme="Royal staging (a)")
    lost = PublishArgs(theme_id=second, theme="Royal staging (b)")

    async def write() -> object:
        return await themes.publish(shopify, kept.theme_id)

    await crash(engine, "a-publish", "shopify.themePublish", kept, write)
    await crash(engine, "b-publish", "shopify.themePublish", lost, None)

    assert outcome(await sweep(engine, sandbox)) == (["a-publish"], ["b-publish"], [])
    applied = await settled(engine, "a-publish", EffectStatus.APPLIED)
    assert applied.result == {"theme_id": first, "role": "MAIN"}
    await settled(engine, "b-publish", EffectStatus.FAILED)


@pytest.mark.parametrize("engine", BACKENDS[:1], indirect=True)
async def test_a_row_without_recorded_arguments_stays_started(
    engine: Engine, sandbox: SandboxServer
) -> None:
    """A row from before the ledger kept arguments cannot be told: reported, left STARTED."""
    await crash(engine, "old-row", PUT_FILE.spec.name, {}, None)
    async with engine.runtime.store.database.transaction() as connection:
        await connection.execute(
            update(effects).where(effects.c.idempotency_key == "old-row").values(args=None)
        )
    assert PUT_FILE.spec.name in RESOLVERS

    assert outcome(await sweep(engine, sandbox)) == ([], [], ["old-row"])
    await settled(engine, "old-row", EffectStatus.STARTED)
