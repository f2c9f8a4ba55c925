"""`royal approvals`: list, show and decide approval requests; deciding resumes the thread."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings, require_sandbox

if TYPE_CHECKING:  # the runtime pulls in every graph: imported only by commands that use it
    from host.runtime import Runtime

app = typer.Typer(help="Approval requests for HIGH-risk actions.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[Runtime], Awaitable[T]], *, resumes: bool = False) -> T:
    """Run ``work`` on the local runtime; a refusal is one line and a non-zero exit (2 for a
    decision or edit that is invalid, 1 for anything else). ``resumes``: the work resumes a
    thread, which needs the sandbox."""
    settings = load_settings()
    if resumes:
        require_sandbox(settings)
    from host.errors import HostError, InvalidRequestError
    from server.cli_progress import local_runtime

    async def go() -> T:
        async with local_runtime(settings) as runtime:
            return await work(runtime)

    try:
        return asyncio.run(go())
    except InvalidRequestError as exc:
        raise fail(f"{exc}; nothing changed", code=2) from None
    except HostError as exc:
        raise fail(str(exc), code=1) from None


@app.command("list")
def list_approvals(
    status: Annotated[
        str, typer.Option(help="PENDING, APPROVED, REJECTED, EXPIRED or all.")
    ] = "PENDING",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Approval requests, most urgent first."""
    from storage import ApprovalStatus

    try:
        wanted = None if status.lower() == "all" else ApprovalStatus(status.upper())
    except ValueError:
        raise fail(f"unknown status {status!r}") from None

    async def work(runtime: Runtime) -> None:
        page = await runtime.require_services().approvals.list(status=wanted, limit=limit)
        table = Table(title=f"Approvals ({page.total})", title_justify="left")
        for column in ("id", "status", "risk", "title", "cluster", "deadline", "decided by"):
            table.add_column(column, overflow="fold")
        for record in page.items:
            table.add_row(
                record.id,
                record.status.value,
                record.risk_level,
                str(record.request.get("title", "")),
                record.cluster,
                record.deadline.isoformat(timespec="minutes") if record.deadline else "",
                record.decided_by or "",
            )
        console.print(table)

    _run(work)


@app.command()
def show(approval_id: str) -> None:
    """Everything in one request: context, impact, risk, alternatives, the exact action."""

    from host import approvals

    async def work(runtime: Runtime) -> None:
        record = await approvals.get(runtime, approval_id)
        request = record.request
        console.print(f"[bold]{request.get('title')}[/]  ({record.status.value})")
        for field in (
            "risk_level", "priority", "agent", "cluster", "action", "tool", "requested_at",
            "deadline", "description", "reasoning", "data_sources", "estimated_revenue",
            "revenue_period", "estimated_cost", "estimated_roi", "confidence", "risk_factors",
            "reasons", "matched_rules", "approver_roles", "alternatives",
        ):  # fmt: skip
            console.print(f"[dim]{field}:[/] {request.get(field)}", markup=True, highlight=False)
        console.print("[dim]args:[/]")
        console.print_json(json.dumps(request.get("args", {})))
        if record.decided_by:
            console.print(
                f"decided {record.decision} by {record.decided_by} at {record.decided_at}"
                + (f": {record.notes}" if record.notes else "")
            )

    _run(work)


def _decide(
    approval_id: str,
    decision: Literal["approve", "reject", "modify"],
    *,
    notes: str | None = None,
    edits: dict[str, str] | None = None,
) -> None:
    """Decide as this shell's user, follow the run that carries the decision out, and exit
    non-zero with the reason when nothing was decided."""
    from host import approvals
    from host.approval_rules import coerce_edits
    from host.identity import local_principal
    from server.cli_progress import failure_line, follow

    async def work(runtime: Runtime) -> str | None:
        record = await approvals.get(runtime, approval_id)
        runtime.workers.follow(record.thread_id)  # the resume runs here if it must queue
        changes = None if edits is None else coerce_edits(record, edits)
        decided = await approvals.decide(
            runtime, local_principal(), approval_id, decision, notes=notes, changes=changes
        )
        run = await runtime.store.get_run(decided.run_id)
        ended = None if run is None else await follow(console, runtime, run)
        final = await approvals.get(runtime, approval_id)
        if final.is_pending:
            why = failure_line(ended) if ended is not None else None
            return f"approval {final.id} is still PENDING: {why or 'the resume did not reach it'}"
        line = f"approval {final.id}: {final.status.value} by {final.decided_by}"
        if final.reclassified_level:
            line += f", re-classified {final.reclassified_level}"
        console.print(line, highlight=False)
        return None if ended is None else failure_line(ended)

    problem = _run(work, resumes=True)
    if problem is not None:
        raise fail(problem, code=1)


@app.command()
def approve(
    approval_id: str, notes: Annotated[str | None, typer.Option(help="Recorded with it.")] = None
) -> None:
    """Approve: the thread resumes and the action executes."""
    _decide(approval_id, "approve", notes=notes)


@app.command()
def reject(
    approval_id: str,
    reason: Annotated[str, typer.Option(help="Why (required).")],
) -> None:
    """Reject: the thread resumes down the reject path; nothing executes."""
    if not reason.strip():
        raise fail("a rejection needs a reason")
    _decide(approval_id, "reject", notes=reason)


@app.command()
def modify(
    approval_id: str,
    set_: Annotated[
        list[str], typer.Option("--set", help="field=value to change in the action's args.")
    ],
    notes: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Approve with edited arguments; the edited action is re-classified before it runs."""
    changes: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise fail(f"--set takes field=value, not {item!r}")
        changes[key.strip()] = value
    _decide(approval_id, "modify", notes=notes, edits=changes)


@app.command()
def sweep() -> None:
    """Expire overdue requests and resume their threads down the reject path."""

    from host import approvals, runs

    async def work(runtime: Runtime) -> None:
        expired = await approvals.sweep_once(runtime)
        for item in expired:
            if item.run_id is not None:
                runtime.workers.follow(item.approval.thread_id)
                run = await runtime.store.get_run(item.run_id)
                if run is not None:
                    await runs.result(runtime, run)  # wait for the reject path to finish
        console.print(f"expired {len(expired)} approval(s)")

    _run(work, resumes=True)
