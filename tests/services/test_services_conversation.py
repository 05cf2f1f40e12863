"""Regenerate, edit-and-resend and delete a turn, against a real store and the loopback fake:
what is sent afterwards is exactly the conversation left in view."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services
from lace_tui.services.chat_service import ChatEvent
from lace_tui.services.conversation import (
    code_blocks,
    delete_turn,
    prompt_to_edit,
    prompt_to_regenerate,
    replace_from,
)
from lace_tui.sessions.models import Agent
from tests.support.fake_provider import FakeBehaviour, FakeProvider

MODEL = "claude-sonnet-4-6"


@pytest.fixture
def server() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="first answer")) as srv:
        yield srv


@pytest.fixture
def services(tmp_path: Path, server: FakeProvider) -> Iterator[Services]:
    svc = Services(resolve_paths(tmp_path), environ={})
    svc.instances.add(
        Instance(
            id="claude",
            provider="anthropic",
            endpoint=server.url,
            retry=RetryPolicy(max_attempts=1),
        ),
        api_key="sk-test-123456789",
    )
    yield svc
    svc.close()


async def _drain(events: AsyncIterator[ChatEvent]) -> None:
    async for _ in events:
        pass


async def _two_turns(services: Services, server: FakeProvider) -> Agent:
    agent = services.chat.add_agent(None, "claude", MODEL, create_session=True)
    await _drain(services.chat.send(agent.id, "question one"))
    server.behaviour = FakeBehaviour(reply="second answer")
    await _drain(services.chat.send(agent.id, "question two"))
    return agent


def _sent(server: FakeProvider) -> list[tuple[str, str]]:
    body = server.requests[-1].body
    assert isinstance(body, dict)
    return [(m["role"], m["content"]) for m in body["messages"]]


async def test_regenerate_replaces_the_last_turn_and_keeps_the_old_one(
    services: Services, server: FakeProvider
) -> None:
    agent = await _two_turns(services, server)
    store = services.sessions
    messages = store.list_messages(agent.id)
    prompt = prompt_to_regenerate(messages, len(messages) - 1)
    assert prompt.content == "question two"
    assert replace_from(store, prompt) == 2
    server.behaviour = FakeBehaviour(reply="better answer")
    await _drain(services.chat.send(agent.id, prompt.content))
    assert _sent(server) == [
        ("user", "question one"),
        ("assistant", "first answer"),
        ("user", "question two"),
    ]
    shown = [m.content for m in store.list_messages(agent.id)]
    assert shown == ["question one", "first answer", "question two", "better answer"]
    kept = [m.content for m in store.list_messages(agent.id, superseded=True)]
    assert kept == ["question two", "second answer"]
    assert [hit.snippet for hit in store.search("answer")] == ["better answer", "first answer"]
    detail = store.session_detail(agent.session_id)
    assert [m.content for m in detail.messages] == shown  # export shows the conversation


async def test_only_the_last_turn_can_be_regenerated(
    services: Services, server: FakeProvider
) -> None:
    agent = await _two_turns(services, server)
    messages = services.sessions.list_messages(agent.id)
    with pytest.raises(BadInputError, match="only the last reply"):
        prompt_to_regenerate(messages, 1)


async def test_edit_and_resend_an_earlier_prompt_drops_the_later_turns_from_view(
    services: Services, server: FakeProvider
) -> None:
    agent = await _two_turns(services, server)
    store = services.sessions
    messages = store.list_messages(agent.id)
    prompt = prompt_to_edit(messages, 1)  # the first reply: its prompt is edited
    assert prompt.content == "question one"
    replace_from(store, prompt)
    await _drain(services.chat.send(agent.id, "question one, rephrased"))
    assert _sent(server) == [("user", "question one, rephrased")]
    assert [m.content for m in store.list_messages(agent.id)] == [
        "question one, rephrased",
        "second answer",  # what the fake replies now
    ]
    assert len(store.list_messages(agent.id, superseded=True)) == 4


async def test_deleting_a_turn_removes_it_for_good_and_from_what_is_sent(
    services: Services, server: FakeProvider
) -> None:
    agent = await _two_turns(services, server)
    store = services.sessions
    messages = store.list_messages(agent.id)
    assert len(delete_turn(store, messages, 0)) == 2
    assert [m.content for m in store.list_messages(agent.id)] == [
        "question two",
        "second answer",
    ]
    assert store.list_messages(agent.id, superseded=True) == []
    await _drain(services.chat.send(agent.id, "three"))
    assert _sent(server)[0] == ("user", "question two")


def test_code_blocks_are_found_fenced_and_indented() -> None:
    text = "Intro\n\n```python\nprint('a')\n```\n\ntext\n\n    indented()\n\n~~~\nb\n~~~\n"
    assert code_blocks(text) == ["print('a')\n", "indented()\n", "b\n"]
    assert code_blocks("no code here") == []
