"""Which of an instance's models are listed: `show_models` globs narrow the list (when there
are any), `hide_models` globs remove from it. Globs are shell-style (`anthropic/*`), matched
without regard to case. A model that is not listed still works when named explicitly."""

from __future__ import annotations

from fnmatch import fnmatchcase

from lace_tui.instances.models import Instance


def _matches(model_id: str, globs: list[str]) -> bool:
    folded = model_id.casefold()
    return any(fnmatchcase(folded, glob.casefold()) for glob in globs)


def is_listed(instance: Instance, model_id: str) -> bool:
    """Whether the model shows in the instance's lists (pickers, `instance models`)."""
    if instance.show_models and not _matches(model_id, instance.show_models):
        return False
    return not _matches(model_id, instance.hide_models)


def add_filter(
    hide: list[str], show: list[str], glob: str, *, hidden: bool
) -> tuple[list[str], list[str]]:
    """(hide, show) with `glob` added to one list and taken off the other."""
    if hidden:
        return [*(g for g in hide if g != glob), glob], [g for g in show if g != glob]
    return [g for g in hide if g != glob], [*(g for g in show if g != glob), glob]
