"""Where the GitHub client connects and how hard it tries: real GitHub or the local sandbox."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from settings import Settings
from tools.github.app_auth import AppCredentials
from tools.github.sandbox_app import SANDBOX_APP_ID, SANDBOX_APP_PRIVATE_KEY

#: The one token the sandbox emulator accepts; not a secret, it only unlocks the local emulator.
SANDBOX_TOKEN = "ghp_sandbox_token"
#: Stands in for GITHUB_TOKEN when a GitHub App's installation tokens are used instead.
APP_TOKEN_PLACEHOLDER = "github-app-installation-token"


class GitHubConfig(BaseModel):
    """Connection and retry settings for one repository."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_url: str = Field(description="REST base URL, e.g. https://api.github.com.")
    token: SecretStr = Field(description="Token sent as 'Authorization: Bearer'.")
    repo: str = Field(description="owner/name of the repository the client works on.")
    max_attempts: int = Field(default=6, ge=1, le=20, description="Attempts per request.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds per HTTP request.")
    max_rate_limit_wait: float = Field(
        default=300.0,
        ge=0,
        description="Longest single rate-limit wait; beyond it GitHubRateLimitError is raised.",
    )
    backoff_base: float = Field(default=0.5, gt=0, description="First 5xx backoff, seconds.")
    backoff_max: float = Field(default=30.0, gt=0, description="Cap of one 5xx backoff, seconds.")
    sandbox: bool = Field(default=False, description="True when pointing at the local emulator.")

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("repo")
    @classmethod
    def _owner_name(cls, value: str) -> str:
        owner, sep, name = value.partition("/")
        if not sep or not owner or not name or "/" in name:
            raise ValueError("must be 'owner/name'")
        return value

    @property
    def owner(self) -> str:
        return self.repo.partition("/")[0]

    @property
    def name(self) -> str:
        return self.repo.partition("/")[2]

    @classmethod
    def from_settings(cls, settings: Settings) -> GitHubConfig:
        """Real GitHub when GITHUB_TOKEN (or a GitHub App) is set, otherwise the sandbox."""
        if settings.github_token is not None:
            return cls(
                api_url=settings.github_api_url,
                token=settings.github_token,
                repo=settings.github_repo,
            )
        if settings.github_app_id is not None and settings.github_app_private_key is not None:
            return cls(
                api_url=settings.github_api_url,
                token=SecretStr(APP_TOKEN_PLACEHOLDER),  # an installation token is used
                repo=settings.github_repo,
            )
        return cls(
            api_url=f"{settings.sandbox_url}/github",
            token=SecretStr(SANDBOX_TOKEN),
            repo=settings.github_repo,
            sandbox=True,
        )


def app_credentials(settings: Settings) -> AppCredentials | None:
    """The configured GitHub App; the sandbox's own app when GitHub is the sandbox."""
    if settings.github_app_id is not None and settings.github_app_private_key is not None:
        return AppCredentials(
            app_id=settings.github_app_id,
            private_key=settings.github_app_private_key,
            api_url=settings.github_api_url.rstrip("/"),
        )
    if settings.github_token is None:
        return AppCredentials(
            app_id=SANDBOX_APP_ID,
            private_key=SecretStr(SANDBOX_APP_PRIVATE_KEY),
            api_url=f"{settings.sandbox_url}/github",
        )
    return None
