"""vcrpy set-up shared by the cassette tests.

Cassettes are recorded against the sandbox (``ROYAL_RECORD_CASSETTES=1``) and replayed with no
network at all. The sandbox's random loopback address is rewritten to ``http://sandbox.test`` when
recording (URIs, Link headers, bodies), so a replay points its client there. Matching is on
method, URI and body; secrets
never reach the file (request headers, token bodies and token responses are scrubbed), and a
replay that leaves a recorded interaction unused fails.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import vcr
from vcr.cassette import Cassette

CASSETTE_ROOT = Path(__file__).parent / "cassettes"
REPLAY_BASE_URL = "http://sandbox.test"
REDACTED = "REDACTED"

SECRET_HEADERS = (
    "authorization",
    "x-shopify-access-token",
    "cj-access-token",
    "x-pf-store-id",
    "cookie",
)
_SECRET_BODY_KEYS = frozenset(
    {
        "client_secret",
        "apiKey",
        "access_token",
        "accessToken",
        "refreshToken",
        "refresh_token",
        "password",
    }
)


def recording() -> bool:
    """True when the run should re-record cassettes from the sandbox."""
    return os.environ.get("ROYAL_RECORD_CASSETTES") == "1"


def _scrub_json(raw: bytes | str | None) -> bytes | str | None:
    """Redact secrets in a JSON or form-encoded body (token grants use either)."""
    if not raw:
        return raw
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _scrub_form(raw)
    cleaned = _scrub_value(data)
    text = json.dumps(cleaned, separators=(",", ":"), sort_keys=False)
    return text.encode() if isinstance(raw, bytes) else text


def _scrub_form(raw: bytes | str) -> bytes | str:
    text = raw.decode() if isinstance(raw, bytes) else raw
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs or "=" not in text:
        return raw
    cleaned = urlencode([(k, REDACTED if k in _SECRET_BODY_KEYS else v) for k, v in pairs])
    return cleaned.encode() if isinstance(raw, bytes) else cleaned


def _scrub_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in _SECRET_BODY_KEYS else _scrub_value(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_value(v) for v in value]
    return value


def make_vcr(sandbox_url: str | None = None) -> vcr.VCR:
    """A VCR that replays strictly, or records from ``sandbox_url`` when recording."""
    address = re.compile(re.escape(sandbox_url)) if sandbox_url else None

    def to_replay(text: str) -> str:
        return address.sub(REPLAY_BASE_URL, text) if address is not None else text

    def before_record_request(request: Any) -> Any:
        request.uri = to_replay(request.uri)
        request.body = _scrub_json(request.body)
        return request

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        body = response.get("body", {})
        if isinstance(body, dict) and body.get("string"):
            raw = body["string"]
            if isinstance(raw, bytes):
                body["string"] = to_replay(raw.decode()).encode()
            else:
                body["string"] = to_replay(raw)
            body["string"] = _scrub_json(body["string"])
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in {"set-cookie", "date", "server"}:
                del headers[name]
            else:  # Link headers and Location point at the recording address
                headers[name] = [to_replay(value) for value in headers[name]]
        return response

    return vcr.VCR(
        cassette_library_dir=str(CASSETTE_ROOT),
        record_mode="all" if recording() else "none",
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        # Host names the recording address; dropping it keeps loopback ports out of cassettes.
        filter_headers=[*((name, REDACTED) for name in SECRET_HEADERS), ("host", None)],
        before_record_request=before_record_request,
        before_record_response=before_record_response,
        decode_compressed_response=True,
    )


@contextmanager
def use_cassette(recorder: vcr.VCR, name: str) -> Iterator[Cassette]:
    """Open cassette ``name``; when recording, start from an empty file (vcrpy would append)."""
    if recording():
        (CASSETTE_ROOT / name).unlink(missing_ok=True)
    with recorder.use_cassette(name) as cassette:
        yield cassette


def assert_fully_played(cassette: Cassette) -> None:
    """Fail when a recorded interaction was not used (a request the code no longer makes)."""
    if not recording():
        assert cassette.all_played, (
            f"cassette {cassette._path} has unused interactions: "
            f"{len(cassette.data) - cassette.play_count} of {len(cassette.data)} not replayed"
        )
