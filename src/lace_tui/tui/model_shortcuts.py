"""Palette entries for the model preferences (#15): each alias and the default model, one
command away. The entries only read settings.toml; whether the model can still be used is
checked when one is run, and a dangling alias is reported then."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from lace_tui.errors import LaceError
from lace_tui.services.app_services import Services
from lace_tui.tui.commands import PaletteCommand


def model_shortcuts(services: Services, use: Callable[[str], object]) -> list[PaletteCommand]:
    """`Use model NAME` per alias and `Use the default model`; `use` gets the alias or ref."""
    try:
        settings = services.prefs.settings()
    except LaceError:
        return []
    commands = [
        PaletteCommand(f"Use model {name}", f"Alias of {target}", partial(use, name))
        for name, target in sorted(settings.aliases.items())
    ]
    if settings.default_model:
        commands.append(
            PaletteCommand(
                "Use the default model",
                settings.default_model,
                partial(use, settings.default_model),
            )
        )
    return commands
