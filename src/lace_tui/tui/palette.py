"""What a screen offers the command palette (a leaf module: screens import it without
importing the palette's provider, which imports screens)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: what the user reads, a line of help, and what it does."""

    name: str
    help: str
    run: Callable[[], object]
