"""The session service: what the screens and the CLI do to sessions, on a real store."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError, LaceError
from lace_tui.instances.models import Instance
from lace_tui.paths import resolve_paths
from lace_tui.services.app_services import Services


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    svc = Services(resolve_paths(tmp_path), environ={})
    svc.instances.add(Instance(id="claude", provider="anthropic"), api_key="sk-test-123456789")
    yield svc
    svc.close()


def test_start_chat_makes_a_session_with_one_agent(services: Services) -> None:
    session = services.sessions.start_chat("claude", "claude-sonnet-4-6")

    agents = services.sessions.list_agents(session.id)
    assert [(a.instance_id, a.model_id) for a in agents] == [("claude", "claude-sonnet-4-6")]


def test_start_chat_with_an_unknown_model_leaves_nothing_behind(services: Services) -> None:
    with pytest.raises(LaceError):
        services.sessions.start_chat("claude", "no-such-model")

    assert services.sessions.list_sessions(include_archived=True) == []


def test_instances_for_chat_lists_the_providers_instances(services: Services) -> None:
    assert [i.id for i in services.sessions.instances_for_chat("anthropic")] == ["claude"]
    assert services.sessions.instances_for_chat("openai") == []


def test_instances_for_chat_refuses_a_provider_it_cannot_talk_to(services: Services) -> None:
    unusable = [p.id for p in services.catalog.providers.values() if not p.can_chat]
    if not unusable:
        pytest.skip("every shipped provider can chat")
    with pytest.raises(BadInputError, match="cannot chat"):
        services.sessions.instances_for_chat(unusable[0])


def test_mark_interrupted_keeps_the_text_and_leaves_ended_replies(services: Services) -> None:
    session = services.sessions.start_chat("claude", "claude-sonnet-4-6")
    agent = services.sessions.list_agents(session.id)[0]
    store = services.session_store
    model, instance = agent.model_id, agent.instance_id
    streaming = store.add_message(
        agent.id,
        "assistant",
        "half a rep",
        status="streaming",
        model_id=model,
        instance_id=instance,
    )
    done = store.add_message(
        agent.id, "assistant", "whole", status="complete", model_id=model, instance_id=instance
    )

    marked = services.sessions.mark_interrupted(streaming.id)
    again = services.sessions.mark_interrupted(done.id)

    assert (marked.status, marked.content) == ("interrupted", "half a rep")
    assert services.sessions.get_message(streaming.id).status == "interrupted"
    assert again.status == "complete"


def test_rename_and_archive(services: Services) -> None:
    session = services.sessions.create_session(title="Old")

    services.sessions.rename_session(session.id, "New")
    services.sessions.archive_session(session.id)

    assert services.sessions.list_sessions() == []
    (archived,) = services.sessions.list_sessions(include_archived=True)
    assert (archived.title, archived.archived) == ("New", True)
