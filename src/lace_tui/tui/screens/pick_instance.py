"""Which instance to use, when a provider has several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lace_tui.instances.models import Instance
from lace_tui.tui.literal import assemble
from lace_tui.tui.widgets.key_footer import KeyFooter


class PickInstanceScreen(ModalScreen[str | None]):
    """An OptionList of instances; returns the chosen id, or None on Esc."""

    HOWTO = "Choose the instance (connection) to chat through. Esc cancels."
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, instances: Sequence[Instance], model_id: str) -> None:
        super().__init__()
        self.instances = list(instances)
        self.model_id = model_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pick-instance"):
            yield Static(
                assemble("Chat with ", (self.model_id, "bold"), " through which instance?"),
                classes="dialog-title",
            )
            yield OptionList(
                *(
                    Option(
                        assemble(
                            (instance.display_name, "bold"), (f"  {instance.id}", "$text-muted")
                        ),
                        id=instance.id,
                    )
                    for instance in self.instances
                ),
                id="pick-instance-list",
            )
        yield KeyFooter()

    @on(OptionList.OptionSelected, "#pick-instance-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
