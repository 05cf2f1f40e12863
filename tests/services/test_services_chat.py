"""The chat service against real stores and a real loopback provider."""

import json
from pathlib import Path

import httpx
import pytest
import respx

from lace_tui.errors import ContextOverflowError, NotFoundError
from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import resolve_paths
from lace_tui.providers.events import TextDelta
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ReplyDone, ReplyStarted
from tests.support.fake_provider import FakeBehaviour, FakeProvider

MODEL = "claude-sonnet-4-6"


@pytest.fixture
def server():
    with FakeProvider(FakeBehaviour(reply="one two three four")) as srv:
        yield srv


@pytest.fixture
def services(tmp_path: Path, server):
    svc = Services(resolve_paths(tmp_path), environ={})
    once = RetryPolicy(max_attempts=1)
    svc.instances.add(
        Instance(id="claude", provider="anthropic", endpoint=server.url, retry=once),
        api_key="sk-test-123456789",
    )
    svc.instances.add(
        Instance(id="gpt", provider="openai", endpoint=server.url + "/v1", retry=once),
        api_key="sk-test-987654321",
    )
    yield svc
    svc.close()


async def collect(gen):
    return [event async for event in gen]


async def test_send_streams_events_and_stores_complete_reply(services):
    session = services.chat.ensure_session(None)
    agent = services.chat.add_agent(session.id, "claude", MODEL)
    events = await collect(services.chat.send(agent.id, "hi"))
    assert isinstance(events[0], ReplyStarted)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "one two three four"
    done = events[-1]
    assert isinstance(done, ReplyDone) and done.message.status == "complete"
    assert done.message.cost_usd is not None and done.message.ttft_ms is not None
    stored = services.sessions.list_messages(agent.id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[1].content == "one two three four"


async def test_switching_model_keeps_history_and_records_the_new_pair(services, server):
    session = services.chat.ensure_session("sw")
    agent = services.chat.add_agent(session.id, "claude", MODEL)
    await collect(services.chat.send(agent.id, "first"))
    services.chat.switch_agent(agent.id, "gpt", "gpt-5")
    await collect(services.chat.send(agent.id, "second"))
    body = server.requests[-1].body
    assert server.requests[-1].path.endswith("/chat/completions")
    assert [m["content"] for m in body["messages"]] == ["first", "one two three four", "second"]
    replies = [m for m in services.sessions.list_messages(agent.id) if m.role == "assistant"]
    assert [(m.instance_id, m.model_id) for m in replies] == [("claude", MODEL), ("gpt", "gpt-5")]


async def test_switch_to_unknown_model_says_how_to_refresh(services):
    session = services.chat.ensure_session(None)
    agent = services.chat.add_agent(session.id, "claude", MODEL)
    with pytest.raises(NotFoundError, match="--refresh"):
        services.chat.switch_agent(agent.id, "claude", "nope")


async def test_history_too_long_is_refused_then_trimmed_on_request(services, server):
    session = services.chat.ensure_session(None)
    agent = services.chat.add_agent(session.id, "claude", "claude-haiku-4-5-20251001")
    window = services.catalog.model("anthropic", "claude-haiku-4-5-20251001").context_window
    big = "x " * (window * 2 // 3)  # ~1/3 of the window in tokens, each
    for _ in range(2):
        await collect(services.chat.send(agent.id, big))
    sent_before = len(server.requests)
    with pytest.raises(ContextOverflowError, match="drop the oldest"):
        await collect(services.chat.send(agent.id, big))
    assert len(server.requests) == sent_before  # nothing sent
    assert len(services.sessions.list_messages(agent.id)) == 4  # and nothing stored
    events = await collect(services.chat.send(agent.id, "short", drop_oldest=True))
    assert events[-1].message.status == "complete"
    assert len(server.requests[-1].body["messages"]) < 7


async def test_closing_the_stream_keeps_partial_text_as_interrupted(services, server):
    server.behaviour.reply = " ".join(["w"] * 200)
    server.behaviour.hold_after = 20  # the rest only comes if the client waits for it
    session = services.chat.ensure_session(None)
    agent = services.chat.add_agent(session.id, "claude", MODEL)
    gen = services.chat.send(agent.id, "long")
    seen = 0
    async for event in gen:
        if isinstance(event, TextDelta):
            seen += 1
            if seen == 10:
                break
    await gen.aclose()  # returns without the rest of the reply, or this test would hang
    reply = services.sessions.list_messages(agent.id)[-1]
    assert reply.status == "interrupted"
    assert reply.content.startswith("w w w")
    assert server.disconnected.wait(2)


async def test_fan_out_runs_agents_concurrently_and_one_failure_is_isolated(services):
    # The slow server holds its reply after one word until the fast agent has finished: a
    # fan-out that ran agents one after another would never get there.
    slow = FakeProvider(FakeBehaviour(reply="slow reply here", hold_after=1)).start()
    broken = FakeProvider(FakeBehaviour(status=401)).start()
    try:
        once = RetryPolicy(max_attempts=1)
        services.instances.add(
            Instance(id="slow", provider="ollama", endpoint=slow.url, retry=once)
        )
        services.instances.add(
            Instance(id="broken", provider="ollama", endpoint=broken.url, retry=once)
        )
        await services.instances.refresh_models("slow")
        session = services.chat.ensure_session("fan")
        a1 = services.chat.add_agent(session.id, "claude", MODEL, name="claude")
        a2 = services.chat.add_agent(session.id, "slow", "fake-small", name="slow")
        # A custom model: the broken server cannot be asked for its list.
        services.instances.store.replace(
            services.instances.get("broken").model_copy(update={"extra_models": ["m"]})
        )
        a4 = services.chat.add_agent(session.id, "broken", "m", name="broken")
        order = []
        done = {}
        async for item in services.chat.fan_out(session.id, "compare"):
            order.append(item.agent_id)
            if isinstance(item.event, ReplyDone):
                done[item.agent_id] = item.event.message
                if item.agent_id == a1.id:
                    slow.behaviour.release.set()
    finally:
        slow.stop()
        broken.stop()
    assert done[a1.id].status == "complete" and done[a2.id].content == "slow reply here"
    assert done[a4.id].status == "error" and "authentication" in (done[a4.id].error or "")
    # Interleaved, not one after another: the fast agent finished while the slow one streamed.
    assert order.index(a1.id) < max(i for i, a in enumerate(order) if a == a2.id)
    turn_ids = {m.turn_id for m in done.values()}
    assert len(turn_ids) == 1 and None not in turn_ids
    assert json.loads(json.dumps([m.model_dump(mode="json") for m in done.values()]))


async def test_closing_right_after_start_marks_the_reply_interrupted(services):
    session = services.chat.ensure_session(None)
    agent = services.chat.add_agent(session.id, "claude", MODEL)
    gen = services.chat.send(agent.id, "hi")
    first = await gen.__anext__()
    assert isinstance(first, ReplyStarted)
    await gen.aclose()
    assert services.sessions.list_messages(agent.id)[-1].status == "interrupted"


def test_costs_never_read_as_zero_unless_zero():
    from lace_tui.services.cost import format_cost, format_price

    assert format_cost(None) == "unknown"
    assert format_cost(0) == "$0"
    assert format_cost(1.3e-05) == "<$0.0001"
    assert format_cost(0.0042) == "$0.0042"
    assert format_price(0.001) == "$0.0010"
    assert format_price(None) == "?"


async def test_an_emoji_sent_in_two_escaped_halves_is_stored_whole(tmp_path: Path):
    """A server that escapes each token to ASCII may split a character's UTF-16 halves across
    events; the reply must still be stored (SQLite refuses lone surrogates) and shown whole."""

    def delta(raw: str) -> bytes:
        return (
            b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
            b'"delta":{"type":"text_delta","text":"' + raw.encode() + b'"}}\n\n'
        )

    stop = b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    halves = [delta("smile "), delta("\\ud83d"), delta("\\ude00"), delta(" and \\ud83d")]
    body = b"".join([*halves, stop])
    svc = Services(resolve_paths(tmp_path), environ={})
    try:
        svc.instances.add(
            Instance(id="claude", provider="anthropic", endpoint="https://anthropic.test"),
            api_key="sk-test-123456789",
        )
        session = svc.chat.ensure_session(None)
        agent = svc.chat.add_agent(session.id, "claude", MODEL)
        async with respx.mock() as router:
            router.post("https://anthropic.test/v1/messages").mock(
                return_value=httpx.Response(
                    200, headers={"content-type": "text/event-stream"}, content=body
                )
            )
            events = await collect(svc.chat.send(agent.id, "hi"))
        done = events[-1]
        assert isinstance(done, ReplyDone) and done.message.status == "complete"
        stored = svc.sessions.list_messages(agent.id)[1]
        assert stored.content == "smile \U0001f600 and \ufffd"
    finally:
        svc.close()
