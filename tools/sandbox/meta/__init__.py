"""The Meta Marketing API (Graph API) emulator."""

from tools.sandbox.meta.emulator import MetaEmulator

__all__ = ["MetaEmulator"]
