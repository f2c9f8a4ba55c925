"""GitHub client configuration and models."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr, ValidationError

from settings import Settings
from tools.github import SANDBOX_TOKEN, FileContents, GitHubConfig
from tools.github.models import FileWrite, NewReference, PullRequestUpdate


def test_config_without_token_points_at_the_sandbox() -> None:
    config = GitHubConfig.from_settings(Settings(royal_sandbox_port=9911))
    assert config.sandbox
    assert config.api_url == "http://127.0.0.1:9911/github"
    assert config.token.get_secret_value() == SANDBOX_TOKEN
    assert config.repo == "royal-equips/storefront"
    assert (config.owner, config.name) == ("royal-equips", "storefront")


def test_config_with_token_points_at_github() -> None:
    settings = Settings(
        github_token=SecretStr("ghp_real"),
        github_repo="acme/shop",
        github_api_url="https://ghe.example.com/api/v3/",
    )
    config = GitHubConfig.from_settings(settings)
    assert not config.sandbox
    assert config.api_url == "https://ghe.example.com/api/v3"
    assert config.repo == "acme/shop"
    assert "ghp_real" not in repr(config)


@pytest.mark.parametrize("repo", ["storefront", "a/b/c", "/b", "a/"])
def test_config_rejects_malformed_repo(repo: str) -> None:
    with pytest.raises(ValidationError):
        GitHubConfig(api_url="https://api.github.com", token=SecretStr("t"), repo=repo)


def test_file_contents_decodes_wrapped_base64() -> None:
    raw = b'{"title": "Aurora"}\n' * 10
    encoded = base64.b64encode(raw).decode()
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    contents = FileContents(
        type="file",
        encoding="base64",
        size=len(raw),
        name="a.json",
        path="p/a.json",
        content=wrapped,
        sha="a" * 40,
    )
    assert contents.decoded == raw
    assert contents.text.startswith('{"title"')
    odd = contents.model_copy(update={"encoding": "none"})
    with pytest.raises(ValueError, match="encoding"):
        _ = odd.decoded


def test_inputs_are_validated_before_sending() -> None:
    with pytest.raises(ValidationError):
        FileWrite(message="m", content="not base64!")
    with pytest.raises(ValidationError):
        FileWrite(message="", content="aGk=")
    with pytest.raises(ValidationError):
        NewReference(ref="heads/x", sha="a" * 40)
    with pytest.raises(ValidationError):
        NewReference(ref="refs/heads/x", sha="short")
    with pytest.raises(ValidationError):
        PullRequestUpdate.model_validate({"state": "merged"})
    with pytest.raises(ValidationError):
        PullRequestUpdate.model_validate({"titel": "typo"})
