"""#15 in the app, with Pilot: favourites in the model picker (aliases, default, pinned,
recent), hidden models found only by search, ctrl+f to pin, palette entries for aliases, and
a fallback reply that says which instance answered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import cast

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static

from lace_tui.instances.models import Instance, RetryPolicy
from lace_tui.paths import Paths
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.chat import ChatScreen
from lace_tui.tui.screens.model_picker import FAVOURITES, ModelPicker
from lace_tui.tui.screens.wizard import WizardScreen
from lace_tui.tui.widgets.chat_message import ReplyView
from tests.support.fake_provider import FakeBehaviour, FakeProvider
from tests.tui import test_tui_chat_setup as setup
from tests.tui.conftest import settle
from tests.tui.test_tui_chat_setup import (
    chat_screen,
    session_with_agent,
    type_prompt,
    wait_streams_done,
    wait_until,
)

shared_server = setup.shared_server
server = setup.server
services = setup.services


async def until(pilot: Pilot[int], condition: Callable[[], object]) -> None:
    await wait_until(cast("Pilot[object]", pilot), condition)


async def streams_done(pilot: Pilot[int], screen: ChatScreen) -> None:
    await wait_streams_done(cast("Pilot[object]", pilot), screen)


def cells(table: DataTable[object], column: int) -> list[str]:
    return [str(table.get_row_at(row)[column]) for row in range(table.row_count)]


async def test_picker_lists_favourites_first_and_reports_a_dangling_alias(
    services: Services,
) -> None:
    prefs = services.prefs
    services.instances.add(
        Instance(id="old", provider="fakeco", endpoint="http://127.0.0.1:9/v1"), api_key="sk-0"
    )
    prefs.set_alias("gone", "old/fake-small")
    services.instances.remove("old")  # the alias now dangles: reported, never skipped
    prefs.set_alias("quick", "fake/fake-small")
    prefs.set_default("fake/fake-large")
    prefs.pin("fake/tiny")
    session = services.sessions.create_session("s-fav")
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert picker.query_one("#picker-instances", OptionList).highlighted == 0
        table = picker.query_one("#picker-models", DataTable)
        assert cells(table, 0) == ["gone", "quick", "default", "★"]
        assert "cannot be used" in cells(table, 1)[0]
        await pilot.press("enter")  # the dangling alias: reported, the picker stays
        assert isinstance(app.screen, ModelPicker)
        assert "no instance 'old'" in str(picker.query_one("#picker-detail", Static).render())
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: bool(services.sessions.list_agents(session.id)))
    [agent] = services.sessions.list_agents(session.id)
    assert (agent.instance_id, agent.model_id) == ("fake", "fake-small")


async def test_hidden_models_show_only_when_searched_and_ctrl_f_pins(
    services: Services,
) -> None:
    services.instances.curate("fake", hide=["fake-large"], show=[])
    session, _agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await until(pilot, lambda: screen.session_id == session.id)
        await pilot.press("ctrl+o")  # the agent's own instance opens, not the favourites
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        table = picker.query_one("#picker-models", DataTable)
        assert not any("Fake Large" in name for name in cells(table, 1))
        await pilot.press(*"large")
        assert cells(table, 1) == ["Fake Large (hidden)"]
        await pilot.press("ctrl+f")
        await until(pilot, lambda: "fake/fake-large" in services.prefs.settings().pinned_models)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        # Next time the pinned model leads the favourites.
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        table = app.screen.query_one("#picker-models", DataTable)
        instances = app.screen.query_one("#picker-instances", OptionList)
        assert instances.get_option_at_index(0).id == FAVOURITES
        assert cells(table, 0)[0] == "★" and "Fake Large" in cells(table, 1)[0]


async def test_the_palette_offers_aliases_and_switches_the_agent(services: Services) -> None:
    services.prefs.set_alias("big", "fake/fake-large")
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await until(pilot, lambda: screen.session_id == session.id)
        [command] = [
            c for c in collect_commands(cast("Screen[object]", screen)) if c.name == "Use model big"
        ]
        assert command.help == "Alias of fake/fake-large"
        command.run()
        await until(pilot, lambda: services.sessions.get_agent(agent.id).model_id == "fake-large")


@pytest.fixture
def spare() -> Iterator[FakeProvider]:
    with FakeProvider(FakeBehaviour(reply="Spare here.")) as running:
        yield running


async def test_a_fallback_reply_says_which_instance_answered(
    services: Services, server: FakeProvider, spare: FakeProvider
) -> None:
    services.instances.add(
        Instance(
            id="spare",
            provider="fakeco",
            endpoint=f"{spare.url}/v1",
            retry=RetryPolicy(max_attempts=1, backoff_initial=0, backoff_max=0),
        ),
        api_key="sk-test-key-0000",
    )
    services.instances.edit("fake", fallbacks=["spare"])
    server.behaviour = FakeBehaviour(status=500)
    session, _agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await until(pilot, lambda: screen.session_id == session.id)
        type_prompt(screen, "hello")
        await pilot.press("enter")
        await until(pilot, lambda: bool(screen.query(ReplyView)))
        await streams_done(pilot, screen)
        reply = screen.query_one(ReplyView)
        summary = str(reply.query_one(".reply-summary", Static).render())
        assert "@ spare" in summary and "fallback after fake failed" in summary
        assert reply.text == "Spare here."


async def test_the_wizard_edits_fallbacks_and_model_filters(
    make_services: Callable[..., Services], populated_home: Paths
) -> None:
    services = make_services()
    app = LaceApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        loose = cast("Pilot[object]", pilot)
        await settle(loose)
        await pilot.press("f4")
        await settle(loose)
        await pilot.press("e")  # the first instance: anthropic-work
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, WizardScreen)
        fields = {name: wizard.query_one(f"#wiz-{name}", Input) for name in ("fallbacks", "hide")}
        fields["fallbacks"].value = "nobody"
        await pilot.press("ctrl+s")
        await settle(loose)
        assert wizard.step == "form"  # refused, with the reason, and nothing written
        assert "No instance 'nobody'" in str(wizard.query_one("#err-model-fields").render())
        assert services.instances.get("anthropic-work").fallbacks == []
        fields["fallbacks"].value = "openai-env local-ollama"
        fields["hide"].value = "claude-3*"
        await pilot.press("ctrl+s")
        await settle(loose)
        assert str(wizard.step) == "done"
    saved = services.instances.get("anthropic-work")
    assert saved.fallbacks == ["openai-env", "local-ollama"]
    assert saved.hide_models == ["claude-3*"]
