"""Models where you want them (#15): the default model, pinned models and aliases, kept in
settings.toml as "INSTANCE/MODEL" references, and the favourites the model picker lists first.

A reference is checked when it is set and again when it is used: an alias or default whose
instance or model is gone is reported with what to do, never silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lace_tui.errors import BadInputError, LaceError, NotFoundError, StoredFileError
from lace_tui.paths import Paths
from lace_tui.services.instance_service import InstanceModel, InstanceService
from lace_tui.settings import Settings, change_settings, load_settings

ALIAS_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
_ALIAS_RE = re.compile(ALIAS_PATTERN)
ALIAS_RULE = "1 to 40 letters, digits, '.', '_' and '-', starting with a letter or digit"


@dataclass(frozen=True)
class ModelRef:
    """A model of an instance, written INSTANCE/MODEL (the model id may itself hold '/')."""

    instance_id: str
    model_id: str

    def __str__(self) -> str:
        return f"{self.instance_id}/{self.model_id}"


def parse_ref(text: str) -> ModelRef:
    """INSTANCE/MODEL split at the first '/' (instance ids never hold one)."""
    instance_id, sep, model_id = text.strip().partition("/")
    if not sep or not instance_id or not model_id.strip():
        raise BadInputError(
            f"{text!r} is not INSTANCE/MODEL (e.g. openrouter/anthropic/claude-sonnet-4): "
            "see `lace-tui instance list` and `lace-tui instance models ID`"
        )
    return ModelRef(instance_id, model_id.strip())


@dataclass(frozen=True)
class Favourite:
    """One entry of the picker's favourites: what it is, the model, and why it cannot be
    used (`problem`), if it cannot."""

    kind: Literal["alias", "default", "pinned", "recent"]
    label: str  # the alias name, "default", "pinned" or "recent"
    ref: ModelRef
    model: InstanceModel | None
    problem: str | None


@dataclass(frozen=True)
class AliasView:
    name: str
    ref: ModelRef
    problem: str | None


class ModelPrefs:
    """Read and change the model preferences; resolve what `chat -m` is given."""

    def __init__(self, paths: Paths, instances: InstanceService) -> None:
        self.paths = paths
        self.instances = instances

    def settings(self) -> Settings:
        return load_settings(self.paths)

    # -- resolving -------------------------------------------------------------------------

    def check(self, ref: ModelRef) -> InstanceModel:
        """The model if the instance exists and offers it (hidden models count), else the
        NotFoundError that says what to do."""
        return self.instances.resolve_model(ref.instance_id, ref.model_id)

    def problem(self, ref: ModelRef) -> str | None:
        """Why `ref` cannot be used now, or None."""
        try:
            self.check(ref)
        except LaceError as exc:
            return exc.message
        return None

    def resolve(self, name_or_ref: str) -> ModelRef:
        """An alias or INSTANCE/MODEL, checked; a dangling alias says how to fix it."""
        text = name_or_ref.strip()
        if "/" in text:
            ref = parse_ref(text)
            self.check(ref)
            return ref
        target = self.settings().aliases.get(text)
        if target is None:
            raise NotFoundError(
                f"no alias '{text}': give INSTANCE/MODEL, or see `lace-tui aliases list`"
            )
        ref = parse_ref(target)
        problem = self.problem(ref)
        if problem is not None:
            raise NotFoundError(
                f"alias '{text}' points at {ref}, which cannot be used ({problem}): "
                f"`lace-tui aliases set {text} INSTANCE/MODEL` or `lace-tui aliases remove {text}`"
            )
        return ref

    def default(self) -> ModelRef | None:
        """The default model as stored (unchecked), or None when none is set."""
        stored = self.settings().default_model
        if not stored:
            return None
        try:
            return parse_ref(stored)
        except BadInputError:
            raise StoredFileError(
                f"{self.paths.settings_file}: default_model {stored!r} is not INSTANCE/MODEL: "
                "set another with `lace-tui models default INSTANCE/MODEL`"
            ) from None

    def resolve_default(self) -> ModelRef:
        """The default model, checked; BadInputError saying how to set one when unset."""
        ref = self.default()
        if ref is None:
            raise BadInputError(
                "no default model: set one with `lace-tui models default INSTANCE/MODEL`, "
                "or give -m ALIAS|INSTANCE/MODEL"
            )
        problem = self.problem(ref)
        if problem is not None:
            raise NotFoundError(
                f"the default model {ref} cannot be used ({problem}): "
                "`lace-tui models default INSTANCE/MODEL` sets another"
            )
        return ref

    # -- changing --------------------------------------------------------------------------

    def set_default(self, name_or_ref: str) -> ModelRef:
        """Make an alias's model or INSTANCE/MODEL the default (checked first)."""
        ref = self.resolve(name_or_ref)
        change_settings(self.paths, lambda s: {**s.model_dump(), "default_model": str(ref)})
        return ref

    def pin(self, name_or_ref: str) -> ModelRef:
        """Pin a model (checked first); pinning twice changes nothing."""
        ref = self.resolve(name_or_ref)

        def change(current: Settings) -> dict[str, object]:
            pinned = [p for p in current.pinned_models if p != str(ref)]
            return {**current.model_dump(), "pinned_models": [*pinned, str(ref)]}

        change_settings(self.paths, change)
        return ref

    def unpin(self, ref_text: str) -> ModelRef:
        """Unpin a model (it need not exist any more); BadInputError if it was not pinned."""
        ref = parse_ref(ref_text)

        def change(current: Settings) -> dict[str, object]:
            if str(ref) not in current.pinned_models:
                raise BadInputError(f"{ref} is not pinned: see `lace-tui models pin --help`")
            pinned = [p for p in current.pinned_models if p != str(ref)]
            return {**current.model_dump(), "pinned_models": pinned}

        change_settings(self.paths, change)
        return ref

    def toggle_pin(self, ref: ModelRef) -> bool:
        """Pin or unpin; returns whether the model is pinned now."""
        if str(ref) in self.settings().pinned_models:
            self.unpin(str(ref))
            return False
        self.pin(str(ref))
        return True

    def set_alias(self, name: str, ref_text: str) -> ModelRef:
        """Point alias `name` at INSTANCE/MODEL (checked first); replaces an existing alias."""
        if not _ALIAS_RE.fullmatch(name):
            raise BadInputError(f"invalid alias name {name!r}: {ALIAS_RULE}")
        ref = parse_ref(ref_text)
        self.check(ref)

        def change(current: Settings) -> dict[str, object]:
            return {**current.model_dump(), "aliases": {**current.aliases, name: str(ref)}}

        change_settings(self.paths, change)
        return ref

    def remove_alias(self, name: str) -> None:
        """Delete an alias; NotFoundError if there is none of that name."""

        def change(current: Settings) -> dict[str, object]:
            if name not in current.aliases:
                raise NotFoundError(f"no alias '{name}': see `lace-tui aliases list`")
            aliases = {key: value for key, value in current.aliases.items() if key != name}
            return {**current.model_dump(), "aliases": aliases}

        change_settings(self.paths, change)

    # -- listing ---------------------------------------------------------------------------

    def aliases(self) -> list[AliasView]:
        """Every alias by name, each with the problem that stops its use, if any."""
        views: list[AliasView] = []
        for name, target in sorted(self.settings().aliases.items()):
            try:
                ref = parse_ref(target)
            except BadInputError as exc:
                views.append(AliasView(name, ModelRef("?", target), exc.message))
                continue
            views.append(AliasView(name, ref, self.problem(ref)))
        return views

    def favourites(self, recent: Sequence[tuple[str, str]] = ()) -> list[Favourite]:
        """What the picker lists first: aliases, the default, pinned models, then recently used
        ones (those not listed above)."""
        settings = self.settings()
        entries: list[tuple[Literal["alias", "default", "pinned", "recent"], str, str]] = [
            ("alias", name, target) for name, target in sorted(settings.aliases.items())
        ]
        if settings.default_model:
            entries.append(("default", "default", settings.default_model))
        entries += [("pinned", "pinned", target) for target in settings.pinned_models]
        entries += [("recent", "recent", f"{i}/{m}") for i, m in recent]
        result: list[Favourite] = []
        seen: set[str] = set()
        offered: dict[str, dict[str, InstanceModel] | LaceError] = {}  # one read per instance
        for kind, label, target in entries:
            try:
                ref = parse_ref(target)
            except BadInputError as exc:
                result.append(Favourite(kind, label, ModelRef("?", target), None, exc.message))
                continue
            if kind == "recent" and str(ref) in seen:
                continue
            seen.add(str(ref))
            if ref.instance_id not in offered:
                try:
                    models = self.instances.models(ref.instance_id)
                    offered[ref.instance_id] = {m.id: m for m in models}
                except LaceError as exc:
                    offered[ref.instance_id] = exc
            found = offered[ref.instance_id]
            model = None if isinstance(found, LaceError) else found.get(ref.model_id)
            if model is not None:
                result.append(Favourite(kind, label, ref, model, None))
            elif kind != "recent":  # a model used once and gone since is not worth a line
                result.append(Favourite(kind, label, ref, None, self.problem(ref)))
        return result
