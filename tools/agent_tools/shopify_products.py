"""Product writes: upsert by handle (``productSet``), partial update, publish to channels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from pydantic import Field, model_validator

from policies import Access, ActionKind
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.definition import Facts, Summary, ToolArgs, WriteArgs, WriteTool
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.money import Money, PriceChange, largest_change, margin_pct
from tools.agent_tools.shopify_pricing import fetch_product, shop_currency
from tools.agent_tools.spec import ToolSpec
from tools.shopify.models import (
    InventoryItemInput,
    OptionSetInput,
    Product,
    ProductSetIdentifier,
    ProductSetInput,
    ProductStatus,
    ProductUpdateInput,
    ProductVariant,
    ProductVariantSetInput,
    Publication,
    PublicationTarget,
    SeoInput,
    VariantOptionValueInput,
)
from tools.shopify.models.common import ProductId

#: Shopify's option and value for a product without options (one variant).
DEFAULT_OPTION = ("Title", "Default Title")
HANDLE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

OptionKey = tuple[tuple[str, str], ...]


def option_key(options: dict[str, str]) -> OptionKey:
    """Identifies a variant by its option values, as Shopify matches them (names ignore case)."""
    pairs = options.items() if options else [DEFAULT_OPTION]
    return tuple(sorted((name.strip().casefold(), value.strip()) for name, value in pairs))


def _variant_key(variant: ProductVariant) -> OptionKey:
    return option_key({option.name: option.value for option in variant.selected_options})


# --- shopify_set_product --------------------------------------------------------------------


class VariantArgs(ToolArgs):
    options: dict[str, str] = Field(
        default_factory=dict,
        description="Option name to value, e.g. {'Size': 'M', 'Color': 'Blue'}; {} for a "
        "product without options (then it has exactly one variant).",
    )
    price: Money = Field(description="Selling price, e.g. '29.95'.")
    compare_at_price: Money | None = Field(default=None, description="'Was' price, if any.")
    sku: str | None = Field(default=None, max_length=255)
    cost: Money | None = Field(
        default=None, description="What one unit costs us (supplier cost + shipping)."
    )


class SetProductArgs(WriteArgs):
    handle: str = Field(
        pattern=HANDLE,
        max_length=255,
        description="URL handle, e.g. 'aurora-desk-lamp'. Creates the product when no "
        "product has this handle, otherwise replaces that product's content and variants.",
    )
    title: str = Field(min_length=1, max_length=255)
    description_html: str | None = Field(
        default=None, description="Product description (HTML); omit to keep the current one."
    )
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] | None = Field(default=None, description="Omit to keep the current tags.")
    status: ProductStatus | None = Field(
        default=None,
        description="ACTIVE, DRAFT or ARCHIVED. Omit: a new product starts as DRAFT, an "
        "existing one keeps its status.",
    )
    seo_title: str | None = Field(default=None, max_length=70)
    seo_description: str | None = Field(default=None, max_length=320)
    variants: list[VariantArgs] = Field(
        min_length=1,
        max_length=250,
        description="Every variant the product should have; variants left out are deleted.",
    )

    @model_validator(mode="after")
    def _consistent_options(self) -> Self:
        names = [tuple(v.options) for v in self.variants]
        if any({n.casefold() for n in name} != {n.casefold() for n in names[0]} for name in names):
            raise ValueError("every variant needs a value for the same options")
        if len(names[0]) > 3:
            raise ValueError("a product has at most 3 options")
        if not names[0] and len(self.variants) > 1:
            raise ValueError("a product without options has exactly one variant")
        keys = [option_key(v.options) for v in self.variants]
        if len(set(keys)) != len(keys):
            raise ValueError("two variants have the same option values")
        return self

    def product_options(self) -> list[tuple[str, list[str]]]:
        """Options in the order the first variant names them, values in order of use."""
        if not self.variants[0].options:
            return [(DEFAULT_OPTION[0], [DEFAULT_OPTION[1]])]
        options: dict[str, list[str]] = {name: [] for name in self.variants[0].options}
        for variant in self.variants:
            for name, values in options.items():
                value = next(
                    v for k, v in variant.options.items() if k.casefold() == name.casefold()
                )
                if value not in values:
                    values.append(value)
        return list(options.items())


def _option_values(name_values: list[tuple[str, list[str]]], variant: VariantArgs) -> list[Any]:
    if not variant.options:
        return [VariantOptionValueInput(option_name=DEFAULT_OPTION[0], name=DEFAULT_OPTION[1])]
    chosen = {k.casefold(): v for k, v in variant.options.items()}
    return [
        VariantOptionValueInput(option_name=name, name=chosen[name.casefold()])
        for name, _ in name_values
    ]


@dataclass(frozen=True)
class SetLookup:
    """The product now at ``handle`` (None: the write creates it)."""

    handle: str
    existing: Product | None


async def _set_lookup(args: SetProductArgs, clients: ToolClients) -> SetLookup:
    return SetLookup(args.handle, await clients.shopify.get_product_by_handle(args.handle))


def _matched(args: SetProductArgs, existing: Product | None) -> list[ProductVariant | None]:
    by_key = {_variant_key(v): v for v in existing.variants} if existing else {}
    return [by_key.get(option_key(v.options)) for v in args.variants]


def _margin(args: SetProductArgs) -> Decimal | None:
    margins = [margin_pct(v.price, v.cost) for v in args.variants if v.cost is not None]
    return min(margins) if margins else None


def _set_changes(args: SetProductArgs, existing: Product | None) -> list[PriceChange]:
    return [
        PriceChange(label=old.title, before=old.price, after=new.price)
        for new, old in zip(args.variants, _matched(args, existing), strict=True)
        if old is not None
    ]


def _set_facts(args: SetProductArgs, found: SetLookup) -> Facts:
    if args.handle != found.handle:
        raise ToolInputError("the handle cannot be changed when editing this write")
    existing = found.existing
    if existing is None:
        return Facts(kind=ActionKind.PRODUCT_CREATE, margin_pct=_margin(args))
    change = largest_change(_set_changes(args, existing))
    return Facts(
        kind=ActionKind.PRODUCT_UPDATE,
        price_before=change.before if change and change.before != change.after else None,
        price_after=change.after if change and change.before != change.after else None,
        margin_pct=_margin(args),
        currency=shop_currency(existing),
    )


def _set_summary(args: SetProductArgs, found: SetLookup) -> Summary:
    existing = found.existing
    currency = shop_currency(existing) if existing else "EUR"
    lines = []
    for new, old in zip(args.variants, _matched(args, existing), strict=True):
        label = " / ".join(new.options.values()) or "Default"
        cost = f", cost {new.cost}" if new.cost is not None else ""
        if old is None:
            lines.append(f"{label}: new at {new.price} {currency}{cost}")
        else:
            lines.append(PriceChange(label, old.price, new.price).describe(currency) + cost)
    if existing is None:
        return Summary(
            title=f"Create product {args.title!r}",
            description=f"New product '{args.handle}' ({args.status or 'DRAFT'}):\n"
            + "\n".join(lines),
        )
    dropped = len(existing.variants) - sum(1 for m in _matched(args, existing) if m is not None)
    removal = f"\n{dropped} existing variant(s) will be deleted." if dropped else ""
    return Summary(
        title=f"Replace product {existing.title!r}",
        description=f"Set '{args.handle}' to:\n" + "\n".join(lines) + removal,
        data_sources=(f"shopify:{existing.id} (current product)",),
    )


def _given(**fields: Any) -> dict[str, Any]:
    """Only the fields that have a value: an explicit null would clear the field on Shopify."""
    return {name: value for name, value in fields.items() if value is not None}


async def _set_perform(
    args: SetProductArgs, found: SetLookup, clients: ToolClients, _key: str
) -> Any:
    existing = found.existing
    options = args.product_options()
    variants = [
        ProductVariantSetInput.model_validate(
            _given(
                id=old.id if old is not None else None,
                option_values=_option_values(options, new),
                price=new.price,
                compare_at_price=new.compare_at_price,
                sku=new.sku,
                inventory_item=InventoryItemInput(cost=new.cost) if new.cost is not None else None,
            )
        )
        for new, old in zip(args.variants, _matched(args, existing), strict=True)
    ]
    seo = _given(title=args.seo_title, description=args.seo_description)
    product = ProductSetInput.model_validate(
        _given(
            title=args.title,
            handle=args.handle,
            description_html=args.description_html,
            vendor=args.vendor,
            product_type=args.product_type,
            tags=args.tags,
            status=args.status or (None if existing is not None else ProductStatus.DRAFT),
            seo=SeoInput.model_validate(seo) if seo else None,
            product_options=[OptionSetInput(name=n, values=v) for n, v in options],
            variants=variants,
        )
    )
    # The handle identifies the product, so a re-executed write updates instead of duplicating.
    return await clients.shopify.set_product(
        product, identifier=ProductSetIdentifier(handle=args.handle)
    )


SET_PRODUCT = WriteTool(
    spec=ToolSpec(
        name="shopify_set_product",
        description="Create a product, or replace an existing one, identified by its URL "
        "handle: title, description, tags, options and the complete list of variants with "
        "prices (decimal strings in EUR, e.g. '29.95') and unit costs. Give unit costs so the "
        "margin can be checked: a low margin or a large price change needs human "
        "approval. New products start as DRAFT; publish them with "
        "shopify_publish_product.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.PRODUCT_CREATE, ActionKind.PRODUCT_UPDATE),
        money_fields=("variants[].price", "variants[].compare_at_price", "variants[].cost"),
    ),
    args_model=SetProductArgs,
    lookup=_set_lookup,
    facts=_set_facts,
    summary=_set_summary,
    perform=_set_perform,
)


# --- shopify_update_product -----------------------------------------------------------------


class UpdateProductArgs(WriteArgs):
    product_id: ProductId = Field(description="gid://shopify/Product/…")
    title: str | None = Field(default=None, min_length=1, max_length=255)
    handle: str | None = Field(
        default=None,
        pattern=HANDLE,
        max_length=255,
        description="New URL handle; the old URL redirects to the new one.",
    )
    description_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] | None = Field(default=None, description="Replaces all tags.")
    status: ProductStatus | None = Field(default=None, description="ACTIVE, DRAFT or ARCHIVED.")
    seo_title: str | None = Field(default=None, max_length=70)
    seo_description: str | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.changes():
            raise ValueError("give at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        fields = self.model_dump(
            exclude={"product_id", "reasoning", "seo_title", "seo_description"}
        )
        changed = {name: value for name, value in fields.items() if value is not None}
        if self.seo_title is not None or self.seo_description is not None:
            changed["seo"] = {"title": self.seo_title, "description": self.seo_description}
        if self.handle is not None:
            # A changed handle keeps old links (ads, search results) working.
            changed["redirect_new_handle"] = True
        return changed


async def _update_lookup(args: UpdateProductArgs, clients: ToolClients) -> Product:
    return await fetch_product(args.product_id, clients)


def _update_facts(args: UpdateProductArgs, product: Product) -> Facts:
    if args.product_id != product.id:
        raise ToolInputError("the product cannot be changed when editing this write")
    return Facts(kind=ActionKind.PRODUCT_UPDATE)


def _update_summary(args: UpdateProductArgs, product: Product) -> Summary:
    changes = args.changes()
    lines = [f"{name}: {value!r}" for name, value in changes.items()]
    return Summary(
        title=f"Update product {product.title!r}",
        description="\n".join(lines),
        data_sources=(f"shopify:{product.id} (current product)",),
    )


async def _update_perform(
    args: UpdateProductArgs, _product: Product, clients: ToolClients, _key: str
) -> Any:
    update = ProductUpdateInput.model_validate({"id": args.product_id, **args.changes()})
    return await clients.shopify.update_product(update)


UPDATE_PRODUCT = WriteTool(
    spec=ToolSpec(
        name="shopify_update_product",
        description="Change some fields of an existing product (title, description, vendor, "
        "type, tags, status, SEO title/description); fields you omit stay as they are. Use "
        "shopify_update_prices for prices and shopify_set_product to replace variants. "
        "Setting status ARCHIVED or DRAFT takes the product off the storefront.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.PRODUCT_UPDATE,),
    ),
    args_model=UpdateProductArgs,
    lookup=_update_lookup,
    facts=_update_facts,
    summary=_update_summary,
    perform=_update_perform,
)


# --- shopify_publish_product ----------------------------------------------------------------


class PublishArgs(WriteArgs):
    product_id: ProductId = Field(description="gid://shopify/Product/…")
    publications: list[str] = Field(
        default_factory=lambda: ["Online Store"],
        min_length=1,
        description="Sales channels by name (e.g. 'Online Store') or publication id.",
    )


@dataclass(frozen=True)
class PublishLookup:
    product: Product
    publications: list[Publication]

    def resolve(self, wanted: list[str]) -> list[Publication]:
        chosen: list[Publication] = []
        for name in wanted:
            match = next(
                (
                    p
                    for p in self.publications
                    if p.id == name or p.name.casefold() == name.strip().casefold()
                ),
                None,
            )
            if match is None:
                known = ", ".join(repr(p.name) for p in self.publications) or "none"
                raise ToolInputError(f"no sales channel {name!r} (available: {known})")
            if match not in chosen:
                chosen.append(match)
        return chosen


async def _publish_lookup(args: PublishArgs, clients: ToolClients) -> PublishLookup:
    product = await fetch_product(args.product_id, clients)
    return PublishLookup(product, await clients.shopify.list_publications())


def _publish_facts(args: PublishArgs, found: PublishLookup) -> Facts:
    if args.product_id != found.product.id:
        raise ToolInputError("the product cannot be changed when editing this write")
    found.resolve(args.publications)
    return Facts(kind=ActionKind.PRODUCT_PUBLISH)


def _publish_summary(args: PublishArgs, found: PublishLookup) -> Summary:
    channels = ", ".join(p.name for p in found.resolve(args.publications))
    product = found.product
    prices = sorted({v.price for v in product.variants})
    price = f"{prices[0]}" + (f"–{prices[-1]}" if len(prices) > 1 else "") if prices else "?"
    return Summary(
        title=f"Publish {product.title!r}",
        description=f"Make {product.title!r} ({product.status}, {len(product.variants)} "
        f"variant(s), {price} {shop_currency(product)}) visible on: {channels}.",
        data_sources=(f"shopify:{product.id} (product)", "shopify:publications"),
    )


async def _publish_perform(
    args: PublishArgs, found: PublishLookup, clients: ToolClients, _key: str
) -> Any:
    targets = [PublicationTarget(publication_id=p.id) for p in found.resolve(args.publications)]
    return await clients.shopify.publish(args.product_id, targets)


PUBLISH_PRODUCT = WriteTool(
    spec=ToolSpec(
        name="shopify_publish_product",
        description="Publish a product to sales channels (by default the 'Online Store'), "
        "making it visible to customers. The product must exist; set its status ACTIVE for it "
        "to be purchasable.",
        service="shopify",
        access=Access.WRITE,
        action_kinds=(ActionKind.PRODUCT_PUBLISH,),
    ),
    args_model=PublishArgs,
    lookup=_publish_lookup,
    facts=_publish_facts,
    summary=_publish_summary,
    perform=_publish_perform,
)
