"""The chat's left column: the sessions, and the agents of the open session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from lace_tui.sessions.models import Agent, Session
from lace_tui.tui.literal import assemble, literal


def session_label(session: Session) -> str:
    """How a session is named in lists: its title, or its id until it has one."""
    return session.title or f"untitled ({session.id})"


class SessionList(OptionList):
    """Sessions, most recent first; Enter opens one. Keys act on the highlighted session."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "screen.rename_session", "Rename"),
        Binding("a", "screen.archive_session", "Archive"),
        Binding("d,delete", "screen.delete_session", "Delete"),
        Binding("h", "screen.toggle_archived", "Show archived"),
    ]

    def show(self, sessions: Sequence[Session], current: str | None) -> None:
        """List `sessions`, highlighting `current`."""
        options: list[Option] = []
        for session in sessions:
            label = literal(session_label(session))
            if session.archived:
                label = assemble(label, (" (archived)", "dim"))
            if session.id == current:
                label = assemble(("● ", "$accent"), label)
            options.append(Option(label, id=session.id))
        self.set_options(options)
        ids = [session.id for session in sessions]
        if current in ids:
            self.highlighted = ids.index(current)

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return None if option is None else option.id


class AgentList(OptionList):
    """The open session's agents; moving the highlight shows that agent's transcript."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "screen.pick_model", "Switch model"),
        Binding("d,delete", "screen.remove_agent", "Remove agent"),
    ]

    def show(self, agents: Sequence[Agent], current: str | None) -> None:
        """List `agents`, highlighting `current`."""
        options = [
            Option(
                assemble(
                    (agent.name, "bold"), "\n", (f"{agent.model_id} @ {agent.instance_id}", "dim")
                ),
                id=agent.id,
            )
            for agent in agents
        ]
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            ids = [agent.id for agent in agents]
            if current in ids:
                self.highlighted = ids.index(current)

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return None if option is None else option.id


class ChatSidebar(Vertical):
    """Sessions above, agents below."""

    DEFAULT_CSS = """
    ChatSidebar {
        width: 25%;
        min-width: 20;
        max-width: 34;
        height: 1fr;
        border-right: vkey $foreground 20%;
    }
    ChatSidebar > Label {
        width: 100%;
        padding: 0 1;
        color: $text-muted;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ChatSidebar > SessionList {
        height: 2fr;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ChatSidebar > AgentList {
        height: 1fr;
        border: none;
        padding: 0;
    }
    """

    def compose(self) -> ComposeResult:
        yield Label(assemble("Sessions ", ("^n new", "dim")), id="chat-sessions-title")
        yield SessionList(id="chat-sessions")
        yield Label(assemble("Agents ", ("^a add", "dim")), id="chat-agents-title")
        yield AgentList(id="chat-agents")
