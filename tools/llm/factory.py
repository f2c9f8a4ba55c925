"""Build the chat model for a role: ChatOpenAI when a key is set, the offline model otherwise.

Whichever is chosen says so: :func:`describe_model` is what logs, the CLI and run metadata
show, and creating an offline model logs a warning-level line that names the missing key.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel
from typing_extensions import TypedDict

from tools.llm.callbacks import ROLE_METADATA_KEY
from tools.llm.config import OFFLINE_MODEL_NAME, ROLES, ModelConfig, Role
from tools.llm.offline import OfflineChatModel
from tools.llm.responders import ResponderRegistry

logger = logging.getLogger(__name__)

OFFLINE_LABEL = "OFFLINE deterministic model (no OPENAI_API_KEY)"


class ModelDescription(TypedDict):
    """What serves model calls, in plain words (for logs, CLI, API and run metadata)."""

    provider: str
    """``offline``, ``openai`` or ``openai-compatible``."""
    model: str
    """The model of the role asked about (the CEO's when no role is given)."""
    models: dict[str, str]
    """Every role's model."""
    base_url: str | None
    label: str


def describe_model(config: ModelConfig, role: Role = "ceo") -> ModelDescription:
    """Which model answers, e.g. ``{"provider": "offline", "model": "royal-offline-1", …}``."""
    if config.offline:
        return ModelDescription(
            provider="offline",
            model=OFFLINE_MODEL_NAME,
            models=dict.fromkeys(ROLES, OFFLINE_MODEL_NAME),
            base_url=None,
            label=OFFLINE_LABEL,
        )
    models: dict[str, str] = {r: config.models[r] for r in ROLES}
    listing = ", ".join(f"{r}={m}" for r, m in models.items())
    if config.base_url is None:
        return ModelDescription(
            provider="openai",
            model=config.models[role],
            models=models,
            base_url=None,
            label=f"OpenAI API ({listing})",
        )
    url = _redact(config.base_url)
    return ModelDescription(
        provider="openai-compatible",
        model=config.models[role],
        models=models,
        base_url=url,
        label=f"OpenAI-compatible server at {url} ({listing})",
    )


def chat_model(
    role: Role, config: ModelConfig, *, registry: ResponderRegistry | None = None
) -> BaseChatModel:
    """The chat model serving ``role``.

    Both kinds carry ``metadata={"royal_role": role}`` so usage callbacks can attribute each
    call to its role. ``registry`` replaces the offline model's default responder registry.
    """
    metadata = {ROLE_METADATA_KEY: role}
    tags = ["royal", f"role:{role}"]
    if config.offline:
        logger.warning(
            "model for role %s: %s — answers are rule-based templates, not a language model; "
            "set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server) to use one",
            role,
            OFFLINE_LABEL,
        )
        if registry is None:
            return OfflineChatModel(metadata=metadata, tags=tags)
        return OfflineChatModel(metadata=metadata, tags=tags, registry=registry)
    from langchain_openai import ChatOpenAI  # heavy (the openai SDK): only when a key is set

    description = describe_model(config, role)
    logger.info("model for role %s: %s via %s", role, description["model"], description["label"])
    return ChatOpenAI(
        model=config.models[role],
        api_key=config.api_key,
        base_url=config.base_url,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        stream_usage=True,
        metadata=metadata,
        tags=tags,
    )


def _redact(url: str) -> str:
    """``url`` without user:password, which some compatible servers take in the URL."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
