"""The stream controller of the Chat screen: sends a prompt to one or more agents and drives each
streaming reply into its agent's transcript.

Replies stream in async workers, one per agent, so the screen stays responsive; each worker
feeds its reply widget, which batches deltas to the screen's refresh rate. Cancelling a worker
(Esc) closes its stream: the chat service then stores the partial reply as interrupted.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

from lace_tui.errors import ContextOverflowError, LaceError
from lace_tui.sessions.models import Agent
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.widgets.chat_message import ReplyView
from lace_tui.tui.widgets.chat_pane import AgentColumn

if TYPE_CHECKING:
    # The chat service (providers, httpx) is imported with the first prompt sent, not before
    # a reopened session's first paint.
    from lace_tui.services.chat_service import ChatEvent
    from lace_tui.tui.screens.chat import ChatScreen

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


class ReplyStreams:
    """The replies streaming on one chat screen: one worker per agent, in `workers`."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.workers: dict[str, Worker[None]] = {}

    def send(
        self,
        agents: list[Agent],
        text: str,
        *,
        drop_oldest: bool = False,
        retry_of: int | None = None,
    ) -> None:
        """Send `text` to each of `agents`, streaming every reply into its agent's column."""
        from lace_tui.services.chat_service import new_turn_id

        ticket = _PromptTicket(text=text, pending=len(agents))
        turn_id = new_turn_id() if len(agents) > 1 else None
        for agent in agents:
            self.workers[agent.id] = self.screen.run_worker(
                self._stream_reply(agent, text, ticket, turn_id, drop_oldest, retry_of),
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
        retry_of: int | None = None,
    ) -> None:
        """Send one prompt to one agent and stream the reply into its column."""
        pane = self.screen._panes.get(agent.session_id)
        column = None if pane is None else pane.column(agent.id)
        if column is None:  # the session or agent went away before we started
            if self.workers.get(agent.id) is get_current_worker():
                del self.workers[agent.id]
            return
        FULL_COLLECTIONS.hold()
        try:
            await self._stream_into(column, agent, text, ticket, turn_id, drop_oldest, retry_of)
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
        retry_of: int | None = None,
    ) -> None:
        screen = self.screen
        transcript = column.transcript
        user_widget = await transcript.add_user(text)
        live = _LiveReply()
        events = screen.services.chat.send(
            agent.id, text, turn_id=turn_id, drop_oldest=drop_oldest, retry_of=retry_of
        )
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
                screen.notify(exc.message, title=f"{agent.name}: not sent", severity="error")
            else:
                self._offer_drop_oldest(agent, text, exc)
        except LaceError as exc:
            await transcript.drop(user_widget)
            self._give_back(ticket)
            screen.notify(exc.message, title=f"{agent.name}: not sent", severity="error")
        except asyncio.CancelledError:
            # Closing the stream makes the service store what arrived as interrupted.
            await _close(events)
            if live.message_id is not None:
                screen.call_later(self._settle_interrupted, column, live)
            raise
        finally:
            await _close(events)
            if self.workers.get(agent.id) is get_current_worker():
                del self.workers[agent.id]
            screen.call_later(self._after_reply)

    async def _take_event(
        self,
        event: ChatEvent,
        live: _LiveReply,
        agent: Agent,
        ticket: _PromptTicket,
        column: AgentColumn,
    ) -> None:
        from lace_tui.providers.events import ReasoningDelta, TextDelta
        from lace_tui.services.chat_service import ReplyDone, ReplyStarted

        screen = self.screen
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
            message = screen.services.sessions.get_message(event.message_id)
            live.view = await column.transcript.add_reply(message)
            # The first prompt names the session; the prompt counts toward the context.
            screen._refresh_sidebar()
            screen._refresh_header()
        elif isinstance(event, ReplyDone):
            if reply is None:
                reply = live.view = await column.transcript.add_reply(event.message)
            await reply.finish(event.message, event.tokens_per_second)
            if event.message.status == "error":
                screen.notify(
                    f"{event.message.error or 'the reply failed'}\nctrl+r sends the prompt again",
                    title=f"{agent.name}: reply failed",
                    severity="error",
                    timeout=8,
                )

    async def _settle_interrupted(self, column: AgentColumn, live: _LiveReply) -> None:
        """Show a stopped reply as the store kept it."""
        if live.message_id is None:
            return
        with self.screen._reported():
            # Stopped before its stream began, a reply is still `streaming`: nothing will
            # finish it but us.
            message = self.screen.services.sessions.mark_interrupted(live.message_id)
            if live.view is None:
                if column.is_attached:
                    await column.transcript.add_reply(message)
            elif live.view.is_attached:
                await live.view.finish(message)

    def _after_reply(self) -> None:
        if self.screen.is_attached:
            self.screen._refresh_header()

    def _give_back(self, ticket: _PromptTicket) -> None:
        if ticket.settle_failure():
            self.screen.prompt.restore(ticket.text)

    def _offer_drop_oldest(self, agent: Agent, text: str, exc: ContextOverflowError) -> None:
        prompt = self.screen.prompt

        def answered(drop: bool | None) -> None:
            if not drop:
                return
            if prompt.text == text:
                prompt.clear()
            self.send([agent], text, drop_oldest=True)

        self.screen.app.push_screen(
            ConfirmScreen(
                f"{agent.name}: the conversation is too long",
                f"{exc.message}\n\nSend it anyway without the oldest turns? "
                "They stay in the transcript; the model just no longer sees them.",
                confirm="Drop oldest turns and send",
                danger=False,
            ),
            answered,
        )


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


async def _close(events: AsyncIterator[ChatEvent]) -> None:
    """Close a reply stream (idempotent): the service stores a cut-short reply as interrupted."""
    if isinstance(events, AsyncGenerator):
        await events.aclose()
