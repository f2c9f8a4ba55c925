"""The effects ledger on SQLite and PostgreSQL: each external write applied exactly once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import JsonValue

from storage.effects import EffectOutcome, EffectsLedger, args_hash, idempotency_key
from storage.engine import Database
from storage.enums import EffectStatus
from storage.errors import IdempotencyConflictError
from tests.integration.storage_support import BACKENDS, backend_url, migrated


class IdempotentShop:
    """Stands in for an external API that honours idempotency keys (Shopify ``@idempotent``).

    A second call with a key it has seen returns the first call's result and writes nothing.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.products: dict[str, dict[str, JsonValue]] = {}
        self._ids = itertools.count(1001)

    async def product_create(self, key: str, title: str) -> dict[str, JsonValue]:
        self.calls.append(key)
        await asyncio.sleep(0)  # a real await point, as over HTTP
        if key not in self.products:
            self.products[key] = {"id": f"gid://shopify/Product/{next(self._ids)}", "title": title}
        return self.products[key]


class Crash(BaseException):
    """The process dying right after the external write, before anything else runs."""


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    location = backend_url(request, tmp_path)
    async with migrated(location):
        return location


@pytest.fixture
async def ledger(url: str) -> AsyncIterator[EffectsLedger]:
    async with Database(url) as database:
        yield EffectsLedger(database)


KEY = idempotency_key("thread-1", "task-7", "product.create", "trail-lamp")
ARGS: dict[str, object] = {"title": "Trail Lamp", "price": Decimal("24.99"), "tags": ["camping"]}


async def publish(
    ledger: EffectsLedger, shop: IdempotentShop, args: dict[str, object] = ARGS
) -> EffectOutcome:
    async def apply() -> JsonValue:
        return await shop.product_create(KEY, str(args["title"]))

    return await ledger.run_once(
        KEY,
        thread_id="thread-1",
        task_id="task-7",
        action_kind="product.create",
        tool="shopify.productCreate",
        args=args,
        apply=apply,
    )


async def test_second_execution_replays_the_stored_result(ledger: EffectsLedger) -> None:
    shop = IdempotentShop()
    first = await publish(ledger, shop)
    assert (first.replayed, first.attempts) == (False, 1)
    assert first.result == {"id": "gid://shopify/Product/1001", "title": "Trail Lamp"}

    second = await publish(ledger, shop, dict(reversed(list(ARGS.items()))))  # same args, any order
    assert second.replayed
    assert second.result == first.result
    assert shop.calls == [KEY]  # apply ran once

    record = await ledger.get(KEY)
    assert record is not None
    assert (record.status, record.attempts, record.tool) == (
        EffectStatus.APPLIED,
        1,
        "shopify.productCreate",
    )
    assert record.args_hash == args_hash(ARGS)
    assert record.applied_at is not None
    assert [r.idempotency_key for r in await ledger.list_for_thread("thread-1")] == [KEY]


async def test_replay_from_a_new_process(url: str) -> None:
    shop = IdempotentShop()
    async with Database(url) as database:
        first = await publish(EffectsLedger(database), shop)
    async with Database(url) as database:
        again = await publish(EffectsLedger(database), shop)
    assert (again.replayed, again.result) == (True, first.result)
    assert len(shop.calls) == 1


async def test_same_key_with_other_arguments_is_refused(ledger: EffectsLedger) -> None:
    shop = IdempotentShop()
    await publish(ledger, shop)
    with pytest.raises(IdempotencyConflictError) as raised:
        await publish(ledger, shop, ARGS | {"price": Decimal("19.99")})
    assert raised.value.key == KEY
    assert shop.calls == [KEY]
    record = await ledger.get(KEY)
    assert record is not None
    assert record.args_hash == args_hash(ARGS)


async def test_crash_after_the_write_reapplies_with_the_same_key_and_writes_once(
    ledger: EffectsLedger,
) -> None:
    shop = IdempotentShop()

    async def write_then_die() -> JsonValue:
        await shop.product_create(KEY, "Trail Lamp")
        raise Crash

    with pytest.raises(Crash):
        await ledger.run_once(
            KEY,
            thread_id="thread-1",
            task_id="task-7",
            action_kind="product.create",
            tool="shopify.productCreate",
            args=ARGS,
            apply=write_then_die,
        )
    stranded = await ledger.get(KEY)
    assert stranded is not None
    assert (stranded.status, stranded.attempts) == (EffectStatus.STARTED, 1)

    # Re-execution: the ledger cannot know the write happened, so it applies again — with the
    # same key, which the service answers from its first write.
    recovered = await publish(ledger, shop)
    assert (recovered.replayed, recovered.attempts) == (False, 2)
    assert shop.calls == [KEY, KEY]
    assert len(shop.products) == 1
    assert recovered.result == shop.products[KEY]

    final = await publish(ledger, shop)
    assert final.replayed
    assert shop.calls == [KEY, KEY]


async def test_a_failed_apply_is_recorded_and_retried(ledger: EffectsLedger) -> None:
    shop = IdempotentShop()

    async def fail() -> JsonValue:
        raise ConnectionError("shop unreachable")

    with pytest.raises(ConnectionError):
        await ledger.run_once(
            KEY,
            thread_id="thread-1",
            task_id="task-7",
            action_kind="product.create",
            tool="shopify.productCreate",
            args=ARGS,
            apply=fail,
        )
    failed = await ledger.get(KEY)
    assert failed is not None
    assert (failed.status, failed.error) == (
        EffectStatus.FAILED,
        "ConnectionError: shop unreachable",
    )

    retried = await publish(ledger, shop)
    assert (retried.replayed, retried.attempts) == (False, 2)
    record = await ledger.get(KEY)
    assert record is not None
    assert (record.status, record.error) == (EffectStatus.APPLIED, None)


async def test_concurrent_executions_keep_one_result(ledger: EffectsLedger) -> None:
    shop = IdempotentShop()
    outcomes = await asyncio.gather(*(publish(ledger, shop) for _ in range(4)))
    assert len(shop.products) == 1
    assert {str(o.result) for o in outcomes} == {str(shop.products[KEY])}
    assert sum(not o.replayed for o in outcomes) >= 1


def test_keys_are_stable_and_distinct() -> None:
    assert idempotency_key("t", "task", "product.create") == idempotency_key(
        "t", "task", "product.create"
    )
    keys = {
        idempotency_key("t", "task", "product.create"),
        idempotency_key("t", "task", "product.publish"),
        idempotency_key("t", "task2", "product.create"),
        idempotency_key("t2", "task", "product.create"),
        idempotency_key("t", "task", "product.create", "lamp"),
        idempotency_key("t", "task", "product.create", "lamp", "x"),
    }
    assert len(keys) == 6
    assert args_hash({"a": Decimal("1.50"), "b": [1]}) == args_hash(
        {"b": [1], "a": Decimal("1.50")}
    )
    assert args_hash({"a": Decimal("1.50")}) != args_hash({"a": Decimal("1.51")})
