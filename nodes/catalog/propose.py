"""Commit files on a branch and propose them as a pull request, through the approval gate."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.approval import GateStatus, ProposalContext
from nodes.catalog.common import catalog_action, gated, outcome_of, sync_repository
from nodes.catalog.models import OutcomeStatus, Proposed, RepoProposal
from nodes.catalog.state import ProposalInput
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from policies import Action, ActionKind
from storage.sync_schema import SyncStatus
from tools.catalog import repository
from tools.github import GitHubError

TOOL = "github.propose_pull_request"


class ProposeArgs(BaseModel):
    """Exactly what the tool receives: the repository, branch, title and the files."""

    model_config = ConfigDict(extra="forbid")

    repository: str
    branch: str
    base: str
    title: str
    message: str
    files: dict[str, str | None]


def _action(args: ProposeArgs, reasoning: str) -> Action:
    return catalog_action(TOOL, ActionKind.GITHUB_WRITE, args, reasoning=reasoning)


async def propose(state: ProposalInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    proposal, sync_id = state["proposal"], state["sync_id"]
    args = ProposeArgs(
        repository=services.github.config.repo,
        branch=proposal.branch,
        base=repository.BASE_BRANCH,
        title=proposal.title,
        message=proposal.message,
        files=proposal.files,
    )

    async def execute(action: Action, key: str) -> JsonValue:
        chosen = ProposeArgs.model_validate(action.args)
        done = await repository.propose(
            services.github,
            branch=chosen.branch,
            files=chosen.files,
            message=f"{chosen.message}\n\nRoyal-Sync: {sync_id}",
            title=chosen.title,
            section=proposal.section,
            marker=f"<!-- royal-sync:{sync_id} -->",
            base=chosen.base,
        )
        return None if done is None else done.model_dump(mode="json")

    context = ProposalContext(
        title=f"Propose {len(proposal.files)} file(s) on {proposal.branch}",
        description=proposal.section,
        reasoning="Keep the repository a reviewable record of what customers see.",
        data_sources=["shopify:products", f"github:{services.github.config.repo}"],
    )
    sync = sync_repository(services)
    try:
        gate = await gated(
            runtime, args, lambda chosen: _action(chosen, proposal.section), context, execute
        )
    except GitHubError as exc:
        await sync.finish(sync_id, SyncStatus.FAILED, f"GitHub failed: {exc}")
        failure = ServiceFailure.of(
            "GitHub", "commit and open the pull request", exc, "the change was not proposed"
        )
        return {"failures": [failure]}
    subject = f"{len(proposal.files)} file(s) on {proposal.branch}"
    outcome = outcome_of(gate, subject, proposal.title)
    if gate.status is not GateStatus.EXECUTED:
        await sync.finish(sync_id, SyncStatus.FAILED, f"Proposal {gate.status}")
        return {"outcomes": [outcome]}
    result = gate.result if isinstance(gate.result, dict) else None
    if result is None:
        await sync.finish(sync_id, SyncStatus.NOTHING, "The branch already held these files.")
        return {"outcomes": [outcome.model_copy(update={"status": OutcomeStatus.UNCHANGED})]}
    done = repository.Proposal.model_validate(result)
    await sync.finish(
        sync_id,
        SyncStatus.DONE,
        f"Proposed {len(proposal.files)} file(s) in pull request #{done.pull_request}",
        pull_request=done.pull_request,
        branch=done.branch,
        commit_sha=done.commit_sha,
    )
    proposed = Proposed(
        pull_request=done.pull_request,
        url=done.url,
        branch=done.branch,
        commit_sha=done.commit_sha,
        files=len(proposal.files),
    )
    return {
        "proposed": [proposed],
        "outcomes": [
            outcome.model_copy(
                update={
                    "status": OutcomeStatus.PROPOSED,
                    "detail": f"pull request #{done.pull_request} ({done.url})",
                }
            )
        ],
    }


def proposal_send(proposal: RepoProposal | None) -> bool:
    return proposal is not None and bool(proposal.files)
