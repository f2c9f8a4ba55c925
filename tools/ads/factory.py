"""The ads platform a process uses: Meta with credentials, else the sandbox's Meta emulator."""

from __future__ import annotations

from settings import Settings
from tools.ads.meta import (
    SANDBOX_ACCOUNT,
    SANDBOX_PAGE,
    SANDBOX_PATH,
    SANDBOX_TOKEN,
    MetaAdsClient,
)
from tools.ads.protocol import AdsPlatform


def build_ads(settings: Settings, *, sandbox_url: str | None = None) -> AdsPlatform:
    token, account, page = (
        settings.meta_access_token,
        settings.meta_ad_account_id,
        (settings.meta_page_id),
    )
    if token is not None and account and page:
        return MetaAdsClient(
            access_token=token.get_secret_value(),
            ad_account_id=account,
            page_id=page,
            base_url=settings.meta_base_url,
        )
    sandbox = (sandbox_url or settings.sandbox_url).rstrip("/")
    return MetaAdsClient(
        access_token=SANDBOX_TOKEN,
        ad_account_id=SANDBOX_ACCOUNT,
        page_id=SANDBOX_PAGE,
        base_url=sandbox + SANDBOX_PATH,
    )
