"""CJdropshipping API 2.0 emulator (``/cj/api2.0/v1``)."""

from tools.sandbox.cj.emulator import CJEmulator

__all__ = ["CJEmulator"]
