"""One process of the shared-token test: open the services as any royal process does, search
CJdropshipping's catalog, print how many items came back (or the error) as JSON."""

from __future__ import annotations

import asyncio
import json
import sys

from nodes.services import Services
from settings import get_settings


async def main(query: str) -> dict[str, object]:
    async with Services.open(get_settings()) as services:
        try:
            items = await services.suppliers["cjdropshipping"].search_catalog(query, limit=5)
        except Exception as exc:  # reported to the test, which fails on it
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {"items": len(items)}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(asyncio.run(main(sys.argv[1]))) + "\n")
