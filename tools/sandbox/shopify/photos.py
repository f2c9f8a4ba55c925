"""Product photos the sandbox serves over loopback, standing in for Shopify's CDN.

The seeded products' media live at ``https://cdn.shopify.com/s/files/…``, as on Shopify; a
client in sandbox mode reads ``https://cdn.shopify.com/{path}`` from
``/_sandbox/shopify/cdn/{path}`` instead (``tools.shopify.cdn``), which answers a deterministic
PNG (colours from the path), so creatives render on a product photo without leaving the machine.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

SIZE = (800, 800)


def photo_png(name: str) -> bytes:
    """A square "product shot": a soft background with a coloured object in the middle."""
    digest = hashlib.sha256(name.encode()).digest()
    background = (235, 235, 230)
    colour = (digest[0] // 2 + 60, digest[1] // 2 + 60, digest[2] // 2 + 60)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    draw.ellipse((width * 0.2, height * 0.72, width * 0.8, height * 0.82), fill=(200, 200, 195))
    draw.rounded_rectangle(
        (width * 0.28, height * 0.18, width * 0.72, height * 0.76), radius=60, fill=colour
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
