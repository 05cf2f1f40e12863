"""The Chat section: sessions and agents on the left, the selected agent's transcript (or every
agent side by side) in the middle, the prompt below.

Replies stream in async workers, one per agent, so the screen stays responsive; each worker
feeds its reply widget, which batches deltas to the screen's refresh rate. Esc cancels the
workers: the chat service then stores the partial replies as interrupted.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, UnknownModeError
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList
from textual.worker import Worker, get_current_worker

from lace_tui.errors import ContextOverflowError, LaceError
from lace_tui.providers.events import ReasoningDelta, TextDelta
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatEvent, ReplyDone, ReplyStarted, new_turn_id
from lace_tui.services.cost import estimate_tokens
from lace_tui.sessions.models import Agent, Session
from lace_tui.tui.commands import PaletteCommand
from lace_tui.tui.messages import CatalogReady
from lace_tui.tui.model_shortcuts import model_shortcuts
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.screens.model_picker import GoToInstances, ModelPick, ModelPicker, PickerResult
from lace_tui.tui.widgets.chat_dialogs import TextDialog
from lace_tui.tui.widgets.chat_header import HeaderInfo, SessionHeader, sum_totals
from lace_tui.tui.widgets.chat_message import ReplyView
from lace_tui.tui.widgets.chat_pane import AgentColumn, SessionPane
from lace_tui.tui.widgets.chat_prompt import ChatPrompt
from lace_tui.tui.widgets.chat_sidebar import AgentList, ChatSidebar, SessionList, session_label
from lace_tui.tui.widgets.key_footer import KeyFooter
from lace_tui.tui.widgets.section_bar import SectionBar

# A worker reading a burst of buffered events yields to the event loop at least this often.
YIELD_EVERY_S = 0.004


@dataclass
class _PromptTicket:
    """One Enter press, possibly sent to several agents: the text goes back into the prompt
    only if no agent stored it."""

    text: str
    pending: int
    stored: bool = False

    def settle_failure(self) -> bool:
        """One agent failed before storing; True when the text should be given back now."""
        self.pending -= 1
        return self.pending == 0 and not self.stored


@dataclass
class _LiveReply:
    """The reply a worker is streaming: its stored id once started, and its widget."""

    message_id: int | None = None
    view: ReplyView | None = None


class ChatScreen(Screen[None]):
    """Sessions, agents, transcripts and the prompt."""

    DEFAULT_CSS = """
    ChatScreen #chat-body {
        height: 1fr;
    }
    ChatScreen #chat-main {
        width: 1fr;
        height: 1fr;
    }
    ChatScreen #chat-panes {
        height: 1fr;
    }
    """

    SECTION: ClassVar[str] = "chat"
    HOWTO: ClassVar[str] = (
        "Type a prompt and press Enter to send it; Ctrl+J starts a new line (so do Shift+Enter "
        "and Alt+Enter in terminals that tell them from Enter, such as kitty or WezTerm). "
        "Esc stops a streaming reply and keeps what arrived.\n"
        "Ctrl+N starts a session, Ctrl+A adds an agent (another model) to it, Ctrl+O switches "
        "the selected agent's model. Ctrl+G shows every agent side by side; a prompt then goes "
        "to all of them at once.\n"
        "Tab moves to the sessions list (Enter opens one; r renames, a archives, d deletes, "
        "h shows archived ones) and the agents list (m switches model, d removes)."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop reply", show=False),
        Binding("ctrl+n", "new_session", "New session", priority=True),
        Binding("ctrl+a", "new_agent", "Add agent", priority=True),
        Binding("ctrl+o", "pick_model", "Switch model", priority=True),
        Binding("ctrl+g", "toggle_columns", "Side by side", priority=True),
    ]

    def __init__(self, services: Services, session_id: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.session_id: str | None = None
        self.agent_id: str | None = None
        self.side_by_side = False
        self.show_archived = False
        self._requested_session = session_id
        self._panes: dict[str, SessionPane] = {}
        self._streams: dict[str, Worker[None]] = {}

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SectionBar("chat")
        with Horizontal(id="chat-body"):
            yield ChatSidebar()
            with Vertical(id="chat-main"):
                yield SessionHeader(id="chat-header")
                yield Container(id="chat-panes")
                yield ChatPrompt(id="chat-prompt")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.prompt.focus()
        with self._reported("Cannot open the session"):
            await self._open_first_session()
        freeze_long_lived_objects()

    async def _open_first_session(self) -> None:
        """The session asked for (created if new), else the most recent one, else none."""
        requested = self._requested_session
        if requested is not None:
            requested = self.services.chat.ensure_session(requested).id
        else:
            requested = self.services.sessions.last_session_id()
        if requested is not None:
            await self._open_session(requested)
        else:
            self._refresh_sidebar()
            self._refresh_header()

    def on_unmount(self) -> None:
        gc.unfreeze()  # what was frozen for this screen's lifetime may be collected again

    @property
    def prompt(self) -> ChatPrompt:
        return self.query_one("#chat-prompt", ChatPrompt)

    @property
    def pane(self) -> SessionPane | None:
        return None if self.session_id is None else self._panes.get(self.session_id)

    def streaming_agents(self) -> list[str]:
        """Agents whose reply is streaming right now."""
        return list(self._streams)

    def palette_commands(self) -> list[PaletteCommand]:
        """The chat's actions without a key of their own, for the command palette."""
        entries = (
            ("Rename session", "Give the open session a title", "rename_session"),
            (
                "Archive session",
                "Hide the open session from the list (or restore it)",
                "archive_session",
            ),
            ("Delete session", "Delete the open session, after asking", "delete_session"),
            (
                "Remove agent",
                "Remove the selected agent and its messages, after asking",
                "remove_agent",
            ),
            (
                "Show archived sessions",
                "List archived sessions too (or hide them)",
                "toggle_archived",
            ),
            ("Stop reply", "Stop the streaming replies; what arrived is kept (esc)", "stop"),
            ("Load earlier messages", "Show older messages of the selected agent", "load_earlier"),
        )
        return [
            PaletteCommand(name, help_text, partial(self.run_action, action))
            for name, help_text, action in entries
        ] + model_shortcuts(self.services, self.use_model)

    @contextmanager
    def _reported(self, title: str = "") -> Iterator[None]:
        """Show a LaceError as a notification instead of letting it end the app."""
        try:
            yield
        except LaceError as exc:
            self.notify(exc.message, title=title, severity="error", timeout=8)

    def on_catalog_ready(self, _: CatalogReady) -> None:
        self._refresh_header()
        freeze_long_lived_objects()

    def _catalog_loaded(self) -> bool:
        """Whether model metadata can be read without loading the catalog on the UI loop."""
        return vars(self.services).get("catalog") is not None

    # -- sessions --------------------------------------------------------------------------

    def load_session(self, session_id: str) -> None:
        """Open a session (the shell calls this for `--session ID` and the palette)."""
        if not self.is_mounted:
            self._requested_session = session_id
            return
        self.run_worker(self._open_session(session_id), group="open-session")

    async def _open_session(self, session_id: str, agent_id: str | None = None) -> None:
        with self._reported("Cannot open the session"):
            await self._show_session(session_id, agent_id)

    async def _show_session(self, session_id: str, agent_id: str | None) -> None:
        store = self.services.sessions
        session = store.find_session(session_id)
        if session is None:
            self.notify(f"session '{session_id}' does not exist", severity="error")
            return
        agents = store.list_agents(session_id)
        ids = [agent.id for agent in agents]
        self.session_id = session.id
        if agent_id in ids:
            self.agent_id = agent_id
        elif self.agent_id not in ids:
            self.agent_id = ids[0] if ids else None
        container = self.query_one("#chat-panes", Container)
        pane = self._panes.get(session_id)
        with self.app.batch_update():
            for other_id, other in list(self._panes.items()):
                if other is pane:
                    continue
                if self._session_streams(other_id):
                    other.display = False  # keep it: its replies are still streaming in
                else:
                    del self._panes[other_id]
                    await other.remove()
            if pane is None:
                pane = SessionPane(store, session_id)
                self._panes[session_id] = pane
                await container.mount(pane)
            else:
                await pane.sync(agents)
            pane.display = True
            self._apply_layout()
        self._refresh_sidebar()
        self._refresh_header()

    def _session_streams(self, session_id: str) -> list[Worker[None]]:
        pane = self._panes.get(session_id)
        if pane is None:
            return []
        ids = {column.agent.id for column in pane.columns()}
        return [worker for agent_id, worker in self._streams.items() if agent_id in ids]

    def _close_session_view(self) -> None:
        self.session_id = None
        self.agent_id = None
        self._refresh_sidebar()
        self._refresh_header()

    def _apply_layout(self) -> None:
        pane = self.pane
        if pane is not None:
            pane.layout_for(self.agent_id, self.side_by_side)

    def _target_session_id(self) -> str | None:
        """The session a sidebar action means: the highlighted one in the list, else the open."""
        sessions = self.query_one("#chat-sessions", SessionList)
        if self.focused is sessions and sessions.highlighted_id is not None:
            return sessions.highlighted_id
        return self.session_id

    # -- sidebar and header ----------------------------------------------------------------

    def _refresh_sidebar(self) -> None:
        with self._reported():
            self._fill_sidebar()

    def _fill_sidebar(self) -> None:
        store = self.services.sessions
        sessions = store.list_sessions(include_archived=self.show_archived)
        if self.session_id is not None and self.session_id not in {s.id for s in sessions}:
            current = store.find_session(self.session_id)
            if current is not None:
                sessions.insert(0, current)
        self.query_one("#chat-sessions", SessionList).show(sessions, self.session_id)
        agents = [] if self.session_id is None else store.list_agents(self.session_id)
        self.query_one("#chat-agents", AgentList).show(agents, self.agent_id)

    def _refresh_header(self) -> None:
        with self._reported():
            self._fill_header()

    def _fill_header(self) -> None:
        header = self.query_one("#chat-header", SessionHeader)
        store = self.services.sessions
        session = None if self.session_id is None else store.find_session(self.session_id)
        if session is None:
            header.show(None)
            return
        agents = store.list_agents(session.id)
        selected = next((agent for agent in agents if agent.id == self.agent_id), None)
        if not agents:
            target = "no agents yet: ctrl+a adds one"
        elif self.side_by_side and len(agents) > 1:
            target = f"all {len(agents)} agents"
        elif selected is not None:
            target = f"{selected.name} ({selected.model_id} @ {selected.instance_id})"
        else:
            target = "no agent selected"
        used: int | None = None
        window: int | None = None
        if selected is not None and self._catalog_loaded():
            used, window = self.services.chat.context_usage(selected)
        header.show(
            HeaderInfo(
                title=session_label(session),
                target=target,
                totals=sum_totals(store.totals_for_agent(agent.id) for agent in agents),
                context_used=used,
                context_window=window,
            )
        )

    @on(OptionList.OptionSelected, "#chat-sessions")
    async def _on_session_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            await self._open_session(event.option.id)
            self.prompt.focus()

    @on(OptionList.OptionHighlighted, "#chat-agents")
    def _on_agent_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.agent_id:
            self.agent_id = event.option.id
            self._apply_layout()
            self._refresh_header()

    @on(OptionList.OptionSelected, "#chat-agents")
    def _on_agent_chosen(self) -> None:
        self.prompt.focus()

    # -- sending ---------------------------------------------------------------------------

    @on(ChatPrompt.Submitted)
    async def _on_submit(self, event: ChatPrompt.Submitted) -> None:
        event.stop()
        text = event.text
        if not text.strip():
            return
        store = self.services.sessions
        with self._reported("Not sent"):
            agents = [] if self.session_id is None else store.list_agents(self.session_id)
            self._submit(text, agents)

    def _submit(self, text: str, agents: list[Agent]) -> None:
        """Send `text` to the agents it is meant for (or pick a model first)."""
        if not agents:
            # The first prompt of an agent-less session picks the model it goes to.
            self._pick_then(
                "Pick a model for your prompt",
                lambda pick: self._add_agent_then_send(pick, text),
            )
            return
        if self.side_by_side:
            targets = agents
        else:
            targets = [agent for agent in agents if agent.id == self.agent_id] or agents[:1]
        busy = [agent.name for agent in targets if agent.id in self._streams]
        if busy:
            self.notify(
                f"{', '.join(busy)} still replying: esc stops it, then send again",
                severity="warning",
            )
            return
        self.prompt.clear()
        self._send(targets, text)

    def _send(self, agents: list[Agent], text: str, *, drop_oldest: bool = False) -> None:
        ticket = _PromptTicket(text=text, pending=len(agents))
        turn_id = new_turn_id() if len(agents) > 1 else None
        for agent in agents:
            self._streams[agent.id] = self.run_worker(
                self._stream_reply(agent, text, ticket, turn_id, drop_oldest),
                name=f"reply-{agent.id}",
                group="chat-stream",
                exit_on_error=False,
            )

    async def _stream_reply(
        self,
        agent: Agent,
        text: str,
        ticket: _PromptTicket,
        turn_id: str | None,
        drop_oldest: bool,
    ) -> None:
        """Send one prompt to one agent and stream the reply into its column."""
        pane = self._panes.get(agent.session_id)
        column = None if pane is None else pane.column(agent.id)
        if column is None:  # the session or agent went away before we started
            if self._streams.get(agent.id) is get_current_worker():
                del self._streams[agent.id]
            return
        FULL_COLLECTIONS.hold()
        try:
            await self._stream_into(column, agent, text, ticket, turn_id, drop_oldest)
        finally:
            FULL_COLLECTIONS.release()

    async def _stream_into(
        self,
        column: AgentColumn,
        agent: Agent,
        text: str,
        ticket: _PromptTicket,
        turn_id: str | None,
        drop_oldest: bool,
    ) -> None:
        transcript = column.transcript
        user_widget = await transcript.add_user(text)
        live = _LiveReply()
        events = self.services.chat.send(agent.id, text, turn_id=turn_id, drop_oldest=drop_oldest)
        breath = time.monotonic()
        try:
            async for chat_event in events:
                await self._take_event(chat_event, live, agent, ticket, column)
                if time.monotonic() - breath > YIELD_EVERY_S:
                    # A reply that arrives all at once must not hold the loop: keys wait.
                    await asyncio.sleep(0)
                    breath = time.monotonic()
        except ContextOverflowError as exc:
            await transcript.drop(user_widget)
            self._give_back(ticket)
            if drop_oldest:  # even the prompt alone does not fit: nothing left to offer
                self.notify(exc.message, title=f"{agent.name}: not sent", severity="error")
            else:
                self._offer_drop_oldest(agent, text, exc)
        except LaceError as exc:
            await transcript.drop(user_widget)
            self._give_back(ticket)
            self.notify(exc.message, title=f"{agent.name}: not sent", severity="error")
        except asyncio.CancelledError:
            # Closing the stream makes the service store what arrived as interrupted.
            await _close(events)
            if live.message_id is not None:
                self.call_later(self._settle_interrupted, column, live)
            raise
        finally:
            await _close(events)
            if self._streams.get(agent.id) is get_current_worker():
                del self._streams[agent.id]
            self.call_later(self._after_reply)

    async def _take_event(
        self,
        event: ChatEvent,
        live: _LiveReply,
        agent: Agent,
        ticket: _PromptTicket,
        column: AgentColumn,
    ) -> None:
        reply = live.view
        if isinstance(event, TextDelta):
            if reply is not None:
                reply.add_text(event.text)
        elif isinstance(event, ReasoningDelta):
            if reply is not None:
                reply.add_reasoning(event.text)
        elif isinstance(event, ReplyStarted):
            ticket.stored = True
            live.message_id = event.message_id
            message = self.services.sessions.get_message(event.message_id)
            live.view = await column.transcript.add_reply(message)
            # The first prompt names the session; the prompt counts toward the context.
            self._refresh_sidebar()
            self._refresh_header()
        elif isinstance(event, ReplyDone):
            if reply is None:
                reply = live.view = await column.transcript.add_reply(event.message)
            await reply.finish(event.message, event.tokens_per_second)
            if event.message.status == "error":
                self.notify(
                    event.message.error or "the reply failed",
                    title=f"{agent.name}: reply failed",
                    severity="error",
                    timeout=8,
                )

    async def _settle_interrupted(self, column: AgentColumn, live: _LiveReply) -> None:
        """Show a stopped reply as the store kept it."""
        if live.message_id is None:
            return
        store = self.services.sessions
        with self._reported():
            message = store.get_message(live.message_id)
            if message.status == "streaming":
                # Stopped before its stream began: nothing will finish it but us.
                store.update_message(message.id, status="interrupted")
                message = store.get_message(message.id)
            if live.view is None:
                if column.is_attached:
                    await column.transcript.add_reply(message)
            elif live.view.is_attached:
                await live.view.finish(message)

    def _after_reply(self) -> None:
        if self.is_attached:
            self._refresh_header()

    def _give_back(self, ticket: _PromptTicket) -> None:
        if ticket.settle_failure():
            self.prompt.restore(ticket.text)

    def _offer_drop_oldest(self, agent: Agent, text: str, exc: ContextOverflowError) -> None:
        def answered(drop: bool | None) -> None:
            if not drop:
                return
            if self.prompt.text == text:
                self.prompt.clear()
            self._send([agent], text, drop_oldest=True)

        self.app.push_screen(
            ConfirmScreen(
                f"{agent.name}: the conversation is too long",
                f"{exc.message}\n\nSend it anyway without the oldest turns? "
                "They stay in the transcript; the model just no longer sees them.",
                confirm="Drop oldest turns and send",
                danger=False,
            ),
            answered,
        )

    def action_stop(self) -> None:
        """Stop the replies streaming in this session (what arrived is kept); with nothing
        streaming, go back to the prompt."""
        workers = [] if self.session_id is None else self._session_streams(self.session_id)
        for worker in workers:
            worker.cancel()
        if workers:
            self.notify("Stopped: the partial reply is kept, marked interrupted.")
        else:
            self.prompt.focus()

    # -- models and agents -----------------------------------------------------------------

    def _history_tokens(self, agent: Agent | None) -> int:  # may raise LaceError
        """Tokens the next turn sends: the agent's history plus the prompt being typed."""
        extra = self.prompt.text
        if agent is None:
            return estimate_tokens(extra)
        return self.services.chat.context_usage(agent, extra)[0]

    def _selected_agent(self) -> Agent | None:
        if self.agent_id is None:
            return None
        try:
            return self.services.sessions.get_agent(self.agent_id)
        except LaceError:
            return None

    def _pick_then(
        self,
        title: str,
        then: Callable[[ModelPick], object],
        *,
        agent: Agent | None = None,
    ) -> None:
        current = None if agent is None else ModelPick(agent.instance_id, agent.model_id)
        with self._reported():
            history_tokens = self._history_tokens(agent)
        picker = ModelPicker(
            self.services, title=title, history_tokens=history_tokens, current=current
        )

        async def picked(result: PickerResult | None) -> None:
            if isinstance(result, GoToInstances):
                self._go_to_instances()
            elif isinstance(result, ModelPick):
                with self._reported():
                    outcome = then(result)
                    if asyncio.iscoroutine(outcome):
                        await outcome
                self.prompt.focus()

        self.app.push_screen(picker, picked)

    def _go_to_instances(self) -> None:
        try:
            self.app.switch_mode("instances")
        except UnknownModeError:  # an app without the Instances section
            self.notify("Open the Instances section to add one.", severity="warning")

    async def _create_agent(self, pick: ModelPick) -> Agent | None:
        """A new agent on the pick, in the open session or in a new one."""
        store = self.services.sessions
        new_session: Session | None = None
        session_id = self.session_id
        if session_id is None:
            new_session = store.create_session()
            session_id = new_session.id
        try:
            agent = self.services.chat.add_agent(session_id, pick.instance_id, pick.model_id)
        except LaceError as exc:
            if new_session is not None:
                store.delete_session(new_session.id)
            self.notify(exc.message, title="Cannot add the agent", severity="error")
            return None
        await self._open_session(session_id, agent.id)
        return agent

    async def _add_agent_then_send(self, pick: ModelPick, text: str) -> None:
        agent = await self._create_agent(pick)
        if agent is not None and self.prompt.text == text:
            self.prompt.clear()
            self._send([agent], text)

    async def _new_session(self, pick: ModelPick) -> None:
        self.session_id = None
        self.agent_id = None
        await self._create_agent(pick)

    def action_new_session(self) -> None:
        """Pick the first model of a new session; the session exists once one is picked."""
        self._pick_then("New session: pick its first model", self._new_session)

    def action_new_agent(self) -> None:
        """Add an agent (another model) to the open session."""
        if self.session_id is None:
            self.action_new_session()
            return
        self._pick_then("Add an agent: pick its model", self._create_agent)

    def action_pick_model(self) -> None:
        """Switch the selected agent to another model (its history is kept)."""
        agent = self._selected_agent()
        if agent is None:
            self.action_new_agent()
            return

        self._pick_then(
            f"Switch the model of {agent.name}", partial(self._switch, agent), agent=agent
        )

    async def _switch(self, agent: Agent, pick: ModelPick) -> None:
        try:
            updated = self.services.chat.switch_agent(agent.id, pick.instance_id, pick.model_id)
        except LaceError as exc:
            self.notify(exc.message, title="Cannot switch the model", severity="error")
            return
        await self._open_session(updated.session_id, updated.id)
        self.notify(f"{updated.name} now uses {updated.model_id} @ {updated.instance_id}")

    def use_model(self, name_or_ref: str) -> None:
        """An alias or INSTANCE/MODEL (#15, from the palette): the selected agent switches to
        it, or a new session starts on it."""
        self.run_worker(self._use_model(name_or_ref), group="use-model", exit_on_error=False)

    async def _use_model(self, name_or_ref: str) -> None:
        try:
            ref = await asyncio.to_thread(self.services.prefs.resolve, name_or_ref)
        except LaceError as exc:
            self.notify(exc.message, title="Cannot use this model", severity="error")
            return
        pick, agent = ModelPick(ref.instance_id, ref.model_id), self._selected_agent()
        await (self._switch(agent, pick) if agent else self._new_session(pick))

    def action_remove_agent(self) -> None:
        """Remove the selected (or highlighted) agent and its messages, after asking."""
        with self._reported():
            self._ask_remove_agent()

    def _ask_remove_agent(self) -> None:
        store = self.services.sessions
        agent = self._selected_agent()
        agents = self.query_one("#chat-agents", AgentList)
        if self.focused is agents and agents.highlighted_id is not None:
            agent = store.get_agent(agents.highlighted_id)
        if agent is None:
            return
        target = agent

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            worker = self._streams.pop(target.id, None)
            if worker is not None:
                worker.cancel()
            with self._reported("Cannot remove the agent"):
                store.remove_agent(target.id)
                if self.agent_id == target.id:
                    self.agent_id = None
                if self.session_id is not None:
                    await self._open_session(self.session_id)

        count = len(store.list_messages(target.id))
        self.app.push_screen(
            ConfirmScreen(
                f"Remove agent {target.name}?",
                f"Its {count} messages are deleted with it. The session and its other agents stay.",
                confirm="Remove",
                danger=True,
            ),
            answered,
        )

    def action_toggle_columns(self) -> None:
        """Show every agent side by side (and send to all of them), or only the selected one."""
        self.side_by_side = not self.side_by_side
        self._apply_layout()
        self._refresh_header()

    # -- session actions -------------------------------------------------------------------

    def action_rename_session(self) -> None:
        """Give the open (or highlighted) session a title."""
        with self._reported():
            self._ask_rename()

    def _ask_rename(self) -> None:
        session_id = self._target_session_id()
        session = None if session_id is None else self.services.sessions.find_session(session_id)
        if session is None:
            return

        def answered(title: str | None) -> None:
            if title is None:
                return
            with self._reported("Cannot rename the session"):
                self.services.sessions.rename_session(session.id, title)
            self._refresh_sidebar()
            self._refresh_header()

        self.app.push_screen(
            TextDialog("Rename the session", session.title, placeholder="a title"), answered
        )

    async def action_archive_session(self) -> None:
        """Archive the open (or highlighted) session, or bring an archived one back."""
        with self._reported("Cannot archive the session"):
            await self._archive()

    async def _archive(self) -> None:
        session_id = self._target_session_id()
        store = self.services.sessions
        session = None if session_id is None else store.find_session(session_id)
        if session is None:
            return
        updated = store.archive_session(session.id, not session.archived)
        if updated.archived:
            self.notify(f"Archived '{session_label(updated)}' (h in the list shows archived).")
        else:
            self.notify(f"Restored '{session_label(updated)}'.")
        self._refresh_sidebar()

    def action_delete_session(self) -> None:
        """Delete the open (or highlighted) session, after asking."""
        with self._reported():
            self._ask_delete()

    def _ask_delete(self) -> None:
        session_id = self._target_session_id()
        store = self.services.sessions
        session = None if session_id is None else store.find_session(session_id)
        if session is None:
            return
        target = session

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            for worker in self._session_streams(target.id):
                worker.cancel()
            with self._reported("Cannot delete the session"):
                store.delete_session(target.id)
                pane = self._panes.pop(target.id, None)
                if pane is not None:
                    await pane.remove()
                self.notify(f"Deleted '{session_label(target)}'.")
                if target.id != self.session_id:
                    self._refresh_sidebar()
                    return
                following = store.last_session_id()
                if following is not None:
                    await self._open_session(following)
                else:
                    self._close_session_view()

        messages = len(store.session_messages(target.id))
        agents = len(store.list_agents(target.id))
        self.app.push_screen(
            ConfirmScreen(
                f"Delete session '{session_label(target)}'?",
                f"Its {agents} agents and {messages} messages are deleted for good.",
                confirm="Delete",
                danger=True,
            ),
            answered,
        )

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self._refresh_sidebar()

    async def action_load_earlier(self) -> None:
        pane = self.pane
        column = None if pane is None or self.agent_id is None else pane.column(self.agent_id)
        if column is not None:
            await column.transcript.load_earlier()


