"""An agent's system prompt and reasoning effort, checked against the catalog; a session
exported to a file the user names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lace_tui.errors import BadInputError
from lace_tui.services.agent_settings import (
    effort_choice,
    export_session,
    session_text,
    update_agent_settings,
)
from lace_tui.services.app_services import Services
from lace_tui.sessions.models import Agent
from tests.tui.test_tui_chat_setup import FAKE_CATALOG, build_services


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(tmp_path / "home", "http://127.0.0.1:9")
    catalog = json.loads(json.dumps(FAKE_CATALOG))
    catalog["models"][1]["reasoning_levels"] = ["low", "medium", "high"]
    catalog["models"][1]["default_reasoning_effort"] = "medium"
    (built.paths.user_catalogs_dir / "fakeco.json").write_text(json.dumps(catalog))
    built.reload_catalog()
    yield built
    built.close()


def _agent(services: Services, model_id: str) -> Agent:
    return services.chat.add_agent(None, "fake", model_id, create_session=True)


def test_effort_levels_come_from_the_catalog(services: Services) -> None:
    large = effort_choice(services.chat, _agent(services, "fake-large"))
    assert (large.reasons, large.levels, large.default) == (
        True,
        ("low", "medium", "high"),
        "medium",
    )
    assert not effort_choice(services.chat, _agent(services, "fake-small")).reasons


def test_settings_are_saved_and_cleared(services: Services) -> None:
    agent = _agent(services, "fake-large")
    updated = update_agent_settings(
        services.chat, agent.id, system_prompt="  Be terse.\n", reasoning_effort="high"
    )
    assert (updated.system_prompt, updated.reasoning_effort) == ("Be terse.", "high")
    request = services.chat.build_request(updated, [])
    assert (request.system, request.reasoning_effort) == ("Be terse.", "high")
    cleared = update_agent_settings(services.chat, agent.id, system_prompt="", reasoning_effort="")
    assert (cleared.system_prompt, cleared.reasoning_effort) == (None, None)


@pytest.mark.parametrize(("model_id", "effort"), [("fake-large", "extreme"), ("fake-small", "low")])
def test_an_effort_the_catalog_does_not_list_changes_nothing(
    services: Services, model_id: str, effort: str
) -> None:
    agent = _agent(services, model_id)
    with pytest.raises(BadInputError, match="reasoning effort"):
        update_agent_settings(services.chat, agent.id, system_prompt="new", reasoning_effort=effort)
    assert services.sessions.get_agent(agent.id) == agent


def test_export_writes_markdown_or_json_and_never_replaces_a_file(
    services: Services, tmp_path: Path
) -> None:
    agent = _agent(services, "fake-small")
    store = services.sessions
    store.add_message(agent.id, "user", "hello there", model_id="fake-small", instance_id="fake")
    md = export_session(store, agent.session_id, str(tmp_path / "s.md"))
    assert md.read_text() == session_text(store, agent.session_id, "md")
    assert "hello there" in md.read_text()
    as_json = export_session(store, agent.session_id, str(tmp_path / "s.JSON"))
    assert json.loads(as_json.read_text())["session"]["id"] == agent.session_id
    with pytest.raises(BadInputError, match="already exists"):
        export_session(store, agent.session_id, str(tmp_path / "s.md"))
    assert md.read_text() == session_text(store, agent.session_id, "md")
    with pytest.raises(BadInputError, match="does not exist"):
        export_session(store, agent.session_id, str(tmp_path / "nowhere" / "s.md"))
    assert not (tmp_path / "nowhere").exists()
