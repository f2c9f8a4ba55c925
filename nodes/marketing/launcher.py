"""Campaign Manager, the write: campaign → ad set → creatives → ads on the ads platform, once.

The gate runs this through the effects ledger with a key derived from (thread, task, action);
the ledger alone cannot cover a crash between the platform's answer and the ledger's record,
and the Graph API has no idempotency key. So every object carries a tag from that key in its
name, and each step first looks for the object it would create: a re-executed launch finds
what the crashed one made and creates only what is missing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from pydantic import JsonValue

from nodes.marketing.budget_cap import check_cap
from nodes.marketing.creatives import render_all
from nodes.marketing.launch_args import LaunchArgs
from nodes.services import Services
from policies.schema import AdLimits
from storage.marketing import AdRecord, CampaignRecord, CampaignRepository
from tools.ads import AdObject, AdsPlatform, BudgetKind, NewAd, NewAdSet, NewCampaign

#: The platforms' smallest budget an ad set may start with.
MIN_START_EUR = Decimal("1.00")


def tag_of(key: str) -> str:
    return f"ro-{key.replace('-', '')[:12]}"


def start_budget(approved: Decimal, limits: AdLimits) -> Decimal:
    """The ad set's first budget: the policy's launch share of the approved budget."""
    share = (approved * limits.launch_share_pct / 100).quantize(Decimal("0.01"), ROUND_DOWN)
    return min(approved, max(share, MIN_START_EUR))


def ads_of(services: Services) -> AdsPlatform:
    if services.ads is None:
        raise RuntimeError("no ads platform is configured for this process")
    return services.ads


async def launch_campaign(
    services: Services,
    args: LaunchArgs,
    key: str,
    *,
    thread_id: str | None,
    product_image: bytes | None = None,
) -> dict[str, JsonValue]:
    campaigns = CampaignRepository(services.database, clock=services.clock)
    existing = await campaigns.get(key)
    if existing is not None:
        return launch_result(existing)
    limits = services.policy.policy.document.ads
    now = services.clock()
    await check_cap(campaigns, now, limits.monthly_cap_eur, args.budget_eur)
    ads = ads_of(services)
    tag = tag_of(key)
    campaign = _first(await ads.find_campaigns(tag)) or await ads.create_campaign(
        NewCampaign(name=f"{args.campaign_name} [{tag}]")
    )
    budget = start_budget(args.budget_eur, limits)
    ad_set = _first(await ads.find_ad_sets(campaign.id, tag)) or await ads.create_ad_set(
        NewAdSet(
            name=f"{args.product_title} [{tag}]",
            campaign_id=campaign.id,
            budget_kind=BudgetKind.LIFETIME,
            budget_eur=budget,
            end_time=now + timedelta(days=args.days),
            countries=args.countries,
        )
    )
    price = f"{args.price_eur:.2f}".replace(".", ",") if args.price_eur is not None else ""
    records: list[AdRecord] = []
    for index, copy in enumerate(args.ads, start=1):
        name = f"{args.product_title} {copy.language} v{index} [{tag}#{index}]"
        creatives = render_all(
            f"ad{index}-{copy.language}",
            product_title=args.product_title,
            headline=copy.headline,
            price=price,
            product_image=product_image,
        )
        creative_ids = [
            await campaigns.save_creative(key, creative.name, creative.png, creative.size)
            for creative in creatives
        ]
        feed = creatives[0]
        ad = _first(await ads.find_ads(campaign.id, f"[{tag}#{index}]")) or await ads.create_ad(
            NewAd(
                name=name,
                adset_id=ad_set.id,
                headline=copy.headline,
                primary_text=copy.primary_text,
                description=copy.description,
                link=args.product_url,
                image_png=feed.png,
                image_name=f"{feed.name}.png",
            )
        )
        records.append(
            AdRecord(
                ad_id=ad.id,
                name=name,
                language=copy.language,
                headline=copy.headline,
                primary_text=copy.primary_text,
                creative_ids=creative_ids,
            )
        )
    saved = await campaigns.save(
        CampaignRecord(
            key=key,
            platform=ads.name,
            campaign_id=campaign.id,
            adset_id=ad_set.id,
            name=args.campaign_name,
            product_id=args.product_id,
            product_title=args.product_title,
            approved_budget_eur=args.budget_eur,
            budget_eur=budget,
            status="active",
            thread_id=thread_id,
            ads=records,
            created_at=now,
            updated_at=now,
        )
    )
    return launch_result(saved)


def _first(found: list[AdObject]) -> AdObject | None:
    """The object a crashed launch already made under this tag, if any."""
    return found[0] if found else None


def launch_result(record: CampaignRecord) -> dict[str, JsonValue]:
    """What a launch returns, from its campaign's record (also how the sweeper reports it)."""
    return {
        "campaign_id": record.campaign_id,
        "adset_id": record.adset_id,
        "ad_ids": [ad.ad_id for ad in record.ads],
        "approved_budget_eur": str(record.approved_budget_eur),
        "start_budget_eur": str(record.budget_eur),
        "creatives": sum(len(ad.creative_ids) for ad in record.ads),
    }
