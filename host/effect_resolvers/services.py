"""Resolvers for services writes (filled in by the work on issue 17)."""

from __future__ import annotations

from collections.abc import Mapping

from host.effect_resolvers.base import Resolver

RESOLVERS: Mapping[str, Resolver] = {}
