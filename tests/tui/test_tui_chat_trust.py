"""The chat screen shows how each reply ended and retries a failed prompt (#10)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from lace_tui.instances.models import Instance
from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.chat import ChatScreen
from lace_tui.tui.screens.model_picker import ModelPicker
from lace_tui.tui.widgets.chat_message import ReplyView, UserMessage
from tests.support.fake_provider import TOOL_NAME, FakeProvider
from tests.tui import test_tui_chat_setup as setup
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


def notes_of(screen: ChatScreen) -> list[str]:
    return [str(r.query_one(".reply-notes", Static).render()) for r in screen.query(ReplyView)]


async def send(pilot: Pilot[int], screen: ChatScreen, text: str) -> None:
    count = len(screen.query(ReplyView))
    type_prompt(screen, text)
    await pilot.press("enter")
    await wait_until(pilot, lambda: len(screen.query(ReplyView)) > count)
    await wait_streams_done(pilot, screen)


async def test_each_ending_shows_its_marker_under_the_reply(
    services: Services, server: FakeProvider
) -> None:
    session, _ = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await send(pilot, screen, "#length hi")
        await send(pilot, screen, "#tools weather?")
        await send(pilot, screen, "plain")
        notes = notes_of(screen)
        assert notes[0].startswith("⚑ the reply was cut short at the model's output limit")
        assert notes[1].startswith(f"⚑ the model asked to call {TOOL_NAME}(")
        assert notes[2] == ""
        shown = [r.query_one(".reply-notes", Static).display for r in screen.query(ReplyView)]
        assert shown == [True, True, False]
        # The marker is not part of the reply's text.
        assert screen.query(ReplyView).first().text == setup.DEFAULT_REPLY


async def test_ctrl_r_sends_the_failed_prompt_again(
    services: Services, server: FakeProvider
) -> None:
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        server.behaviour.status, server.behaviour.fail_times = 500, 1
        await send(pilot, screen, "what is 2+2?")
        await send(pilot, screen, "second")
        assert server.requests[-1].body["messages"] == [  # type: ignore[index]
            {"role": "user", "content": "second"}
        ]
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(screen.query(ReplyView)) == 3)
        await wait_streams_done(pilot, screen)
        assert [w.text for w in screen.query(UserMessage)] == [
            "what is 2+2?",
            "second",
            "what is 2+2?",
        ]
        statuses = [r.message.status for r in screen.query(ReplyView)]
        assert statuses == ["error", "complete", "complete"]
        sent = server.requests[-1].body["messages"]  # type: ignore[index]
        assert [m["content"] for m in sent] == ["second", setup.DEFAULT_REPLY, "what is 2+2?"]
        await pilot.press("ctrl+r")  # nothing failed is left: nothing is sent
        await pilot.pause()
        assert len(screen.query(ReplyView)) == 3
    assert services.chat.failed_prompt(agent.id) is None


async def test_picker_starts_on_a_usable_instance_and_its_default_model(
    services: Services, server: FakeProvider
) -> None:
    # An instance listed first whose key variable is unset: not the one to start on.
    services.instances.add(
        Instance(id="aaa-nokey", name="AAA", provider="fakeco", api_key_env="LACE_TEST_UNSET")
    )
    app = LaceApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = chat_screen(app)
        type_prompt(screen, "first ever")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        instances = picker.query_one("#picker-instances", OptionList)
        assert instances.highlighted is not None
        assert instances.get_option_at_index(instances.highlighted).id == "fake"
        table = picker.query_one("#picker-models", DataTable)
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        assert row_key.value == "fake-large"  # the provider's default_large_model_id
        await pilot.press("escape")
