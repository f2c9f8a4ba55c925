"""Per-case cassettes: every HTTP call a case makes (model, Shopify, GitHub, suppliers).

Recording rewrites the loopback addresses of the sandbox and the scripted model server to fixed
names (``http://sandbox.test``, ``http://model.test``), so a replay points the clients there and
needs neither. Matching is on method, URI and body after normalising what changes from run to
run (UUIDs, hex digests, timestamps, dates, idempotency tags). Secrets never reach the file.
In replay a request the cassette does not hold, or a recorded interaction left unused, fails
the case: :class:`Tape` keeps the misses and the exchange log the scorers read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import vcr
from vcr.cassette import Cassette

SANDBOX_HOST = "http://sandbox.test"
MODEL_HOST = "http://model.test"
REDACTED = "REDACTED"

_KEPT_REQUEST_HEADERS = frozenset({"content-type"})
_DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "date", "server", "x-request-id"})
_SECRET_KEYS = frozenset(
    {
        "client_secret",
        "apiKey",
        "api_key",
        "access_token",
        "accessToken",
        "refreshToken",
        "refresh_token",
        "password",
        "token",
    }
)

_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"royal-effect-[0-9a-f-]{13}"), "royal-effect-<key>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<uuid>"),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<ts>",
    ),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\bcall_[A-Za-z0-9]{8,}"), "call_<id>"),
    (re.compile(r"\bchatcmpl-[A-Za-z0-9]{8,}"), "chatcmpl-<id>"),
    (re.compile(r"\b[0-9a-f]{12,}\b"), "<hex>"),
    (re.compile(r"\b\d{13,}\b"), "<n>"),
    # Shopify's throttle bucket refills with wall-clock time.
    (re.compile(r'"currentlyAvailable": ?[\d.]+'), '"currentlyAvailable": <n>'),
)


def normalise(text: str) -> str:
    """``text`` with every volatile value replaced by a placeholder."""
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    return body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body


def _binary(body: bytes | str) -> bool:
    """A body that is not text (an image): recorded as it is, never rewritten or scrubbed."""
    if isinstance(body, str):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def canonical_body(body: bytes | str | None) -> str:
    """The body for matching: JSON with sorted keys (else the raw text), normalised."""
    raw = _text(body)
    try:
        parsed = json.loads(raw)
    except ValueError:
        return normalise(raw)
    return normalise(json.dumps(parsed, sort_keys=True, ensure_ascii=False))


def canonical_uri(uri: str) -> str:
    return normalise(uri)


def _body_matcher(r1: Any, r2: Any) -> None:
    if canonical_body(r1.body) != canonical_body(r2.body):
        raise AssertionError("bodies differ after normalisation")


def _uri_matcher(r1: Any, r2: Any) -> None:
    if canonical_uri(r1.uri) != canonical_uri(r2.uri):
        raise AssertionError(f"{r1.uri} != {r2.uri}")


def _scrub_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k in _SECRET_KEYS else _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_value(v) for v in value]
    return value


def scrub(raw: bytes | str | None) -> bytes | str | None:
    """Secrets redacted from a JSON or form body."""
    if not raw:
        return raw
    text = _text(raw)
    try:
        cleaned = json.dumps(_scrub_value(json.loads(text)), ensure_ascii=False)
    except ValueError:
        pairs = parse_qsl(text, keep_blank_values=True)
        if not pairs or "=" not in text or "\n" in text:
            return raw
        cleaned = urlencode([(k, REDACTED if k in _SECRET_KEYS else v) for k, v in pairs])
    return cleaned.encode() if isinstance(raw, bytes) else cleaned


@dataclass
class Exchange:
    """One request and its answer, in the order the case made them."""

    method: str
    uri: str
    request_body: str
    status: int
    response_body: str


@dataclass
class Tape:
    """The open cassette of one case, with what replay could not serve."""

    cassette: Cassette
    recording: bool
    exchanges: list[Exchange] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def unused(self) -> int:
        return len(self.cassette.data) - len(self.cassette.play_counts)

    def problems(self) -> list[str]:
        """Replay failures: unrecorded requests, recorded interactions never used."""
        found = [f"unrecorded request: {miss}" for miss in self.misses]
        if not self.recording and self.unused:
            unplayed = [
                f"{request.method} {request.uri}"
                for index, (request, _) in enumerate(self.cassette.data)
                if self.cassette.play_counts[index] == 0
            ]
            found.append(
                f"{self.unused} recorded interaction(s) never used: " + "; ".join(unplayed[:5])
            )
        return found


def _response_text(response: Mapping[str, Any]) -> str:
    body = response.get("body") or {}
    return _text(body.get("string") if isinstance(body, Mapping) else None)


def make_recorder(addresses: Mapping[str, str], *, record: bool) -> vcr.VCR:
    """A VCR that records (rewriting ``addresses`` real -> placeholder) or replays strictly."""
    rewrites = [(re.compile(re.escape(real.rstrip("/"))), fake) for real, fake in addresses.items()]

    def rewrite(text: str) -> str:
        for pattern, fake in rewrites:
            text = pattern.sub(fake, text)
        return text

    def before_record_request(request: Any) -> Any:
        request.uri = rewrite(request.uri)
        # A body can quote a service's address too (a prompt citing a pull request's URL).
        if isinstance(request.body, bytes):
            request.body = rewrite(_text(request.body)).encode()
        elif isinstance(request.body, str):
            request.body = rewrite(request.body)
        request.body = scrub(request.body)
        for name in list(request.headers):
            if name.lower() not in _KEPT_REQUEST_HEADERS:
                del request.headers[name]
        return request

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        body = response.get("body", {})
        if isinstance(body, dict) and body.get("string") and not _binary(body["string"]):
            raw = body["string"]
            text = rewrite(_text(raw))
            scrubbed = _text(scrub(text))
            body["string"] = scrubbed.encode() if isinstance(raw, bytes) else scrubbed
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in _DROPPED_RESPONSE_HEADERS:
                del headers[name]
            else:
                headers[name] = [rewrite(value) for value in headers[name]]
        return response

    recorder = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=("method", "royal_uri", "royal_body"),
        before_record_request=before_record_request,
        before_record_response=before_record_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("royal_uri", _uri_matcher)
    recorder.register_matcher("royal_body", _body_matcher)
    return recorder


@contextmanager
def open_tape(
    path: Path,
    addresses: Mapping[str, str],
    *,
    record: bool,
    label: Mapping[str, Any] | None = None,
) -> Iterator[Tape]:
    """Record to (or replay from) ``path``; ``label`` says how a recording was made."""
    if record:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    elif not path.exists():
        raise FileNotFoundError(f"no cassette at {path}: record it with `royal eval --record`")
    recorder = make_recorder(addresses, record=record)
    with recorder.use_cassette(str(path)) as cassette:
        tape = Tape(cassette=cassette, recording=record)
        _observe(tape)
        if record:
            for key, value in (label or {}).items():
                cassette.get_metadata(key, value)
        yield tape


def _observe(tape: Tape) -> None:
    """Log every exchange in order, and every request replay could not serve."""
    cassette = tape.cassette
    can_play = cassette.can_play_response_for
    play = cassette.play_response
    append = cassette.append

    def can_play_response_for(request: Any) -> bool:
        found = bool(can_play(request))
        if not found and not tape.recording:
            tape.misses.append(f"{request.method} {request.uri}")
        return found

    def play_response(request: Any) -> Any:
        response = play(request)
        tape.exchanges.append(_exchange(request, response))
        return response

    def record(request: Any, response: Any) -> None:
        append(request, response)
        if cassette.data:
            stored_request, stored_response = cassette.data[-1]
            tape.exchanges.append(_exchange(stored_request, stored_response))

    cassette.can_play_response_for = can_play_response_for
    cassette.play_response = play_response
    cassette.append = record


def _exchange(request: Any, response: Mapping[str, Any]) -> Exchange:
    status = response.get("status") or {}
    return Exchange(
        method=str(request.method),
        uri=str(request.uri),
        request_body=_text(request.body),
        status=int(status.get("code", 0)) if isinstance(status, Mapping) else 0,
        response_body=_response_text(response),
    )


def cassette_digest(path: Path) -> str | None:
    """SHA-256 of a cassette file (for the report header), None when absent."""
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_label(path: Path) -> dict[str, Any]:
    """The metadata a cassette was labelled with when recorded."""
    import yaml

    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    metadata = data.get("metadata") if isinstance(data, dict) else None
    return dict(metadata) if isinstance(metadata, dict) else {}


#: Token counts of prompts that carry volatile values (ids, timestamps) vary by a few tokens.
_PROMPT_TOKENS = re.compile(r'"(prompt_tokens|total_tokens)": ?\d+')


def normalised_interactions(path: Path) -> list[tuple[str, str, str, str]]:
    """(method, uri, request body, response body) per interaction, normalised, sorted: what
    two recordings of the same case must share to be equivalent."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for interaction in data.get("interactions", []):
        request, response = interaction["request"], interaction["response"]
        rows.append(
            (
                request["method"],
                canonical_uri(request["uri"]),
                canonical_body(request.get("body")),
                _PROMPT_TOKENS.sub(
                    r'"\1": <n>', canonical_body((response.get("body") or {}).get("string"))
                ),
            )
        )
    return sorted(rows)
