"""A session's transcripts: one column per agent. One column shows at a time, or all of them
side by side (the fan-out comparison). Columns live as long as the pane, so a reply keeps
streaming into its column whichever agent or layout is on screen."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from lace_tui.sessions.models import Agent
from lace_tui.sessions.store import SessionStore
from lace_tui.tui.widgets.message_nav import MessageTranscript


def column_title(agent: Agent) -> Content:
    return Content.assemble((agent.name, "bold"), ("  ", ""), (f"{agent.model_id}", "dim"))


class AgentColumn(Vertical):
    """The title and transcript of one agent."""

    DEFAULT_CSS = """
    AgentColumn {
        width: 1fr;
        height: 1fr;
    }
    AgentColumn > .column-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    AgentColumn.-selected > .column-title {
        color: $text;
        background: $accent 30%;
    }
    SessionPane.-columns AgentColumn {
        border-right: vkey $foreground 15%;
    }
    """

    def __init__(self, store: SessionStore, agent: Agent) -> None:
        super().__init__(id=f"column-{agent.id}")
        self.agent = agent
        self._store = store

    @property
    def transcript(self) -> MessageTranscript:
        return self.query_one(MessageTranscript)

    def compose(self) -> ComposeResult:
        yield Static(column_title(self.agent), classes="column-title")
        agent_id = self.agent.id
        yield MessageTranscript(lambda: self._store.list_messages(agent_id))

    def set_agent(self, agent: Agent) -> None:
        """The agent's name or model changed."""
        self.agent = agent
        self.query_one(".column-title", Static).update(column_title(agent))


class SessionPane(Horizontal):
    """Every agent column of one session."""

    DEFAULT_CSS = """
    SessionPane {
        height: 1fr;
    }
    SessionPane > .pane-empty {
        width: 1fr;
        height: 1fr;
        padding: 1 2;
        color: $text-muted;
        display: none;
    }
    SessionPane.-empty > .pane-empty {
        display: block;
    }
    """

    def __init__(self, store: SessionStore, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self._store = store

    def compose(self) -> ComposeResult:
        yield Static(
            "No agents in this session yet.\n\n"
            "Type a prompt and press enter to pick a model for it, "
            "or press ctrl+a to add an agent first.",
            classes="pane-empty",
        )
        for agent in self._store.list_agents(self.session_id):
            yield AgentColumn(self._store, agent)

    def on_mount(self) -> None:
        self.set_class(not self.columns(), "-empty")

    def columns(self) -> list[AgentColumn]:
        return list(self.query_children(AgentColumn))

    def column(self, agent_id: str) -> AgentColumn | None:
        for column in self.columns():
            if column.agent.id == agent_id:
                return column
        return None

    async def sync(self, agents: Sequence[Agent]) -> None:
        """Match the columns to the session's agents (added, removed, renamed, switched),
        whoever changed them: this screen or another lace-tui process."""
        wanted = {agent.id: agent for agent in agents}
        for column in self.columns():
            agent = wanted.get(column.agent.id)
            if agent is None:
                await column.remove()
            elif agent != column.agent:
                column.set_agent(agent)
        present = {column.agent.id for column in self.columns()}
        new = [AgentColumn(self._store, agent) for agent in agents if agent.id not in present]
        if new:
            await self.mount_all(new)
        self.set_class(not agents, "-empty")

    def layout_for(self, selected: str | None, side_by_side: bool) -> None:
        """Show the selected agent's column, or every column side by side."""
        self.set_class(side_by_side, "-columns")
        columns = self.columns()
        ids = [column.agent.id for column in columns]
        if selected not in ids:
            selected = ids[0] if ids else None
        for column in columns:
            is_selected = column.agent.id == selected
            column.display = side_by_side or is_selected
            column.set_class(is_selected and side_by_side and len(columns) > 1, "-selected")
