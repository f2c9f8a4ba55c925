"""The factory picks ChatOpenAI with a key and the offline model without, and says which."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from settings import Settings
from tools.llm import (
    OFFLINE_LABEL,
    OFFLINE_MODEL_NAME,
    ModelConfig,
    OfflineChatModel,
    ResponderRegistry,
    RunBudget,
    chat_model,
    describe_model,
)


def test_without_a_key_the_offline_model_is_used_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = ModelConfig.from_settings(Settings())
    assert config.offline
    with caplog.at_level(logging.WARNING, logger="tools.llm.factory"):
        model = chat_model("ceo", config)
    assert isinstance(model, OfflineChatModel)
    assert model.metadata is not None
    assert model.metadata["royal_role"] == "ceo"
    assert "OFFLINE deterministic model (no OPENAI_API_KEY)" in caplog.text
    assert describe_model(config) == {
        "provider": "offline",
        "model": OFFLINE_MODEL_NAME,
        "models": dict.fromkeys(("ceo", "cluster", "copywriting"), OFFLINE_MODEL_NAME),
        "base_url": None,
        "label": OFFLINE_LABEL,
    }
    assert config.model_for("copywriting") == OFFLINE_MODEL_NAME


def test_offline_model_can_use_its_own_responder_registry() -> None:
    registry = ResponderRegistry({"Plan": lambda _: {"objective": "x"}})
    model = chat_model("cluster", ModelConfig(), registry=registry)
    assert isinstance(model, OfflineChatModel)
    assert model.registry is registry


def test_with_a_key_chatopenai_is_built_for_the_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1/")
    monkeypatch.setenv("ROYAL_MODEL_CLUSTER", "llama3.1:8b")
    config = ModelConfig.from_settings(Settings(), budget=RunBudget(max_cost_eur=Decimal(2)))
    assert not config.offline
    assert config.base_url == "http://127.0.0.1:11434/v1"
    assert config.budget.max_cost_eur == Decimal(2)
    model = chat_model("cluster", config)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "llama3.1:8b"
    assert model.openai_api_base == "http://127.0.0.1:11434/v1"
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "sk-test-123"
    assert model.stream_usage is True
    assert model.max_retries == config.max_retries
    assert model.request_timeout == config.timeout_s
    assert model.metadata is not None
    assert model.metadata["royal_role"] == "cluster"
    description = describe_model(config, "cluster")
    assert description["provider"] == "openai-compatible"
    assert description["model"] == "llama3.1:8b"
    assert description["label"].startswith("OpenAI-compatible server at http://127.0.0.1:11434/v1")


def test_openai_description_and_credentials_in_urls_are_redacted() -> None:
    config = ModelConfig(api_key=SecretStr("sk-x"))
    assert describe_model(config)["provider"] == "openai"
    assert describe_model(config)["label"] == (
        "OpenAI API (ceo=gpt-4o, cluster=gpt-4o-mini, copywriting=gpt-4o-mini)"
    )
    secret_url = ModelConfig(api_key=SecretStr("sk-x"), base_url="https://u:pw@llm.example/v1")
    assert describe_model(secret_url)["base_url"] == "https://llm.example/v1"
    assert "pw" not in describe_model(secret_url)["label"]


def test_config_rejects_missing_role_models_and_bad_urls() -> None:
    with pytest.raises(ValidationError, match="no model configured for role"):
        ModelConfig(models={"ceo": "gpt-4o", "cluster": " ", "copywriting": "x"})
    with pytest.raises(ValidationError, match="http"):
        ModelConfig(base_url="localhost:11434")
    assert ModelConfig(api_key=SecretStr("  ")).offline
