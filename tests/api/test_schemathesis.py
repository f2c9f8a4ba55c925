"""Property-based: schemathesis sends generated requests to every operation of the served OpenAPI
document (conforming and non-conforming paths, queries, headers and bodies); no answer may be a
5xx, and the server may count no unexpected error (a 500 a streamed body could hide).

The server is live (uvicorn on loopback; SQLite and Postgres), so requests cross the real
middleware, auth, validation and error handlers. Schemathesis' own pytest integration
(``from_fixture``) does not run under pytest 9, so the operations are driven with its Python API:
one Hypothesis run per operation and generation mode (derandomized: the same requests every
run), every failure collected before the test fails. Streaming operations are included: the
requests transport reads SSE bodies. A thread's v3 event stream follows the thread until the client
leaves, so it is read for ``FOLLOW_SECONDS`` (its status and first bytes come at once); read for the
usual 30 s, its 24 requests alone took longer than the test's timeout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from server.api.routes_thread_stream import STREAM_PATHS
from settings import Settings
from tests.api.server_support import LiveServer, live_server
from tools.sandbox import SandboxServer

EXAMPLES = int(os.environ.get("ROYAL_FUZZ_EXAMPLES", "6"))
"""Examples per operation and generation mode: ~60 operations x 2 modes x 6 fit CI in about two
minutes on a busy two-core machine; ``ROYAL_FUZZ_EXAMPLES=200`` is the long run (~24,000 cases)."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(max(600, EXAMPLES * 100)),  # a live server on a shared machine
    # schemathesis' negative-mode strategies draw from `random`; Hypothesis deprecates that.
    pytest.mark.filterwarnings(
        "ignore:Do not use the `random` module inside strategies"
        ":hypothesis.errors.HypothesisDeprecationWarning"
    ),
]

FOLLOW_SECONDS = 2.0
"""How long a never-ending stream (v3 thread events) is read: its status and first bytes come
at once."""

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking against a live server
    suppress_health_check=list(HealthCheck),
)


def _failures(
    operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, sent: list[int]
) -> list[str]:
    """The 5xx answers of ``operation`` to ``EXAMPLES`` generated requests, as curl lines;
    ``sent`` counts the requests."""
    found: list[str] = []
    timeout = FOLLOW_SECONDS if operation.path in STREAM_PATHS else 30.0

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def probe(case: Case[Any]) -> None:
        sent[0] += 1
        try:
            case.call_and_validate(checks=[not_a_server_error], timeout=timeout)
        except FailureGroup as failure:  # keep going: every operation's 5xx in one report
            statuses = ", ".join(str(error) for error in failure.exceptions)
            found.append(f"{operation.label} [{mode.value}] {statuses}: {case.as_curl_command()}")

    try:
        probe()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # no parameter or body that can be made invalid (e.g. ``GET /ok``): nothing to send
    return found


def test_no_operation_answers_5xx(api: LiveServer) -> None:
    """On both back-ends: Postgres refuses values SQLite stores (NUL characters, huge numbers)."""
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json", timeout=120)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "some operations are not valid OpenAPI"
    assert len(operations) > 40  # the whole API is described, not a fragment
    failures: list[str] = []
    sent = [0]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _failures(operation, mode, sent)
    print(f"schemathesis: {sent[0]} requests over {len(operations)} operations")  # noqa: T201
    assert sent[0] >= len(operations) * 2  # every operation was called, both ways
    assert not failures, "\n".join(failures)
    assert api.runtime.unexpected_errors == 0


@pytest.mark.postgres
def test_values_postgres_cannot_store_are_422_and_write_nothing(
    sandbox: SandboxServer, tmp_path: Path, postgres_url: str
) -> None:
    """What the fuzzer found on Postgres: NUL characters (in JSON or in ids) and numbers beyond
    bigint were 500s. They are the caller's fault: 422 with a JSON detail, and no thread."""
    server_settings = Settings(
        royal_data_dir=tmp_path / "data",
        royal_sandbox_host=sandbox.host,
        royal_sandbox_port=sandbox.port,
        database_url=postgres_url,
    )
    thread_id = "6f1c3a52-0c8e-4d0e-9a51-4d7e0f0b9a10"
    probes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/threads", {"metadata": {"note": "a\u0000b"}}),
        ("POST", "/threads", {"thread_id": "a\u0000b"}),
        ("POST", "/threads/search", {"metadata": {"note": "\u0000"}}),
        ("POST", "/threads/search", {"offset": 2**70}),
        (
            "POST",
            f"/threads/{thread_id}/runs/wait",
            {"assistant_id": "ceo", "if_not_exists": "create", "metadata": {"m": "\u0000"}},
        ),
    ]
    with live_server(server_settings) as server, httpx.Client(base_url=server.url) as http:
        for method, path, body in probes:
            answer = http.request(method, path, json=body)
            assert answer.status_code == 422, (method, path, body, answer.text)
            assert isinstance(answer.json()["detail"], str | list)
        assert http.get(f"/threads/{thread_id}").status_code == 404
        assert http.post("/threads/count", json={}).json() == 0
        assert server.runtime.unexpected_errors == 0
