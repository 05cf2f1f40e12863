"""Acting on messages from the keyboard at 80x24: ctrl+up reaches the transcript, up/down move
between messages, and copy, copy code, edit-and-resend, regenerate and delete work on the
message under the cursor, with what is sent checked at the loopback fake."""

from __future__ import annotations

from textual.pilot import Pilot

from lace_tui.services.app_services import Services
from lace_tui.tui.app import LaceApp
from lace_tui.tui.screens.chat import ChatScreen
from lace_tui.tui.screens.confirm import ConfirmScreen
from lace_tui.tui.screens.edit_prompt import EditPromptDialog
from lace_tui.tui.widgets.chat_message import ReplyView, UserMessage
from lace_tui.tui.widgets.message_nav import MessageTranscript
from tests.support.fake_provider import FakeBehaviour, FakeProvider
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

REPLY = "Try this:\n\n```python\nprint(1)\n```\n\nor:\n\n```sh\nls\n```\n"


def _replies(screen: ChatScreen) -> int:
    return len(screen.query(ReplyView))


async def _send(pilot: Pilot[int], screen: ChatScreen, text: str) -> None:
    before = _replies(screen)
    type_prompt(screen, text)
    await pilot.press("enter")
    await _reply_done(pilot, screen, before)


def _texts(transcript: MessageTranscript) -> list[str]:
    return [widget.text for widget in transcript.message_widgets()]


async def _reply_done(pilot: Pilot[int], screen: ChatScreen, before: int) -> None:
    """Wait for a new reply (there were `before`) to finish streaming."""
    await wait_until(pilot, lambda: _replies(screen) > before or bool(screen.streaming_agents()))
    await wait_streams_done(pilot, screen)


def _sent(server: FakeProvider) -> list[str]:
    body = server.requests[-1].body
    assert isinstance(body, dict)
    return [str(m["content"]) for m in body["messages"]]


async def test_keys_act_on_the_message_under_the_cursor(
    services: Services, server: FakeProvider
) -> None:
    server.behaviour = FakeBehaviour(reply=REPLY)
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await _send(pilot, screen, "first")
        await _send(pilot, screen, "second")
        await pilot.press("ctrl+up")
        transcript = app.focused
        assert isinstance(transcript, MessageTranscript)
        assert isinstance(transcript.cursor_widget, ReplyView)  # starts on the newest
        await pilot.press("c", "c")
        assert app.clipboard == "ls\n"  # the second press copies the next block
        await pilot.press("y")
        assert app.clipboard == REPLY
        # Edit the first prompt (from its reply): the later turns leave the view.
        await pilot.press("up", "up")
        assert isinstance(transcript.cursor_widget, ReplyView)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EditPromptDialog))
        await pilot.press(*" again", "enter")
        await wait_until(pilot, lambda: server.chat_count == 3)
        await wait_streams_done(pilot, screen)
        assert _sent(server) == ["first again"]
        await wait_until(pilot, lambda: _texts(transcript) == ["first again", REPLY])
        # Regenerate the last reply: the same prompt goes again with the same history.
        server.behaviour = FakeBehaviour(reply="fresh")
        await pilot.press("ctrl+up", "r")
        await wait_until(pilot, lambda: server.chat_count == 4)
        await wait_streams_done(pilot, screen)
        assert _sent(server) == ["first again"]
        await wait_until(pilot, lambda: _texts(transcript) == ["first again", "fresh"])
        # Delete the turn, after confirming.
        await pilot.press("ctrl+up", "up", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not transcript.message_widgets())
    store = services.sessions
    assert store.list_messages(agent.id) == []
    replaced = [m.content for m in store.list_messages(agent.id, superseded=True)]
    assert replaced == ["first", REPLY, "second", REPLY, "first again", REPLY]


async def test_regenerate_is_refused_on_an_earlier_turn(
    services: Services, server: FakeProvider
) -> None:
    session, agent = session_with_agent(services)
    app = LaceApp(services, session_id=session.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await wait_until(pilot, lambda: screen.session_id == session.id)
        await _send(pilot, screen, "one")
        await _send(pilot, screen, "two")
        await pilot.press("ctrl+up", "up", "up", "up")
        transcript = app.focused
        assert isinstance(transcript, MessageTranscript)
        assert isinstance(transcript.cursor_widget, UserMessage)
        await pilot.press("r")
        await pilot.pause()
        assert not screen.streaming_agents()
    assert len(services.sessions.list_messages(agent.id)) == 4
