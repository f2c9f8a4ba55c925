"""The Printful sandbox's demo catalog: 20 print-on-demand products Printful makes itself.

Printful prints and ships its own catalog, so the company behind every item is Printful: the
sandbox's PROVEN supplier (six years, 4.8 stars over thousands of reviews, 97% on time, 0.8%
defects, 5-8 days, verified). Vendor metrics (``supplier_info``) and product ``rating`` /
``review_count`` are sandbox extensions; the real API publishes neither.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

IMAGE_BASE = "https://images.printful-sandbox.example"
STORE_ID = 10000001
STORE_NAME = "Royal Equips (sandbox)"

SUPPLIER_INFO: dict[str, Any] = {
    "id": "printful",
    "name": "Printful",
    "years_active": 6,
    "days_on_platform": 2190,
    "rating": 4.8,
    "review_count": 12480,
    "on_time_shipping_rate": 0.97,
    "defect_rate": 0.008,
    "dispute_rate": 0.004,
    "shipping_days_min": 5,
    "shipping_days_max": 8,
    "ships_from": "US",
    "verified": True,
}

REGIONS = {"US": "USA", "EU": "Europe", "CA": "Canada", "AU": "Australia"}

# Shipping classes: (first item, each additional) in USD for the US; other zones scale it.
LIGHT = (Decimal("3.99"), Decimal("1.25"))
APPAREL = (Decimal("4.75"), Decimal("2.20"))
HEAVY = (Decimal("7.95"), Decimal("3.50"))


@dataclass(frozen=True)
class CatalogProduct:
    id: int
    type: str
    type_name: str
    title: str
    brand: str | None
    model: str
    main_category_id: int
    price: Decimal
    colors: tuple[tuple[str, str | None], ...]
    sizes: tuple[str, ...]
    description: str
    technique: tuple[str, str]
    rating: Decimal
    review_count: int
    shipping: tuple[Decimal, Decimal]
    avg_fulfillment_time: float = 2.5
    upcharges: dict[str, Decimal] = field(default_factory=dict)

    def variants(self) -> list[CatalogVariant]:
        combos = itertools.product(self.colors, self.sizes)
        return [
            CatalogVariant(self, self.id * 100 + index + 1, color, hex_code, size)
            for index, ((color, hex_code), size) in enumerate(combos)
        ]


@dataclass(frozen=True)
class CatalogVariant:
    product: CatalogProduct
    id: int
    color: str
    color_code: str | None
    size: str

    @property
    def name(self) -> str:
        details = " / ".join(part for part in (self.color, self.size) if part)
        return f"{self.product.title} ({details})" if details else self.product.title

    @property
    def price(self) -> Decimal:
        return self.product.price + self.product.upcharges.get(self.size, Decimal("0"))


def _product(
    pid: int,
    type_: str,
    type_name: str,
    title: str,
    brand: str | None,
    model: str,
    category: int,
    price: str,
    colors: tuple[tuple[str, str | None], ...],
    sizes: tuple[str, ...],
    description: str,
    *,
    technique: tuple[str, str] = ("DTG", "DTG printing"),
    rating: str,
    reviews: int,
    shipping: tuple[Decimal, Decimal] = APPAREL,
    upcharges: dict[str, str] | None = None,
) -> CatalogProduct:
    return CatalogProduct(
        id=pid,
        type=type_,
        type_name=type_name,
        title=title,
        brand=brand,
        model=model,
        main_category_id=category,
        price=Decimal(price),
        colors=colors,
        sizes=sizes,
        description=description,
        technique=technique,
        rating=Decimal(rating),
        review_count=reviews,
        shipping=shipping,
        upcharges={size: Decimal(value) for size, value in (upcharges or {}).items()},
    )


BLACK, WHITE = ("Black", "#0b0b0b"), ("White", "#ffffff")
PRINTED = (("", None),)
ONE_SIZE = ("",)
APPAREL_SIZES = ("S", "M", "L", "XL", "2XL")
SUBLIMATION = ("SUBLIMATION", "Sublimation")
EMBROIDERY = ("EMBROIDERY", "Embroidery")

# fmt: off
PRODUCTS: tuple[CatalogProduct, ...] = (
    _product(601, "T-SHIRT", "T-Shirt", "Unisex Staple T-Shirt | Bella + Canvas 3001",
             "Bella + Canvas", "3001", 24, "9.25", (BLACK, WHITE), APPAREL_SIZES,
             "Soft, lightweight retail-fit tee in 100% combed ring-spun cotton.",
             rating="4.8", reviews=9412, upcharges={"2XL": "2.00"}),
    _product(602, "HOODIE", "Hoodie", "Unisex Heavy Blend Hoodie | Gildan 18500", "Gildan",
             "18500", 7, "22.75", (BLACK, ("Sport Grey", "#9b969c")), APPAREL_SIZES,
             "Cozy 50/50 cotton-polyester fleece hoodie with a double-lined hood.",
             rating="4.7", reviews=5130, shipping=HEAVY, upcharges={"2XL": "2.50"}),
    _product(603, "EMBROIDERY", "Dad Hat", "Embroidered Dad Hat | Yupoong 6245CM", "Yupoong",
             "6245CM", 42, "14.25", (BLACK, ("Navy", "#182031"), ("Khaki", "#b9a991")), ONE_SIZE,
             "Low-profile cotton twill cap with an adjustable strap, embroidered to order.",
             technique=EMBROIDERY, rating="4.8", reviews=3204, shipping=LIGHT),
    _product(604, "LEGGINGS", "Leggings", "All-Over Print Leggings", None, "AOP-LEGGINGS", 31,
             "24.50", PRINTED, ("XS", "S", "M", "L", "XL"),
             "Four-way stretch leggings for yoga, running and the gym, printed edge to edge.",
             technique=SUBLIMATION, rating="4.6", reviews=2871),
    _product(605, "SPORTS-BRA", "Sports Bra", "All-Over Print Sports Bra", None, "AOP-BRA", 31,
             "21.00", PRINTED, ("XS", "S", "M", "L", "XL"),
             "Moisture-wicking sports bra with removable padding for workouts.",
             technique=SUBLIMATION, rating="4.5", reviews=1188),
    _product(606, "BOTTLE", "Water Bottle", "Stainless Steel Water Bottle 17oz", None,
             "SS-BOTTLE-17", 112, "18.95", (WHITE, BLACK), ONE_SIZE,
             "Double-wall insulated bottle for the gym and the trail, cold for 24 hours.",
             technique=("UV", "UV printing"), rating="4.7", reviews=1642, shipping=HEAVY),
    _product(607, "BAG", "Gym Bag", "All-Over Print Gym Bag", None, "AOP-GYM-BAG", 135,
             "26.50", PRINTED, ONE_SIZE,
             "Roomy duffel with a shoe compartment and an adjustable shoulder strap.",
             technique=SUBLIMATION, rating="4.6", reviews=734, shipping=HEAVY),
    _product(608, "BACKPACK", "Backpack", "Minimalist Backpack", None, "MIN-BACKPACK", 135,
             "29.95", (BLACK,), ONE_SIZE,
             "Water-resistant backpack with a padded laptop sleeve, for hikes and commutes.",
             technique=SUBLIMATION, rating="4.7", reviews=981, shipping=HEAVY),
    _product(609, "HAT", "Bucket Hat", "Bucket Hat | Big Accessories BX003",
             "Big Accessories", "BX003", 42, "15.50", (BLACK, WHITE), ("S/M", "L/XL"),
             "Cotton twill bucket hat for sunny days outdoors.",
             technique=EMBROIDERY, rating="4.6", reviews=1420, shipping=LIGHT),
    _product(610, "FANNY-PACK", "Fanny Pack", "All-Over Print Fanny Pack", None, "AOP-FANNY",
             135, "19.95", PRINTED, ONE_SIZE,
             "Belt bag with a water-resistant lining, sized for phone, keys and trail snacks.",
             technique=SUBLIMATION, rating="4.5", reviews=655, shipping=LIGHT),
    _product(611, "MUG", "Mug", "White Glossy Mug", None, "MUG-WHITE", 112, "5.95",
             (WHITE,), ("11 oz", "15 oz"), "Ceramic mug, dishwasher and microwave safe.",
             technique=SUBLIMATION, rating="4.8", reviews=8876, shipping=HEAVY,
             upcharges={"15 oz": "1.50"}),
    _product(612, "PILLOW", "Pillow", "All-Over Print Basic Pillow", None, "AOP-PILLOW", 96,
             "14.25", PRINTED, ("16″×16″", "18″×18″", "20″×20″"),
             "Soft polyester pillow with a concealed zipper, insert included.",
             technique=SUBLIMATION, rating="4.7", reviews=2233, shipping=HEAVY,
             upcharges={"18″×18″": "1.50", "20″×20″": "3.25"}),
    _product(613, "POSTER", "Poster", "Enhanced Matte Paper Poster (in)", None, "POSTER-EMP",
             55, "7.25", PRINTED, ("12″×16″", "18″×24″", "24″×36″"),
             "Museum-quality matte poster on thick, durable paper.",
             technique=("DIGITAL", "Digital printing"), rating="4.8", reviews=6710,
             shipping=LIGHT, upcharges={"18″×24″": "4.00", "24″×36″": "9.00"}),
    _product(614, "BLANKET", "Blanket", "Sherpa Blanket", None, "SHERPA-BLANKET", 96,
             "34.95", PRINTED, ("50″×60″", "60″×80″"),
             "Double-layer blanket with a fluffy sherpa back.",
             technique=SUBLIMATION, rating="4.9", reviews=1894, shipping=HEAVY,
             upcharges={"60″×80″": "8.00"}),
    _product(615, "PET-BANDANA", "Pet Bandana", "All-Over Print Pet Bandana", None,
             "PET-BANDANA", 160, "9.95", PRINTED, ("S", "M", "L"),
             "Soft, breathable bandana for dogs and cats with a snap closure.",
             technique=SUBLIMATION, rating="4.7", reviews=1022, shipping=LIGHT),
    _product(616, "PET-BOWL", "Pet Bowl", "Pet Bowl", None, "PET-BOWL", 160, "17.95",
             (WHITE,), ("18 oz", "32 oz"), "Stainless steel pet bowl with a rubber base.",
             technique=("UV", "UV printing"), rating="4.6", reviews=588, shipping=HEAVY,
             upcharges={"32 oz": "2.00"}),
    _product(617, "PET-BED", "Pet Bed", "All-Over Print Pet Bed", None, "PET-BED", 160,
             "29.50", PRINTED, ("S", "M", "L"),
             "Machine-washable pet bed with a non-slip bottom, for dogs and cats.",
             technique=SUBLIMATION, rating="4.7", reviews=842, shipping=HEAVY,
             upcharges={"M": "5.00", "L": "10.00"}),
    _product(618, "PHONE-CASE", "Phone Case", "Tough Case for iPhone®", None, "TOUGH-IPHONE",
             173, "15.95", PRINTED, ("iPhone 15", "iPhone 15 Pro", "iPhone 15 Pro Max"),
             "Dual-layer impact-resistant phone case, glossy finish.",
             technique=("UV", "UV printing"), rating="4.7", reviews=3917, shipping=LIGHT),
    _product(619, "PHONE-CASE", "Phone Case", "Clear Case for Samsung®", None,
             "CLEAR-SAMSUNG", 173, "10.95", PRINTED, ("Galaxy S23", "Galaxy S24"),
             "Slim transparent TPU phone case with a printed design.",
             technique=("UV", "UV printing"), rating="4.5", reviews=1305, shipping=LIGHT),
    _product(620, "YOGA-MAT", "Yoga Mat", "Yoga Mat", None, "YOGA-MAT", 31, "26.50",
             PRINTED, ("24″×68″",),
             "Non-slip rubber-backed yoga mat with a printed microsuede top.",
             technique=SUBLIMATION, rating="4.6", reviews=964, shipping=HEAVY),
)
# fmt: on

VARIANTS: dict[int, CatalogVariant] = {
    variant.id: variant for product in PRODUCTS for variant in product.variants()
}
PRODUCTS_BY_ID: dict[int, CatalogProduct] = {product.id: product for product in PRODUCTS}


@dataclass(frozen=True)
class SyncProduct:
    """A product in the merchant's Printful store: a design on catalog variants, retail prices."""

    id: int
    external_id: str
    name: str
    catalog_variant_ids: tuple[int, ...]
    retail_price: Decimal

    def sync_variant_ids(self) -> list[int]:
        return [self.id * 10 + index + 1 for index in range(len(self.catalog_variant_ids))]


SYNC_PRODUCTS: tuple[SyncProduct, ...] = (
    SyncProduct(
        310000001,
        "royal-crest-tee",
        "Royal Equips Crest Tee",
        (60101, 60102, 60103, 60104),
        Decimal("24.00"),
    ),
    SyncProduct(
        310000002, "royal-mug", "Royal Equips Morning Mug", (61101, 61102), Decimal("14.00")
    ),
    SyncProduct(
        310000003,
        "royal-trail-bottle",
        "Royal Equips Trail Bottle",
        (60601, 60602),
        Decimal("32.00"),
    ),
)
