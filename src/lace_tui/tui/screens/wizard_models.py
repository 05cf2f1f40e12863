"""The wizard's model-list fields (#15): fallback instances and the globs that hide or show
models, as space-separated words (the same meaning as `instance edit --fallback` and
`instance models --hide/--show`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.widgets import Input, Label, Static

from lace_tui.instances.models import Instance, is_valid_instance_id

_FIELDS = (
    ("Fallbacks", "wiz-fallbacks", "instance ids tried in order when this one is busy"),
    ("Hide models", "wiz-hide", "globs, e.g. openai/gpt-3* (found by search)"),
    ("Show only", "wiz-show", "globs, e.g. anthropic/* (empty lists all)"),
)


@dataclass(frozen=True)
class ModelFields:
    fallbacks: list[str]
    hide: list[str]
    show: list[str]


def compose_model_fields(editing: bool) -> ComposeResult:
    """The fields, when editing an instance (the add form stays as it was: a new instance is
    curated once it exists and its models are known)."""
    if not editing:
        return
    for label, field_id, placeholder in _FIELDS:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield Input(id=field_id, placeholder=placeholder, compact=True)
    yield Static(id="err-model-fields", classes="field-error")


def load_model_fields(screen: DOMNode, instance: Instance) -> None:
    """Fill the fields from a stored instance (`screen` is the wizard)."""
    values = (instance.fallbacks, instance.hide_models, instance.show_models)
    for (_label, field_id, _hint), value in zip(_FIELDS, values, strict=True):
        screen.query_one(f"#{field_id}", Input).value = " ".join(value)


def read_model_fields(
    screen: DOMNode, instance_id: str, known: set[str]
) -> tuple[ModelFields | None, str]:
    """The fields' values (empty when the form has none), or None and what is wrong (an
    unknown or own fallback id)."""
    fallbacks, hide, show = (
        [
            word
            for field in screen.query(f"#{field_id}").results(Input)
            for word in field.value.split()
        ]
        for _l, field_id, _h in _FIELDS
    )
    for other in fallbacks:
        if other == instance_id:
            return None, "An instance cannot be its own fallback"
        if not is_valid_instance_id(other) or other not in known:
            return None, f"No instance '{other}' to fall back to"
    if len(set(fallbacks)) != len(fallbacks):
        return None, "A fallback instance is named twice"
    return ModelFields(fallbacks, hide, show), ""
