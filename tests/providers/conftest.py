"""Shared helpers for the providers tests: configs, event collection, chunked replay streams,
a recording fake sleep, and the loopback fake provider."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from lace_tui.errors import LaceError
from lace_tui.instances.models import RetryPolicy
from lace_tui.providers.base import ClientConfig, ProviderClient
from lace_tui.providers.events import (
    ChatMessage,
    ChatRequest,
    Finish,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TextDelta,
    Usage,
)
from tests.support.fake_provider import FakeBehaviour, FakeProvider

# Vendor SDK streams, vendored with their licences (see tests/fixtures/wire/README.md).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wire"
SECRET = "sk-test-SECRET-0123456789abcdef"


@dataclass
class Collected:
    """What a consumer of stream_chat saw."""

    events: list[StreamEvent] = field(default_factory=list)
    raised: LaceError | None = None

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))

    @property
    def reasoning(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, ReasoningDelta))

    @property
    def usage(self) -> Usage | None:
        usages = [e for e in self.events if isinstance(e, Usage)]
        return usages[-1] if usages else None

    @property
    def finishes(self) -> list[Finish]:
        return [e for e in self.events if isinstance(e, Finish)]

    @property
    def errors(self) -> list[StreamError]:
        return [e for e in self.events if isinstance(e, StreamError)]


async def collect_stream(client: ProviderClient, request: ChatRequest) -> Collected:
    """Drain stream_chat, keeping the events and the typed error it raised, if any."""
    seen = Collected()
    try:
        async for event in client.stream_chat(request):
            seen.events.append(event)
    except LaceError as exc:
        seen.raised = exc
    return seen


def chat_request(model: str = "m", **fields: object) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}
    )


def config_for(
    provider_type: str,
    base_url: str,
    *,
    api_key: str | None = SECRET,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
    retry: RetryPolicy | None = None,
    label: str = "work",
    api_version: str | None = None,
) -> ClientConfig:
    return ClientConfig(
        provider_type=provider_type,
        base_url=base_url,
        api_key=api_key,
        headers=headers or {},
        timeout=timeout,
        retry=retry or RetryPolicy(max_attempts=1),
        label=label,
        api_version=api_version,
    )


class ChunkedStream(httpx.AsyncByteStream):
    """A response body delivered in the given pieces, to exercise chunk boundaries."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


def random_pieces(data: bytes, seed: int, largest: int = 9) -> list[bytes]:
    """`data` cut at random places into pieces of 1..largest bytes (seeded, reproducible)."""
    rng = random.Random(seed)
    pieces, start = [], 0
    while start < len(data):
        size = rng.randint(1, largest)
        pieces.append(data[start : start + size])
        start += size
    return pieces


class SleepRecorder:
    """A fake `sleep` that records the delays it was asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    server = FakeProvider(FakeBehaviour()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


ConfigFactory = Callable[..., ClientConfig]


def messages(*pairs: tuple[str, str]) -> list[ChatMessage]:
    return [ChatMessage.model_validate({"role": role, "content": text}) for role, text in pairs]
