"""What `royal up` prints before it serves: where everything is, how each service is provided,
and the next three steps. A screen a newcomer reads whole (about twenty-five lines); the full
configuration stays in `royal config`, the probes' details in `royal doctor`."""

from __future__ import annotations

from collections.abc import Sequence

from server.doctor import ServiceStatus
from settings import ServiceMode, Settings

EXAMPLE_GOAL = "Find and publish a white glossy mug"


def _service_line(status: ServiceStatus, width: int) -> str:
    name = status.service.removeprefix("supplier:")
    if status.reachable is False:
        state = f"NOT ANSWERING at {status.target}: {status.detail}"
    elif status.mode is ServiceMode.EMBEDDED:
        state = f"{status.detail} in {status.target}"
    elif status.mode is ServiceMode.OFFLINE and status.service == "model":
        state = f"{status.target} (set OPENAI_API_KEY for a real model)"
    else:
        state = status.detail or status.target
    return f"  {name:<{width}}  {status.mode.value:<9} {state}"


def up_screen(
    settings: Settings,
    statuses: Sequence[ServiceStatus],
    *,
    api_url: str,
    sandbox_url: str | None,
    emulators: Sequence[str] = (),
) -> list[str]:
    """The lines of the start screen (no colour, no table borders: it reads the same in a
    terminal, a log file and a CI transcript)."""
    console_url = f"{api_url}/console/"
    lines = [
        f"Royal Orchestrator ({settings.royal_env.value}; data in {settings.royal_data_dir})",
        "",
        f"  Console  {console_url}",
        f"  API      {api_url}  (docs: {api_url}/docs)",
    ]
    if sandbox_url is not None:
        served = f" ({', '.join(sorted(emulators))} emulators)" if emulators else ""
        lines.append(f"  Sandbox  {sandbox_url}{served}")
    width = max((len(s.service.removeprefix("supplier:")) for s in statuses), default=8)
    lines += ["", "Services (mode: embedded, sandbox, real, offline or disabled)"]
    lines += [_service_line(status, width) for status in statuses]
    lines += [
        "",
        "Next steps, in another shell:",
        "  1. Add a console user:  uv run royal users add ada --role admin",
        f"  2. Open the console:    {console_url}  and sign in as that user",
        f'  3. Try a goal:          uv run royal chat "{EXAMPLE_GOAL}"',
        "",
        "All settings: royal config · service checks: royal doctor · help: royal --help",
    ]
    return lines
