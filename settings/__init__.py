"""One settings object for the whole system.

Every environment variable the project reads is declared here, so there is exactly one place to
look (and the README's configuration table is generated from it). Secrets are ``SecretStr``:
their values never appear in ``repr``, logs or ``royal doctor``.
"""

from settings.model import (
    Environment,
    MissingSecretsError,
    ServiceMode,
    Settings,
    get_settings,
    reset_settings_cache,
)

__all__ = [
    "Environment",
    "MissingSecretsError",
    "ServiceMode",
    "Settings",
    "get_settings",
    "reset_settings_cache",
]
