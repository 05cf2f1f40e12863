"""Search from the app: ctrl+f (or the palette) lists hits as you type; Enter opens the chat
on that session and agent with the message under the cursor, loading earlier pages if needed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from lace_tui.services.app_services import Services
from lace_tui.sessions.models import Role
from lace_tui.tui.app import LaceApp
from lace_tui.tui.commands import collect_commands
from lace_tui.tui.screens.search import SearchScreen
from lace_tui.tui.widgets.chat_message import ReplyView
from lace_tui.tui.widgets.chat_transcript import MAX_MESSAGES
from lace_tui.tui.widgets.message_nav import MessageTranscript
from tests.tui.test_tui_chat_setup import build_services, chat_screen, wait_until


def _services_with_history(tmp_path: Path) -> Services:
    services = build_services(tmp_path / "home", None)
    store = services.sessions
    store.create_session("old", title="Old debugging session")
    agent = store.add_agent("old", "Fake Small", "fake", "fake-small")
    for n in range(MAX_MESSAGES + 4):  # the needle is above the first page mounted
        text = "the zebra needle is here" if n == 3 else f"filler message {n}"
        role: Role = "user" if n % 2 == 0 else "assistant"
        store.add_message(agent.id, role, text, model_id="fake-small", instance_id="fake")
    store.create_session("recent", title="Recent")
    other = store.add_agent("recent", "Other", "fake", "fake-small")
    store.add_message(other.id, "user", "nothing here", model_id="fake-small", instance_id="fake")
    return services


async def test_ctrl_f_finds_a_reply_and_enter_opens_the_session_at_it(tmp_path: Path) -> None:
    services = _services_with_history(tmp_path)
    app = LaceApp(services, session_id="recent")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            chat = chat_screen(app)
            await wait_until(pilot, lambda: chat.session_id == "recent")
            await pilot.press("ctrl+f")
            search = app.screen
            assert isinstance(search, SearchScreen)
            search.query_one("#search-input", Input).value = "zebra nee"  # as typed
            await wait_until(pilot, lambda: len(search.hits) == 1)
            options = search.query_one("#search-hits", OptionList)
            assert options.option_count == 1
            assert "Old debugging session" in str(options.get_option_at_index(0).prompt)
            await pilot.press("down", "enter")
            await wait_until(pilot, lambda: app.screen is chat and chat.session_id == "old")
            await wait_until(pilot, lambda: isinstance(app.focused, MessageTranscript))
            transcript = app.focused
            assert isinstance(transcript, MessageTranscript)
            widget = transcript.cursor_widget
            assert isinstance(widget, ReplyView)
            assert widget.text == "the zebra needle is here"
            assert transcript.cursor_index == 3  # the 4th message: an earlier page was loaded
            await pilot.pause()
            assert widget.region.overlaps(transcript.region)  # scrolled into view
    finally:
        services.close()


async def test_search_says_what_is_wrong_and_escape_goes_back(tmp_path: Path) -> None:
    services = _services_with_history(tmp_path)
    app = LaceApp(services, session_id="recent")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            chat = chat_screen(app)
            names = [command.name for command in collect_commands(app.screen)]
            assert "Search messages" in names
            app.action_search_messages()
            await pilot.pause()
            search = app.screen
            assert isinstance(search, SearchScreen)
            search.query_one("#search-input", Input).value = "?!"
            await wait_until(
                pilot, lambda: "no words" in str(search.query_one("#search-status").render())
            )
            search.query_one("#search-input", Input).value = "kubernetes"
            await wait_until(
                pilot,
                lambda: "No prompt or reply" in str(search.query_one("#search-status").render()),
            )
            await pilot.press("escape")
            assert app.screen is chat
    finally:
        services.close()