class _FullCollections:
    """Postpones the collector's full passes while replies stream.

    Young-generation collections (a millisecond or two) go on as usual and free almost all
    the short-lived garbage of streaming; only the rare full pass over every object (tens of
    milliseconds, long enough to delay a keystroke) waits until no reply is streaming.
    """

    def __init__(self) -> None:
        self._holders = 0
        self._saved: tuple[int, int, int] | None = None

    def hold(self) -> None:
        if self._holders == 0:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, 1_000_000)
        self._holders += 1

    def release(self) -> None:
        self._holders -= 1
        if self._holders == 0 and self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None


FULL_COLLECTIONS = _FullCollections()


def freeze_long_lived_objects() -> None:
    """Move what is alive now (the catalog, the app's widgets) out of the collector's sight.

    A full collection walks every tracked object; with the catalog loaded that is some 200k
    objects and a 50-100 ms pause, which would hold up keystrokes whenever it happens.
    Frozen objects are never collected, so this runs only at start-up moments, when what
    exists is meant to live as long as the app, and the chat screen unfreezes on unmount.
    """
    gc.freeze()


async def _close(events: AsyncIterator[ChatEvent]) -> None:
    """Close a reply stream (idempotent): the service stores a cut-short reply as interrupted."""
    if isinstance(events, AsyncGenerator):
        await events.aclose()
