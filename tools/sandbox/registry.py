"""The emulators a default sandbox serves; a new emulator is one line here."""

from __future__ import annotations

from collections.abc import Callable

from tools.sandbox.emulator import Emulator, SandboxContext

DEFAULT_EMULATORS: list[Callable[[SandboxContext], Emulator]] = []
