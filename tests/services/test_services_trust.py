"""Conversations you can trust (#10), against real stores and the loopback fake provider:
what is sent, how each reply ended, and what it cost."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import resolve_paths
from lace_tui.providers.events import TextDelta
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatEvent, ReplyDone
from lace_tui.sessions.models import Message
from tests.support.fake_provider import TOOL_ARGUMENTS, TOOL_NAME, FakeBehaviour, FakeProvider

ONCE = RetryPolicy(max_attempts=1)
# One instance per wire format, all served by the same fake, and a catalog model on each.
PAIRS = {
    "anthropic": ("claude", "claude-sonnet-4-6"),
    "openai": ("gpt", "gpt-5.5"),
    "gemini": ("gem", "gemini-2.5-flash"),
    "ollama": ("llama", "fake-small"),
}
TOOL_NOTE = f"the model asked to call {TOOL_NAME}({TOOL_ARGUMENTS}); lace-tui does not run tools"


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="one two three four")) as srv:
        yield srv


@pytest.fixture
def services(tmp_path: Path, server: FakeProvider) -> Iterator[Services]:
    svc = Services(resolve_paths(tmp_path), environ={})
    key = "sk-test-123456789"
    svc.instances.add(
        Instance(id="claude", provider="anthropic", endpoint=server.url, retry=ONCE), api_key=key
    )
    svc.instances.add(
        Instance(id="gpt", provider="openai", endpoint=server.url + "/v1", retry=ONCE),
        api_key=key,
    )
    svc.instances.add(
        Instance(id="gem", provider="gemini", endpoint=server.url, retry=ONCE), api_key=key
    )
    svc.instances.add(
        Instance(
            id="llama",
            provider="ollama",
            endpoint=server.url,
            retry=ONCE,
            extra_models=["fake-small"],
        )
    )
    svc.instances.add(
        Instance(id="router", provider="openrouter", endpoint=server.url + "/v1", retry=ONCE),
        api_key=key,
    )
    yield svc
    svc.close()


async def reply_of(events: AsyncIterator[ChatEvent]) -> Message:
    done = [event async for event in events if isinstance(event, ReplyDone)]
    assert len(done) == 1
    return done[0].message


def new_agent(services: Services, fmt: str = "anthropic") -> str:
    instance, model = PAIRS[fmt]
    return services.chat.add_agent(None, instance, model, create_session=True).id


def sent_messages(server: FakeProvider) -> list[tuple[str, str]]:
    """(role, text) of the last chat request, whatever its wire format."""
    body = server.requests[-1].body
    assert isinstance(body, dict)
    if "contents" in body:
        return [(c["role"], c["parts"][0]["text"]) for c in body["contents"]]
    return [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]


# -- what was sent --------------------------------------------------------------------------


async def test_a_failed_prompt_is_not_sent_with_the_next_one(
    services: Services, server: FakeProvider
) -> None:
    agent = new_agent(services)
    failed = await reply_of(services.chat.send(agent, "#500 boom"))
    assert failed.status == "error" and failed.cost_usd is None
    await reply_of(services.chat.send(agent, "second prompt"))
    assert sent_messages(server) == [("user", "second prompt")]
    # Still so after a model switch, in another wire format.
    services.chat.switch_agent(agent, "gpt", "gpt-5.5")
    await reply_of(services.chat.send(agent, "third"))
    assert sent_messages(server) == [
        ("user", "second prompt"),
        ("assistant", "one two three four"),
        ("user", "third"),
    ]
    # The failed prompt stays in the store, visible and marked failed.
    stored = services.sessions.list_messages(agent)
    assert [(m.role, m.status) for m in stored[:2]] == [
        ("user", "complete"),
        ("assistant", "error"),
    ]


async def test_retry_sends_the_failed_prompt_again_as_a_new_turn(
    services: Services, server: FakeProvider
) -> None:
    agent = new_agent(services)
    server.behaviour.status, server.behaviour.fail_times = 503, server.chat_count + 1
    await reply_of(services.chat.send(agent, "what is 2+2?"))
    await reply_of(services.chat.send(agent, "and 3+3?"))
    failed = services.chat.failed_prompt(agent)
    assert failed is not None and failed.content == "what is 2+2?"
    retried = await reply_of(services.chat.retry(agent))
    assert retried.status == "complete"
    assert sent_messages(server) == [
        ("user", "and 3+3?"),
        ("assistant", "one two three four"),
        ("user", "what is 2+2?"),
    ]
    assert services.sessions.list_messages(agent)[-2].retry_of == failed.id
    assert services.chat.failed_prompt(agent) is None
    with pytest.raises(BadInputError, match="no failed prompt to retry"):
        await reply_of(services.chat.retry(agent))


@pytest.mark.parametrize("fmt", sorted(PAIRS))
async def test_notes_never_reach_a_request_body(
    services: Services, server: FakeProvider, fmt: str
) -> None:
    agent = new_agent(services, fmt)
    cut = await reply_of(services.chat.send(agent, "#length tell me more"))
    assert cut.stop_reason == "length" and cut.notes
    assert cut.content == "one two three four"
    await reply_of(services.chat.send(agent, "go on"))
    sent = sent_messages(server)
    assert sent[1][1] == "one two three four"
    assert not any("cut short" in text or "[" in text for _, text in sent)


# -- how each reply ended -------------------------------------------------------------------

# (directive, format) -> stop reason: each wire format's own signal for that ending.
ENDINGS = {
    ("", "anthropic"): "stop",
    ("", "openai"): "stop",
    ("", "gemini"): "stop",
    ("", "ollama"): "stop",
    ("#length", "anthropic"): "length",
    ("#length", "openai"): "length",
    ("#length", "gemini"): "length",
    ("#length", "ollama"): "length",
    ("#filter", "anthropic"): "refusal",
    ("#filter", "openai"): "content_filter",
    ("#filter", "gemini"): "content_filter",
    ("#refusal", "anthropic"): "refusal",
    ("#refusal", "openai"): "refusal",
    ("#refusal", "gemini"): "content_filter",
    ("#tools", "anthropic"): "tool_calls",
    ("#tools", "openai"): "tool_calls",
    ("#tools", "gemini"): "tool_calls",
    ("#tools", "ollama"): "tool_calls",
    ("#pause", "anthropic"): "pause",
    ("#blocked", "gemini"): "content_filter",
}
NOTE_START = {
    "stop": None,
    "length": "the reply was cut short at the model's output limit",
    "content_filter": "the provider's content filter stopped the reply",
    "refusal": "the model refused to answer",
    "tool_calls": TOOL_NOTE,
    "pause": "the model paused its turn",
}


@pytest.mark.parametrize(("directive", "fmt"), sorted(ENDINGS))
async def test_each_stop_signal_is_stored_with_its_note(
    services: Services, directive: str, fmt: str
) -> None:
    agent = new_agent(services, fmt)
    message = await reply_of(services.chat.send(agent, f"{directive} hello".strip()))
    expected = ENDINGS[(directive, fmt)]
    assert message.status == "complete"
    assert message.stop_reason == expected
    start = NOTE_START[expected]
    if start is None:
        assert message.notes == []
    else:
        assert message.notes and message.notes[0].startswith(start), message.notes
    if directive in ("#tools", "#refusal", "#blocked"):
        assert message.content == ""  # nothing of the note leaked into the text


async def test_length_note_names_the_output_limit(services: Services) -> None:
    agent = new_agent(services, "anthropic")
    message = await reply_of(services.chat.send(agent, "#length hi"))
    limit = services.catalog.model("anthropic", "claude-sonnet-4-6").default_max_tokens
    assert message.notes == [
        f"the reply was cut short at the model's output limit ({limit:,} tokens)"
    ]


async def test_gemini_blocked_prompt_says_so(services: Services) -> None:
    message = await reply_of(services.chat.send(new_agent(services, "gemini"), "#blocked x"))
    assert message.notes == [
        "the provider's content filter stopped the reply: the prompt was blocked (SAFETY)"
    ]


# -- usage and cost -------------------------------------------------------------------------


async def test_openrouter_reported_cost_and_cache_fields_are_stored(services: Services) -> None:
    agent = services.chat.add_agent(None, "router", "openai/gpt-5", create_session=True)
    message = await reply_of(services.chat.send(agent.id, "#cost #cache hello"))
    assert message.cost_usd == pytest.approx(0.0123)
    assert message.cost_source == "provider"
    assert (message.input_tokens, message.cache_read_tokens, message.cache_write_tokens) == (
        7,
        30_000,
        1_200,
    )


async def test_catalog_cost_says_so(services: Services) -> None:
    message = await reply_of(services.chat.send(new_agent(services), "hello"))
    assert message.cost_usd is not None and message.cost_source == "catalog"
    assert not message.output_estimated


# OpenAI reports usage only at the very end; Anthropic says 1 output token when it starts.
@pytest.mark.parametrize("fmt", ["openai", "anthropic"])
async def test_a_stopped_reply_gets_estimated_counts_and_cost(
    services: Services, server: FakeProvider, fmt: str
) -> None:
    server.behaviour.reply = " ".join(["word"] * 200)
    server.behaviour.delay = 0.005
    agent = new_agent(services, fmt)
    stream = services.chat.send(agent, "long please")
    assert isinstance(stream, AsyncGenerator)
    seen = 0
    async for event in stream:
        if isinstance(event, TextDelta):
            seen += 1
            if seen == 14:
                break
    await stream.aclose()
    reply = services.sessions.list_messages(agent)[-1]
    assert reply.status == "interrupted"
    assert reply.output_estimated and reply.cost_source == "estimate"
    assert reply.output_tokens is not None and reply.output_tokens >= 14
    assert reply.input_tokens is not None and reply.cost_usd is not None and reply.cost_usd > 0


async def test_an_error_with_unknown_usage_makes_totals_a_lower_bound(
    services: Services,
) -> None:
    agent = new_agent(services)
    await reply_of(services.chat.send(agent, "hello"))
    await reply_of(services.chat.send(agent, "#500 again"))
    totals = services.sessions.totals_for_agent(agent)
    assert totals.cost_usd is not None and not totals.cost_complete


# -- agents follow a model switch -----------------------------------------------------------


async def test_an_agent_named_after_its_model_follows_a_switch(services: Services) -> None:
    agent = services.chat.add_agent(None, "claude", "claude-sonnet-4-6", create_session=True)
    named = services.chat.add_agent(
        agent.session_id, "claude", "claude-sonnet-4-6", name="Reviewer"
    )
    switched = services.chat.switch_agent(agent.id, "gpt", "gpt-5.5")
    assert switched.name == services.catalog.model("openai", "gpt-5.5").name
    assert services.chat.switch_agent(named.id, "gpt", "gpt-5.5").name == "Reviewer"
