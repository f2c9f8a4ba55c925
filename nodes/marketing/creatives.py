"""Ad Creative Agent: image ads rendered with Pillow in the platforms' sizes — 1080×1080 for
feeds, 1080×1920 for stories and reels — with the ad's headline and price as a text overlay
on the product's image (or, for a product without one, on a card in the store's colours)."""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

SIZES: dict[str, tuple[int, int]] = {"feed": (1080, 1080), "story": (1080, 1920)}
_PALETTES = (
    ((24, 42, 84), (216, 170, 64)),
    ((20, 70, 60), (240, 200, 120)),
    ((90, 30, 50), (250, 220, 180)),
)


@dataclass(frozen=True)
class Creative:
    name: str
    size: tuple[int, int]
    png: bytes


#: Fonts with a euro sign, tried in order; Pillow's bundled font (no €) is the fallback.
_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in _FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _text(value: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """``value``, with "EUR " for the euro sign when the font cannot draw it."""
    if isinstance(font, ImageFont.FreeTypeFont) and font.path and "DejaVu" in str(font.path):
        return value
    if isinstance(font, ImageFont.FreeTypeFont) and "Liberation" in str(font.path):
        return value
    return value.replace("€", "EUR ")


def render(
    name: str,
    *,
    product_title: str,
    headline: str,
    price: str,
    size: tuple[int, int],
    product_image: bytes | None = None,
) -> Creative:
    """One PNG: the product image (or a card) with the headline, name and price over it."""
    width, height = size
    pick = int(hashlib.sha256(product_title.encode()).hexdigest(), 16) % len(_PALETTES)
    background, accent = _PALETTES[pick]
    canvas = Image.new("RGB", size, background)
    if product_image is not None:
        photo = Image.open(io.BytesIO(product_image)).convert("RGB")
        photo.thumbnail((width, int(height * 0.7)))
        canvas.paste(photo, ((width - photo.width) // 2, int(height * 0.08)))
    else:
        draw = ImageDraw.Draw(canvas)
        box = (width * 0.12, height * 0.12, width * 0.88, height * 0.62)
        draw.rounded_rectangle(box, radius=48, outline=accent, width=10)
        initials = "".join(word[0] for word in product_title.split()[:3]).upper()
        draw.text(
            (width / 2, (box[1] + box[3]) / 2), initials, font=_font(220), fill=accent, anchor="mm"
        )
    draw = ImageDraw.Draw(canvas)
    band_top = int(height * 0.68)
    draw.rectangle((0, band_top, width, height), fill=(0, 0, 0))
    body, big = _font(72), _font(84)
    lines = textwrap.wrap(_text(headline, body), width=22)[:3]
    y = band_top + 40
    for line in lines:
        draw.text((60, y), line, font=body, fill=(255, 255, 255))
        y += 88
    if price:
        label = _text(f"€{price}", big)
        draw.text((width - 60, height - 60), label, font=big, fill=accent, anchor="rs")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return Creative(name=name, size=size, png=out.getvalue())


def render_all(
    base: str, *, product_title: str, headline: str, price: str, product_image: bytes | None = None
) -> list[Creative]:
    """The ad's creative in every size."""
    return [
        render(
            f"{base}-{placement}",
            product_title=product_title,
            headline=headline,
            price=price,
            size=size,
            product_image=product_image,
        )
        for placement, size in SIZES.items()
    ]
