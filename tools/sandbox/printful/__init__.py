"""Printful API v1 emulator (``/printful``)."""

from tools.sandbox.printful.emulator import PrintfulEmulator

__all__ = ["PrintfulEmulator"]
