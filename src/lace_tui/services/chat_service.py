"""Conversations: a prompt goes to one agent or to several at once, replies stream back as
events and are stored as they arrive, with usage, cost, latency and throughput."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from typing import Literal

from pydantic import BaseModel

from lace_tui.catalog.models import Model
from lace_tui.errors import BadInputError, ContextOverflowError, LaceError
from lace_tui.providers.events import (
    ChatMessage,
    ChatRequest,
    Finish,
    ReasoningDelta,
    StreamError,
    TextDelta,
    Usage,
)
from lace_tui.services.cost import estimate_tokens, reply_cost
from lace_tui.services.fallback import failure_line, fallback_chain, worth_falling_back
from lace_tui.services.instance_service import InstanceService
from lace_tui.sessions.models import Agent, Message, Session
from lace_tui.sessions.store import SessionStore

# A streaming reply is written at least this often, so a killed process loses little.
FLUSH_SECONDS = 0.25
FLUSH_DELTAS = 64
_DEFAULT_MAX_TOKENS = 4096


class ReplyStarted(BaseModel):
    kind: Literal["started"] = "started"
    message_id: int
    model_id: str
    instance_id: str


class ReplyDone(BaseModel):
    """The stored reply as it ended: complete, interrupted or error (with `error` set)."""

    kind: Literal["done"] = "done"
    message: Message
    tokens_per_second: float | None = None


ChatEvent = ReplyStarted | TextDelta | ReasoningDelta | Usage | ReplyDone


class AgentEvent(BaseModel):
    """One event of a fan-out, tagged with the agent it belongs to."""

    agent_id: str
    event: ChatEvent


def check_reasoning_effort(model_id: str, info: Model | None, effort: str) -> None:
    """BadInputError unless the catalog says the model reasons at that level (a model the
    catalog does not know is given the benefit of the doubt)."""
    if info is None:
        return
    if not info.can_reason:
        raise BadInputError(f"model '{model_id}' does not support reasoning effort")
    if info.reasoning_levels and effort not in info.reasoning_levels:
        levels = ", ".join(info.reasoning_levels)
        raise BadInputError(f"model '{model_id}' takes reasoning effort {levels}; not '{effort}'")


def new_turn_id() -> str:
    return "t-" + secrets.token_hex(4)


def title_from_prompt(prompt: str) -> str:
    first_line = next((line.strip() for line in prompt.splitlines() if line.strip()), "")
    return first_line if len(first_line) <= 60 else first_line[:59] + "…"


class ChatService:
    """Sessions, agents and the sending of prompts. No printing, no Textual."""

    def __init__(self, store: SessionStore, instances: InstanceService) -> None:
        self.store = store
        self.instances = instances

    # -- sessions and agents -------------------------------------------------------------

    def ensure_session(self, session_id: str | None) -> Session:
        """The session with that id, created when it does not exist yet (or a new one)."""
        if session_id is not None:
            found = self.store.find_session(session_id)
            if found is not None:
                return found
        return self.store.create_session(session_id)

    def check_pair(
        self, instance_id: str, model_id: str, reasoning_effort: str | None = None
    ) -> None:
        """Raise what would stop an agent on (instance, model) from chatting: an unknown
        instance or model, an unsupported type, an unset key variable, a bad reasoning level."""
        model = self.instances.resolve_model(instance_id, model_id)
        self.instances.check_usable(instance_id)
        if reasoning_effort:
            check_reasoning_effort(model_id, model.info, reasoning_effort)

    def add_agent(
        self,
        session_id: str | None,
        instance_id: str,
        model_id: str,
        *,
        name: str | None = None,
        system_prompt: str | None = None,
        reasoning_effort: str | None = None,
        create_session: bool = False,
    ) -> Agent:
        """Bind a new agent of the session to (instance, model), both checked first.

        With `create_session` a missing session (or a new one, for None) is created, but only
        once the checks passed, so bad input leaves nothing behind."""
        self.check_pair(instance_id, model_id, reasoning_effort)
        if create_session:
            session_id = self.ensure_session(session_id).id
        elif session_id is None:
            raise BadInputError("no session given for the new agent")
        else:
            self.store.get_session(session_id)
        if name is None:
            taken = {agent.name for agent in self.store.list_agents(session_id)}
            name = self.instances.resolve_model(instance_id, model_id).name or model_id
            base, n = name, 2
            while name in taken:
                name, n = f"{base} ({n})", n + 1
        return self.store.add_agent(
            session_id,
            name,
            instance_id,
            model_id,
            system_prompt=system_prompt,
            reasoning_effort=reasoning_effort,
        )

    def agent_for(self, session_id: str | None, instance_id: str, model_id: str) -> Agent:
        """The session's agent on (instance, model), added (and the session created) if there
        is none; nothing is created when the pair fails its checks."""
        if session_id is not None and self.store.find_session(session_id) is not None:
            for agent in self.store.list_agents(session_id):
                if agent.instance_id == instance_id and agent.model_id == model_id:
                    return agent
        return self.add_agent(session_id, instance_id, model_id, create_session=True)

    def switch_agent(self, agent_id: str, instance_id: str, model_id: str) -> Agent:
        """Point an agent at another (instance, model); its history is kept."""
        self.check_pair(instance_id, model_id)
        return self.store.update_agent(agent_id, instance_id=instance_id, model_id=model_id)

    # -- requests ------------------------------------------------------------------------

    def history(self, agent_id: str) -> list[ChatMessage]:
        """The agent's conversation as the provider should see it: failed empty replies are
        left out and consecutive turns of one role are merged (providers require alternation)."""
        turns: list[ChatMessage] = []
        for message in self.store.list_messages(agent_id):
            if message.role == "assistant" and (message.status == "error" or not message.content):
                continue
            turns = _append_turn(turns, ChatMessage(role=message.role, content=message.content))
        return turns

    def context_usage(self, agent: Agent, extra_text: str = "") -> tuple[int, int | None]:
        """Estimated tokens of the agent's history (plus `extra_text`) and its context window."""
        model = self._model_info(agent)
        text = (agent.system_prompt or "") + extra_text
        used = estimate_tokens(text) + sum(
            estimate_tokens(m.content) for m in self.history(agent.id)
        )
        window = model.context_window if model and model.context_window > 0 else None
        return used, window

    def build_request(
        self, agent: Agent, history: Sequence[ChatMessage], drop_oldest: bool = False
    ) -> ChatRequest:
        """The request for the agent's next reply; ContextOverflowError if it cannot fit."""
        model = self._model_info(agent)
        max_tokens = model.default_max_tokens if model and model.default_max_tokens > 0 else None
        turns = list(history)
        if model is not None and model.context_window > 0:
            reserve = min(max_tokens or _DEFAULT_MAX_TOKENS, model.context_window // 4)
            budget = model.context_window - reserve - estimate_tokens(agent.system_prompt or "")

            def size(items: Sequence[ChatMessage]) -> int:
                return sum(estimate_tokens(m.content) for m in items)

            if size(turns) > budget:
                if not drop_oldest:
                    raise ContextOverflowError(
                        f"the conversation (~{size(turns):,} tokens) no longer fits "
                        f"{agent.model_id}'s context window ({model.context_window:,} tokens): "
                        "drop the oldest turns (`--drop-oldest`), or start a new session"
                    )
                while len(turns) > 1 and size(turns) > budget:
                    turns.pop(0)
                    while turns and turns[0].role != "user":
                        turns.pop(0)
                if not turns or size(turns) > budget:
                    raise ContextOverflowError(
                        f"the prompt alone (~{size(turns):,} tokens) does not fit "
                        f"{agent.model_id}'s context window ({model.context_window:,} tokens)"
                    )
            if max_tokens is not None:
                max_tokens = min(max_tokens, max(1, model.context_window - size(turns)))
        return ChatRequest(
            model=agent.model_id,
            messages=turns,
            system=agent.system_prompt or None,
            max_tokens=max_tokens,
            reasoning_effort=agent.reasoning_effort or None,
        )

    def _model_info(self, agent: Agent) -> Model | None:
        try:
            return self.instances.resolve_model(agent.instance_id, agent.model_id).info
        except LaceError:
            return None

    async def send(
        self,
        agent_id: str,
        prompt: str,
        *,
        turn_id: str | None = None,
        drop_oldest: bool = False,
    ) -> AsyncIterator[ChatEvent]:
        """Send a prompt to one agent and stream its reply.

        The user's message is committed before anything goes on the wire. The reply is
        written as it streams; it ends complete, interrupted (the caller stopped iterating,
        or was cancelled) or error (with the error's one-line message stored and shown).
        Configuration errors (unknown model, unset key variable, context overflow) are raised
        before anything is stored, so the caller still holds the prompt and may retry.
        """
        if not prompt.strip():
            raise BadInputError("the prompt is empty")
        agent = self.store.get_agent(agent_id)
        session = self.store.get_session(agent.session_id)
        # Everything that can refuse (context window, unusable instance) is checked before
        # the prompt is stored, so a refusal changes nothing and a retry stores it once.
        turns = _append_turn(self.history(agent.id), ChatMessage(role="user", content=prompt))
        request = self.build_request(agent, turns, drop_oldest)
        client = self.instances.client(agent.instance_id)
        model_info = self._model_info(agent)
        if not session.title:
            self.store.rename_session(session.id, title_from_prompt(prompt))
        self.store.add_message(
            agent.id,
            "user",
            prompt,
            model_id=agent.model_id,
            instance_id=agent.instance_id,
            turn_id=turn_id,
        )
        reply = self.store.add_message(
            agent.id,
            "assistant",
            "",
            status="streaming",
            model_id=agent.model_id,
            instance_id=agent.instance_id,
            turn_id=turn_id,
        )
        recorder = _ReplyRecorder(self.store, reply.id, model_info)
        answering = agent.instance_id
        fallbacks: list[str] | None = None
        failed: list[str] = []
        try:
            yield ReplyStarted(
                message_id=reply.id, model_id=agent.model_id, instance_id=agent.instance_id
            )
            while True:
                try:
                    async with client:
                        async for event in client.stream_chat(request):
                            if isinstance(event, StreamError):
                                recorder.error = event.message
                                break
                            recorder.take(event)
                            if not isinstance(event, Finish):
                                yield event
                    break
                except LaceError as exc:
                    # #15: nothing streamed yet, so the same model may answer elsewhere.
                    if recorder.first_token is not None or not worth_falling_back(exc):
                        raise
                    if fallbacks is None:
                        fallbacks = fallback_chain(
                            self.instances, agent.instance_id, agent.model_id
                        )
                    if not fallbacks:
                        raise
                    failed.append(failure_line(answering, exc))
                    answering = fallbacks.pop(0)
                    client = self.instances.client(answering)
                    recorder.model = self.instances.resolve_model(answering, agent.model_id).info
                    self.store.update_message(
                        reply.id, instance_id=answering, failed_over="\n".join(failed)
                    )
        except LaceError as exc:
            recorder.error = exc.message
        except (asyncio.CancelledError, GeneratorExit):
            recorder.finish("interrupted")
            raise
        except Exception as exc:  # a bug or an unmapped failure must still not lose the reply
            recorder.error = f"unexpected error: {type(exc).__name__}: {exc}"
        status: Literal["complete", "error"] = "error" if recorder.error else "complete"
        message = recorder.finish(status)
        yield ReplyDone(message=message, tokens_per_second=recorder.tokens_per_second())

    async def fan_out(
        self,
        session_id: str,
        prompt: str,
        agent_ids: Sequence[str] | None = None,
        *,
        drop_oldest: bool = False,
    ) -> AsyncIterator[AgentEvent]:
        """Send one prompt to several agents at once; their events interleave as they arrive.

        Each agent streams independently: one failing (even before its request) never stops
        the others; its failure arrives as its own ReplyDone with status error.
        """
        agents = self.store.list_agents(session_id)
        if agent_ids is not None:
            wanted = set(agent_ids)
            agents = [agent for agent in agents if agent.id in wanted]
        if not agents:
            raise BadInputError(
                f"session '{session_id}' has no agents: add one with "
                f"`lace-tui session add-agent {session_id} --instance ID --model MODEL`"
            )
        turn_id = new_turn_id()
        queue: asyncio.Queue[AgentEvent | None] = asyncio.Queue()

        async def run(agent: Agent) -> None:
            try:
                async for event in self.send(
                    agent.id, prompt, turn_id=turn_id, drop_oldest=drop_oldest
                ):
                    await queue.put(AgentEvent(agent_id=agent.id, event=event))
            except LaceError as exc:
                message = self.store.add_message(
                    agent.id,
                    "assistant",
                    "",
                    status="error",
                    model_id=agent.model_id,
                    instance_id=agent.instance_id,
                    turn_id=turn_id,
                )
                self.store.update_message(message.id, status="error", error=exc.message)
                stored = self.store.get_message(message.id)
                await queue.put(AgentEvent(agent_id=agent.id, event=ReplyDone(message=stored)))
            finally:
                await queue.put(None)

        tasks = [asyncio.create_task(run(agent)) for agent in agents]
        remaining = len(tasks)
        try:
            while remaining:
                item = await queue.get()
                if item is None:
                    remaining -= 1
                else:
                    yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class _ReplyRecorder:
    """Accumulates a streaming reply and writes it to the store at a bounded rate."""

    def __init__(self, store: SessionStore, message_id: int, model: Model | None) -> None:
        self.store = store
        self.message_id = message_id
        self.model = model
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.usage = Usage()
        self.error: str | None = None
        self.started = time.monotonic()
        self.first_token: float | None = None
        self.ended: float | None = None
        self._last_flush = self.started
        self._pending = 0
        self._finished: Message | None = None

    def take(self, event: TextDelta | ReasoningDelta | Usage | Finish) -> None:
        if isinstance(event, TextDelta | ReasoningDelta):
            if self.first_token is None:
                self.first_token = time.monotonic()
            (self.text if isinstance(event, TextDelta) else self.reasoning).append(event.text)
            self._pending += 1
            now = time.monotonic()
            if self._pending >= FLUSH_DELTAS or now - self._last_flush >= FLUSH_SECONDS:
                self._flush(now)
        elif isinstance(event, Usage):
            self.usage = _merge_usage(self.usage, event)
        elif event.reason in ("length", "content_filter", "refusal") and event.detail:
            self.text.append(f"\n\n[{event.reason}: {event.detail}]")

    def _flush(self, now: float) -> None:
        self.store.update_message(
            self.message_id, content="".join(self.text), reasoning="".join(self.reasoning)
        )
        self._last_flush = now
        self._pending = 0

    def tokens_per_second(self) -> float | None:
        if self.usage.output_tokens is None or self.first_token is None or self.ended is None:
            return None
        elapsed = self.ended - self.first_token
        return self.usage.output_tokens / elapsed if elapsed > 0 else None

    def finish(self, status: Literal["complete", "interrupted", "error"]) -> Message:
        if self._finished is not None:
            return self._finished
        self.ended = time.monotonic()
        usage = self.usage
        self.store.update_message(
            self.message_id,
            content="".join(self.text),
            reasoning="".join(self.reasoning),
            status=status,
            error=self.error,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            reasoning_tokens=usage.reasoning_tokens,
            cost_usd=reply_cost(usage, self.model),
            ttft_ms=None if self.first_token is None else (self.first_token - self.started) * 1000,
            duration_ms=(self.ended - self.started) * 1000,
        )
        self._finished = self.store.get_message(self.message_id)
        return self._finished


def _append_turn(turns: list[ChatMessage], turn: ChatMessage) -> list[ChatMessage]:
    """`turns` with `turn` added, merged into the last one when both have the same role."""
    if turns and turns[-1].role == turn.role:
        merged = ChatMessage(role=turn.role, content=turns[-1].content + "\n\n" + turn.content)
        return [*turns[:-1], merged]
    return [*turns, turn]


def _merge_usage(old: Usage, new: Usage) -> Usage:
    """Providers report cumulative counts, sometimes split over events: keep the latest of each."""
    return Usage(
        input_tokens=new.input_tokens if new.input_tokens is not None else old.input_tokens,
        output_tokens=new.output_tokens if new.output_tokens is not None else old.output_tokens,
        cache_read_tokens=(
            new.cache_read_tokens if new.cache_read_tokens is not None else old.cache_read_tokens
        ),
        cache_write_tokens=(
            new.cache_write_tokens if new.cache_write_tokens is not None else old.cache_write_tokens
        ),
        reasoning_tokens=(
            new.reasoning_tokens if new.reasoning_tokens is not None else old.reasoning_tokens
        ),
    )
