"""Dialogs of the chat for an agent's system prompt and reasoning effort, and for exporting
the session to a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from lace_tui.services.agent_settings import EffortChoice
from lace_tui.sessions.models import Agent
from lace_tui.textsafe import printable

_DEFAULT = "__default__"  # the Select value for "no effort set: the model's default"


def settings_note(agent: Agent) -> str:
    """What the agent's header says about its settings ("" when none is set)."""
    parts = []
    if agent.reasoning_effort:
        parts.append(f"effort {agent.reasoning_effort}")
    if agent.system_prompt:
        parts.append("system prompt")
    return "" if not parts else " · " + " · ".join(parts)


@dataclass(frozen=True)
class AgentSettings:
    system_prompt: str
    reasoning_effort: str  # "" for the model's default


class AgentSettingsDialog(ModalScreen[AgentSettings | None]):
    """Edit the system prompt and pick a reasoning effort the catalog lists for the model.
    Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = """
    AgentSettingsDialog {
        align: center middle;
    }
    AgentSettingsDialog > Vertical {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    AgentSettingsDialog .dialog-title {
        text-style: bold;
    }
    AgentSettingsDialog #settings-system {
        height: 8;
    }
    AgentSettingsDialog .dialog-note {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, agent: Agent, effort: EffortChoice) -> None:
        super().__init__()
        self._agent = agent
        self._effort = effort

    def compose(self) -> ComposeResult:
        agent, effort = self._agent, self._effort
        with Vertical():
            yield Label(
                Content.assemble(
                    "Settings of ",
                    (printable(agent.name, one_line=True), "bold"),
                    f"  ({printable(agent.model_id, one_line=True)})",
                ),
                classes="dialog-title",
            )
            yield Label("System prompt (sent before the conversation; empty for none)")
            yield TextArea(agent.system_prompt or "", id="settings-system", soft_wrap=True)
            yield Label("Reasoning effort")
            if effort.reasons and effort.levels:
                default = f"model default ({effort.default})" if effort.default else "model default"
                options = [(default, _DEFAULT), *((level, level) for level in effort.levels)]
                current = agent.reasoning_effort or _DEFAULT
                if current not in {value for _, value in options}:
                    options.append((f"{current} (not listed)", current))
                yield Select(options, value=current, allow_blank=False, id="settings-effort")
            elif effort.reasons:
                yield Input(
                    agent.reasoning_effort or "",
                    placeholder="the model's default (the catalog lists no levels)",
                    id="settings-effort-text",
                )
            else:
                yield Static(
                    "This model does not reason (as the catalog says).", classes="dialog-note"
                )
            yield Static(
                "ctrl+s saves · esc cancels · applies from the next prompt", classes="dialog-note"
            )

    def on_mount(self) -> None:
        self.query_one("#settings-system", TextArea).focus()

    def _effort_value(self) -> str:
        for select in self.query("#settings-effort").results(Select):
            value = select.value
            return "" if value == _DEFAULT or not isinstance(value, str) else value
        for text in self.query("#settings-effort-text").results(Input):
            return text.value.strip()
        return ""

    def action_save(self) -> None:
        system = self.query_one("#settings-system", TextArea).text
        self.dismiss(AgentSettings(system_prompt=system, reasoning_effort=self._effort_value()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(ModalScreen[str | None]):
    """Ask where to write the session: `.json` for JSON, anything else Markdown."""

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > Vertical {
        width: 90%;
        max-width: 90;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportDialog .dialog-title {
        text-style: bold;
    }
    ExportDialog .dialog-note {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: str) -> None:
        super().__init__()
        self._suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export the session to a file", classes="dialog-title")
            yield Input(self._suggested, id="export-path")
            yield Static(
                "a name ending in .json writes JSON, anything else Markdown · an existing file "
                "is never replaced · enter exports · esc cancels",
                classes="dialog-note",
            )

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _on_submit(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
